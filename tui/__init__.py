"""The Textual app: the only package that imports textual.

`app` (lifecycle, app-wide keys, wiring: `make_app`), `services` (starts and stops the
sandbox, receiver, gateway and tunnel on the app's loop), `messages` (what screens exchange),
`notices` (toasts for store changes), `commands` (command palette entries), `tendlc.tcss`.
Subpackages: `screens`, `widgets`, `forms`, and `controllers` (what the main screen does
apart from drawing).

May import: textual, rich, receiver, plivo_client, sandbox (to run it in-process). Never
tendlc, the command line, which imports `tui.app` only to launch it.
"""
