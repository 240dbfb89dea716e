"""Exceptions raised by spinscope.

Every message starts with a code in brackets so it is easy to grep and test,
then names the input and the problem on one line::

    SpinscopeError
    ├── InputError        an input could not be read (empty, binary, too big, ...)
    │   └── FetchError    a URL could not be fetched
    ├── DatasetError      a dataset file is missing or a line is malformed
    ├── ModelError        a model file is missing, corrupt or fails its hash check
    └── ConfigError       a configuration value is invalid

Third-party exceptions are translated at the boundary with ``raise ... from``.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DatasetError",
    "FetchError",
    "InputError",
    "ModelError",
    "SpinscopeError",
]


class SpinscopeError(Exception):
    """Base class of every error spinscope raises on purpose.

    Parameters
    ----------
    code:
        A short stable code such as ``"E101"``.
    subject:
        What the error is about: a path, a URL, ``stdin``, ``file.jsonl:12``.
    problem:
        One sentence saying what is wrong, without a trailing full stop.
    """

    def __init__(self, code: str, subject: str, problem: str) -> None:
        self.code = code
        self.subject = subject
        self.problem = problem
        super().__init__(f"[{code}] {subject}: {problem}")

    @property
    def one_line(self) -> str:
        """The message on a single line, whatever the subject contains."""
        return " ".join(str(self).split())


class InputError(SpinscopeError):
    """An input (file, URL, JSONL line, stdin) could not be turned into a Document."""


class FetchError(InputError):
    """A URL could not be fetched: refused scheme, timeout, HTTP error, wrong type."""


class DatasetError(SpinscopeError):
    """A dataset file is missing, or one of its lines does not fit its format."""


class ModelError(SpinscopeError):
    """A model file is missing, unreadable, or does not match its pinned hash."""


class ConfigError(SpinscopeError):
    """A configuration value is missing or invalid."""
