"""`python -m handouts`: the same as the `handouts` command."""
from .cli import main

main()
