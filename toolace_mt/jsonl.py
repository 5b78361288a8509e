"""Streaming JSONL of records: read one line at a time, append whole lines.

A file of 100k records never has to fit in memory, nor does one hostile line: a line
longer than MAX_LINE_BYTES is skipped past, never held whole. A line that cannot be read
becomes a `BadLine` (file, line number, reason) so a caller reports it and goes on; that
includes JSON a record must not hold (strict_json: duplicate keys, NaN, deep nesting).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from toolace_mt.record import Record
from toolace_mt.strict_json import MAX_LINE_BYTES, StrictJSONError, loads_strict

_CHUNK = 1 << 20
OVERLONG = "\x00overlong line\x00"  # stands for a line over MAX_LINE_BYTES (no JSON text can equal it)


@dataclass(frozen=True)
class BadLine:
    path: str
    line: int
    reason: str
    record_id: str | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class RecordLine:
    path: str
    line: int
    record: Record


def _validation_reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "record"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"not a valid record: {where}: {first['msg']}{more}"


def parse_line(path: str, number: int, text: str, last: bool = False) -> RecordLine | BadLine:
    if text == OVERLONG or len(text) > MAX_LINE_BYTES:
        return BadLine(path, number, f"the line is longer than {MAX_LINE_BYTES} bytes, the limit of one record")
    try:
        data = loads_strict(text)
    except StrictJSONError as exc:
        return BadLine(path, number, f"not strict JSON: {exc}")
    except ValueError as exc:
        truncated = last and not text.endswith("\n")
        reason = "truncated last line (no newline; the writer was probably interrupted)" if truncated \
            else f"malformed JSON: {exc}"
        return BadLine(path, number, reason)
    if not isinstance(data, dict):
        return BadLine(path, number, f"a record must be a JSON object, got {type(data).__name__}")
    record_id = data.get("id") if isinstance(data.get("id"), str) else None
    try:
        return RecordLine(path, number, Record.model_validate(data))
    except ValidationError as exc:
        return BadLine(path, number, _validation_reason(exc), record_id)


def bounded_lines(handle: IO[bytes], limit: int = MAX_LINE_BYTES) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) of every line; a line longer than `limit` bytes comes as None
    and is read past in chunks, never held whole."""
    number = 0
    while True:
        raw = handle.readline(limit + 1)
        if not raw:
            return
        number += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            while not raw.endswith(b"\n"):
                raw = handle.readline(_CHUNK)
                if not raw:
                    break
            yield number, None
            continue
        yield number, raw


def read_lines(path: str | Path) -> Iterator[tuple[int, str, bool]]:
    """(line number, text, is_last) for every non-blank line, lazily. A line over
    MAX_LINE_BYTES comes as OVERLONG, which parse_line reports."""
    with open(path, "rb") as handle:
        previous: tuple[int, str] | None = None
        for number, raw in bounded_lines(handle):
            if raw is not None and not raw.strip():
                continue
            if previous is not None:
                yield previous[0], previous[1], False
            previous = (number, OVERLONG if raw is None else raw.decode("utf-8", errors="replace"))
        if previous is not None:
            yield previous[0], previous[1], True


def read_records(path: str | Path) -> Iterator[RecordLine | BadLine]:
    """Every record of a JSONL file in order; unreadable lines come as BadLine."""
    for number, text, last in read_lines(path):
        yield parse_line(str(path), number, text, last)


class RecordWriter:
    """Appends records as whole lines: one write per record, flushed, so a crash leaves
    at most a torn last line (which `read_records` reports and `--resume` drops)."""

    def __init__(self, path: str | Path, append: bool = False, durable: bool = False) -> None:
        self.path = Path(path)
        self.durable = durable
        self._handle: IO[str] = open(self.path, "a" if append else "w", encoding="utf-8")

    def write(self, record: Record | str) -> None:
        line = record if isinstance(record, str) else record.to_json()
        self._handle.write(line + "\n")
        self._handle.flush()
        if self.durable:
            os.fsync(self._handle.fileno())

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
