"""The engine's side of a worker process: spawn, request, watchdog, kill, respawn.

A worker is a fresh interpreter (`python -m sandbox.worker`) with a scrubbed
environment: no API keys or other secrets of the engine's process reach env code.
A request that does not finish by its deadline gets the worker killed (SIGKILL); a
new one is started at once and loads the same module, so the next call finds it ready.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from sandbox import protocol

SqlHandler = Callable[[dict[str, Any]], dict[str, Any]]


class WorkerTimeout(Exception):
    """The request ran past its deadline; the worker was killed."""


class WorkerDied(Exception):
    """The worker exited or sent something unreadable; it was replaced."""


def _worker_environment() -> dict[str, str]:
    paths = [p for p in sys.path if p and os.path.isdir(p)]
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": os.pathsep.join(paths),
        "PYTHONHASHSEED": "0",  # set iteration order is the same in every run
        "PYTHONDONTWRITEBYTECODE": "1",
        "TZ": "UTC",
        "LANG": "C.UTF-8",
    }


class WorkerProcess:
    """One worker running one env module; restarted whenever a limit kills it."""

    def __init__(self, load_message: dict[str, Any], max_frame: int) -> None:
        self._load_message = load_message
        self._max_frame = max_frame
        self._process: subprocess.Popen[bytes] | None = None
        self._loaded_reply: dict[str, Any] | None = None
        self.restarts = 0
        self._spawn()

    def _spawn(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "sandbox.worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=_worker_environment(),
            close_fds=True, start_new_session=True,
        )
        self._loaded_reply = None
        assert self._process.stdin is not None
        protocol.write_all(self._process.stdin.fileno(), protocol.encode(self._load_message))

    def loaded(self, timeout: float = 60.0) -> dict[str, Any]:
        """The worker's answer to loading the module (waits for it the first time)."""
        if self._loaded_reply is None:
            self._loaded_reply = self._read(time.monotonic() + timeout)
        return self._loaded_reply

    def _read(self, deadline: float) -> dict[str, Any]:
        assert self._process is not None and self._process.stdout is not None
        try:
            return protocol.read_frame(self._process.stdout.fileno(), deadline, self._max_frame)
        except protocol.ChannelTimeout:
            self.restart()
            raise WorkerTimeout() from None
        except (protocol.ChannelClosed, protocol.FrameTooLarge, ValueError) as exc:
            reason = self._exit_reason() or str(exc)
            self.restart()
            raise WorkerDied(reason) from exc

    def request(self, message: dict[str, Any], timeout: float, on_sql: SqlHandler) -> dict[str, Any]:
        """Send a request and serve the worker's SQL (and data-file) requests until it answers 'done'."""
        self.loaded()
        assert self._process is not None and self._process.stdin is not None
        deadline = time.monotonic() + timeout
        fd_in = self._process.stdin.fileno()
        try:
            protocol.write_all(fd_in, protocol.encode(message))
            while True:
                reply = self._read(deadline)
                if reply.get("op") == "done":
                    return reply
                if reply.get("op") not in ("sql", "data"):
                    self.restart()
                    raise WorkerDied(f"unexpected message {reply.get('op')!r}")
                protocol.write_all(fd_in, protocol.encode(on_sql(reply)))
        except protocol.ChannelClosed as exc:
            reason = self._exit_reason() or "the worker closed its pipe"
            self.restart()
            raise WorkerDied(reason) from exc

    def _exit_reason(self) -> str | None:
        assert self._process is not None
        try:
            code = self._process.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            return None
        return f"the worker was killed by signal {-code}" if code < 0 else f"the worker exited with code {code}"

    def restart(self) -> None:
        self._kill()
        self.restarts += 1
        self._spawn()

    def _kill(self) -> None:
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
        self._process = None

    def close(self) -> None:
        self._kill()
