"""The engine's side of a worker process: spawn, request, watchdog, kill, respawn.

A worker is a fresh interpreter (`python -m sandbox.worker`) with a scrubbed
environment: no API keys or other secrets of the engine's process reach env code.
A request that does not finish by its deadline gets the worker killed (SIGKILL); a
new one is started at once and loads the same module, so the next call finds it ready.

Every request carries a sequence number that every message of the worker about it
repeats, and any doubt about the channel (a malformed, out-of-step or late frame, a
write that cannot complete, an error while serving the worker) kills and restarts the
worker: a call never reads another call's answer.
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
    paths = [os.path.abspath(p) for p in sys.path if p and os.path.isdir(p)]  # absolute: the worker runs in /
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": os.pathsep.join(paths),
        "PYTHONHASHSEED": "0",  # set iteration order is the same in every run
        "PYTHONDONTWRITEBYTECODE": "1",
        "TZ": "UTC",
        "LANG": "C.UTF-8",
    }


def _encode_answer(answer: dict[str, Any]) -> bytes:
    """An answer to the worker; a result that is not strict JSON (NaN or Infinity in a
    DOUBLE column) is an SQL error the tool sees, not a crash of the engine."""
    try:
        return protocol.encode(answer)
    except (ValueError, TypeError, RecursionError) as exc:
        return protocol.encode({"op": "sql_error", "seq": answer.get("seq"),
                                "message": f"the statement's result is not JSON data ({exc})"})


class WorkerProcess:
    """One worker running one env module; restarted whenever a limit kills it."""

    def __init__(self, load_message: dict[str, Any], max_frame: int, max_depth: int = 128) -> None:
        self._load_message = load_message
        self._max_frame = max_frame
        self._max_depth = max_depth  # nesting a frame may have (results, parameters, schemas)
        self._seq = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._loaded_reply: dict[str, Any] | None = None
        self.restarts = 0
        self._spawn()

    def _spawn(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "sandbox.worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=_worker_environment(),
            # cwd "/": `-m` puts the working directory first on sys.path, and a `sandbox`
            # package there must not stand in for ours.
            close_fds=True, start_new_session=True, cwd="/",
        )
        self._loaded_reply = None
        assert self._process.stdin is not None
        os.set_blocking(self._process.stdin.fileno(), False)  # writes keep to a deadline
        self._seq = 0
        try:
            # Only the first worker seeds the env: a replacement need not load Faker.
            seeding = bool(self._load_message.get("seeding")) and not self.restarts
            message = {**self._load_message, "seq": 0, "seeding": seeding}
            protocol.write_all(self._process.stdin.fileno(), protocol.encode(message), time.monotonic() + 60.0)
        except (protocol.ChannelClosed, protocol.ChannelTimeout):
            pass  # read by loaded(): the worker's exit reason or its silence

    def loaded(self, timeout: float = 60.0) -> dict[str, Any]:
        """The worker's answer to loading the module (waits for it the first time)."""
        if self._loaded_reply is None:
            self._loaded_reply = self._read(time.monotonic() + timeout)
        return self._loaded_reply

    def _read(self, deadline: float, max_frame: int | None = None) -> dict[str, Any]:
        assert self._process is not None and self._process.stdout is not None
        limit = self._max_frame if max_frame is None else max_frame
        try:
            message = protocol.read_frame(self._process.stdout.fileno(), deadline, limit, self._max_depth)
        except protocol.ChannelTimeout:
            self.restart()
            raise WorkerTimeout() from None
        except (protocol.ChannelClosed, protocol.FrameTooLarge, protocol.ProtocolError) as exc:
            reason = self._exit_reason() or str(exc)
            self.restart()
            raise WorkerDied(reason) from None
        if message.get("seq") != self._seq:
            self.restart()
            raise WorkerDied(f"the worker answered out of step (request {self._seq}, answer {message.get('seq')!r})")
        return message

    def request(self, message: dict[str, Any], timeout: float, on_sql: SqlHandler,
                max_frame: int | None = None) -> dict[str, Any]:
        """Send a request and serve the worker's SQL (and data-file) requests until it answers 'done'
        (`max_frame`: the largest message the worker may send meanwhile; default the constructor's)."""
        self.loaded()
        assert self._process is not None and self._process.stdin is not None
        deadline = time.monotonic() + timeout
        fd_in = self._process.stdin.fileno()
        self._seq += 1
        seq = self._seq
        try:
            protocol.write_all(fd_in, protocol.encode({**message, "seq": seq}), deadline)
            while True:
                reply = self._read(deadline, max_frame)
                if reply.get("op") == "done":
                    if reply.get("restart") is True:
                        self.restart()  # the call changed process-wide state: the next starts clean
                    return reply
                if reply.get("op") not in ("sql", "data"):
                    self.restart()
                    raise WorkerDied(f"unexpected message {reply.get('op')!r}")
                protocol.write_all(fd_in, _encode_answer({**on_sql(reply), "seq": seq}), deadline)
        except protocol.ChannelClosed as exc:
            reason = self._exit_reason() or "the worker closed its pipe"
            self.restart()
            raise WorkerDied(reason) from exc
        except protocol.ChannelTimeout:
            self.restart()  # the worker stopped reading its pipe
            raise WorkerTimeout() from None
        except (WorkerDied, WorkerTimeout):
            raise
        except BaseException:
            self.restart()  # left mid-request: its next frame would answer the wrong request
            raise

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
