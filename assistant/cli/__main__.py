"""`python -m assistant.cli` = `delib`."""

from . import main

main()
