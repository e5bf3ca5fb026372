"""What the main screen does, apart from drawing: reconcile and row flags, public-URL changes,
form keys, event actions (replay, copy as curl), exports.

May import: textual, rich, the screens they open (tui.screens), tui.forms, tui.widgets,
tui.messages, receiver, plivo_client. Never tendlc.
"""
