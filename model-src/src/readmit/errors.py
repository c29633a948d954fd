"""Errors that the CLI turns into one line on stderr and a fixed exit code."""


class InputError(Exception):
    """Bad input from the user: exit 2 with one line saying what, where and how to fix it."""

    exit_code = 2


class CheckFailed(Exception):
    """A check ran and found problems (validation, gates, policies): exit 1 after listing them."""

    exit_code = 1

    def __init__(self, summary: str, problems: list[str] | None = None):
        super().__init__(summary)
        self.problems = list(problems or [])
