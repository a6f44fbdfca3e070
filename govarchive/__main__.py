"""`python -m govarchive`: the same as the `govarchive` command."""

from govarchive.cli import main

main()
