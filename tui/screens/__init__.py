"""The app's screens: `main` (tabs, event log, keys), `detail` (one resource), `entry` (one
journal entry), `help`, and `prompt` (small modals).

May import: tui.widgets, tui.controllers, tui.forms, tui.messages, receiver, plivo_client.
"""
