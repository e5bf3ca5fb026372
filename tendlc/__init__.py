"""The `tendlc` command line (`python -m tendlc`): options, the headless verbs, the TUI's launch.

`main` (the click group and every verb), `receive` (`tendlc receive`, the receiver without a
screen), `attach` (`--attach URL`: reading a served store), `campaign` (`tendlc campaign
check`), `launch` (checks before the screen takes over, then the app).

May import: receiver, sandbox, plivo_client, click. Never textual or tui, except that
`launch.run_tui` imports `tui.app` inside the function (`lint-imports` names that one edge).
"""
