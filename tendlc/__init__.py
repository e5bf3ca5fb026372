"""The `tendlc` command line (`python -m tendlc`): options, the headless verbs, the TUI's launch.

`main` (the click group and every verb), `receive` (`tendlc receive`, the receiver without a
screen), `launch` (checks before the screen takes over, then the app).

May import: receiver, sandbox, plivo_client. Never textual at import time: only `launch`
imports the app (tui), inside the function that runs it.
"""
