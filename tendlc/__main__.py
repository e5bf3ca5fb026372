"""`python -m tendlc`: the same as the `tendlc` command."""

from tendlc.main import main

main()
