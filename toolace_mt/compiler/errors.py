"""The one error a spec that cannot be read gives: the file, the place, the problem."""

from __future__ import annotations


class SpecError(Exception):
    """A spec file the compiler cannot read.

    `place` is a JSON pointer ("/tools/3/parameters") or a line ("line 12") so that a
    person can find the problem in the file.
    """

    def __init__(self, file: str, place: str, message: str) -> None:
        self.file = file
        self.place = place
        self.message = message
        super().__init__(f"{file}: {place or '/'}: {message}")


class CompileError(Exception):
    """Compiling failed for a reason other than an unreadable spec (e.g. no tools at all)."""
