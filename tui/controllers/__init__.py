"""Small objects a screen owns for what it does apart from drawing: `reconcile` (reconcile
all/one/overdue, and the row flags of `flags`), `urls` (public-URL changes), `forms` (the form
keys), `events` (replay, copy as curl), `exports` (prompt → worker → toast), `scope` (filter and
narrowing), `connecting` (the "still connecting" check). No mixins: a screen holds them and
calls them from its actions and message handlers.

May import: textual, rich, the screens they open (tui.screens), tui.forms, tui.widgets,
tui.workers, tui.messages, receiver, plivo_client, sandbox.faults (the console's own
sandbox). Never tui.app or tendlc.
"""
