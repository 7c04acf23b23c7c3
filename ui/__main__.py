"""`python -m ui` runs the `newsqa` command line."""

from ui.cli import main

main()
