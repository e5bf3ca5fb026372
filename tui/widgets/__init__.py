"""Widgets the screens are built from: the status bar, resource tables (virtual), the event
log, the payload view, badges, and plain-text formatting.

May import: textual, tui.messages, receiver.domain, receiver.safetext.
"""
