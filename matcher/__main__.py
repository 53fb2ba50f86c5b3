"""``python -m matcher`` runs the command-line interface."""

from matcher.cli import main

main()
