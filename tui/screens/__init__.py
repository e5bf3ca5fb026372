"""The app's screens: `main` (tabs, event log, keys), `detail` (one resource), `entry` (one
journal entry), `help`, `prompt` (small modals), and `loading` (while a large store opens).

May import: textual, rich, tui.widgets, tui.controllers, tui.forms, tui's own modules
(messages, commands, notices, services), receiver, plivo_client. Never tendlc.
"""
