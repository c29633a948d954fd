"""`python -m readmit` is the `readmit` command."""

from readmit.cli import main

main()
