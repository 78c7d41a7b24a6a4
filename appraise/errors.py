"""Errors a user can act on. The CLI turns each into one line and an exit code."""

from __future__ import annotations


class AppraiseError(Exception):
    """Something the user can fix; `message` says what, `fix` says how."""

    exit_code = 1

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} ({self.fix})" if self.fix else self.message


class InputError(AppraiseError):
    """Bad input from the user: an argument, an answer, a file. Nothing was attempted."""

    exit_code = 2


class DataFileError(InputError):
    """A file on disk that does not parse or validate; names the file and line."""

    def __init__(
        self, path: object, message: str, *, line: int | None = None, fix: str | None = None
    ) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}", fix=fix)
        self.path = path
        self.line = line


class NotFoundError(AppraiseError):
    """A study, claim or rubric the user named does not exist where we looked."""

    exit_code = 2


class SourceError(AppraiseError):
    """A remote source failed (network, rate limit, bad body) after bounded retries."""

    exit_code = 1
