"""Widgets the screens are built from: the status bar, resource tables, the event log, the
payload view, badges, and plain-text formatting.

`virtual_table` (a keyed table that draws only the rows in view) with `table_rows` (its
columns, keys and cells), `resource_table` and `resources_view` (the three tabs),
`event_log`, `status_bar`, `payload_view`, `badges` (colours from the theme's variables),
`formatting`.

May import: textual, rich, tui.messages, receiver.domain, receiver.safetext, receiver.store.entries. Never
tui.screens, tui.controllers, tui.forms or plivo_client (`lint-imports`).
"""
