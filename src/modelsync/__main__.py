"""``python -m modelsync`` runs the CLI."""

from .cli import main

main()
