"""`python -m readmit` is the `readmit` command."""

from readmit.cli import main

if __name__ == "__main__":  # a spawned helper process imports this module again: it must not run the CLI
    main()
