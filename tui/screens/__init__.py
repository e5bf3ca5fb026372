"""The app's screens: `main` (tabs, event log, keys), `detail` (one resource), `entry` (one
journal entry), `help`, and `prompt` (small modals).

May import: textual, rich, tui.widgets, tui.controllers, tui.forms, tui's own modules
(messages, commands, notices, services), receiver, plivo_client. Never tendlc.
"""
