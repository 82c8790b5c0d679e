"""``python -m dnaaug ...`` (and ``torchrun -m dnaaug ...``) runs the CLI."""

from dnaaug_cli.main import main

main()
