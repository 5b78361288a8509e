"""Length-prefixed JSON frames between the engine and its worker process.

JSON in both directions: the engine never unpickles anything a worker sends, so a
compromised worker cannot run code in the engine. Frames are strict UTF-8 JSON
(`ensure_ascii=False`, no NaN): a frame holding a lone surrogate, invalid UTF-8 or more
nesting than the receiver allows is a ProtocolError, never a half-read value. Writes take
a deadline like reads, on non-blocking fds, so two sides each blocked on a full pipe
cannot deadlock: the one whose deadline passes gives up (the engine then kills the worker).
"""

from __future__ import annotations

import json
import os
import re
import select
import struct
import time
from typing import Any

from sandbox.json_values import nesting_problem

_HEADER = struct.Struct(">I")
# A \uD800-\uDFFF escape not itself escaped: a surrogate written as an escape. Our encoder
# writes non-ASCII characters as UTF-8, so only a hostile sender produces one.
_SURROGATE_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u[dD][89a-fA-F]")


class ChannelClosed(Exception):
    """The other side closed the pipe (the worker died or was killed)."""


class ChannelTimeout(Exception):
    """No complete frame arrived (or could be written) before the deadline."""


class FrameTooLarge(Exception):
    """A frame is larger than the receiver accepts."""


class ProtocolError(Exception):
    """A frame that is not a strict JSON object within the receiver's limits."""


def encode(message: dict[str, Any]) -> bytes:
    """One frame; raises ValueError (NaN, a lone surrogate), TypeError or RecursionError for
    a message that is not strict JSON."""
    return frame(json.dumps(message, separators=(",", ":"), allow_nan=False, ensure_ascii=False).encode("utf-8"))


def frame(body: bytes) -> bytes:
    """A frame from an already-encoded JSON body."""
    return _HEADER.pack(len(body)) + body


def write_all(fd: int, data: bytes, deadline: float | None = None) -> None:
    """Write every byte; on a non-blocking fd, give up at `deadline` (time.monotonic())."""
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            written = 0
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise ChannelClosed("pipe closed") from exc
        view = view[written:]
        if view:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                raise ChannelTimeout()
            if not select.select([], [fd], [], wait)[1] and wait is not None:
                raise ChannelTimeout()


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise ChannelTimeout()
        try:
            chunk = os.read(fd, min(remaining, 1 << 20))
        except BlockingIOError:
            continue
        if not chunk:
            raise ChannelClosed("pipe closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, deadline: float | None = None, max_size: int = 1 << 30,
               max_depth: int | None = None) -> dict[str, Any]:
    """Read one message; `deadline` is a time.monotonic() value or None to block."""
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    if size > max_size:
        raise FrameTooLarge(f"message of {size} bytes exceeds {max_size}")
    return decode(_read_exact(fd, size, deadline), max_depth)


def decode(body: bytes, max_depth: int | None = None) -> dict[str, Any]:
    """A frame body as a JSON object, or ProtocolError."""
    if b"\\u" in body and _SURROGATE_ESCAPE.search(body) is not None:
        raise ProtocolError("a frame holds a lone surrogate escape")
    try:
        message = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, RecursionError, MemoryError) as exc:  # JSONDecodeError, UnicodeDecodeError included
        raise ProtocolError(f"a frame is not strict JSON: {type(exc).__name__}: {str(exc)[:200]}") from None
    if not isinstance(message, dict):
        raise ProtocolError("a frame must hold a JSON object")
    if max_depth is not None:
        problem = nesting_problem(message, max_depth)
        if problem is not None:
            raise ProtocolError(f"a frame is {problem}")
    return message


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
