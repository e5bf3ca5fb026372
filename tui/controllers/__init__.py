"""What the main screen does, apart from drawing: reconcile and row flags, public-URL changes,
form keys, event actions (replay, copy as curl), exports.

May import: tui.screens.prompt, tui.messages, receiver, plivo_client.
"""
