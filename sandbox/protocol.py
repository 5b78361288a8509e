"""Length-prefixed JSON frames between the engine and its worker process.

JSON in both directions: the engine never unpickles anything a worker sends, so a
compromised worker cannot run code in the engine.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time
from typing import Any

_HEADER = struct.Struct(">I")


class ChannelClosed(Exception):
    """The other side closed the pipe (the worker died or was killed)."""


class ChannelTimeout(Exception):
    """No complete frame arrived before the deadline."""


class FrameTooLarge(Exception):
    """A frame is larger than the receiver accepts."""


def encode(message: dict[str, Any]) -> bytes:
    body = json.dumps(message, separators=(",", ":"), allow_nan=False).encode()
    return _HEADER.pack(len(body)) + body


def frame(body: bytes) -> bytes:
    """A frame from an already-encoded JSON body."""
    return _HEADER.pack(len(body)) + body


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BrokenPipeError as exc:
            raise ChannelClosed("pipe closed") from exc
        view = view[written:]


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise ChannelTimeout()
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise ChannelClosed("pipe closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, deadline: float | None = None, max_size: int = 1 << 30) -> dict[str, Any]:
    """Read one message; `deadline` is a time.monotonic() value or None to block."""
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    if size > max_size:
        raise FrameTooLarge(f"message of {size} bytes exceeds {max_size}")
    message = json.loads(_read_exact(fd, size, deadline))
    if not isinstance(message, dict):
        raise ValueError("a frame must hold a JSON object")
    return message
