"""`python -m tui.cli`: the same as the `tendlc` command."""

from tui.cli.main import main

main()
