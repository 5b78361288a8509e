"""The model servers of a run (repeated `--base-url`) and which one gets the next request.

A request goes to the least-loaded server that is up (fewest requests in flight; ties go
to the first listed, so one server behaves as before). A server that fails (refused
connection, timeout, 5xx) is out of rotation for a backoff that doubles with each failure
in a row, and back in after it: the next request it gets is the probe. The records never
depend on which server answered (every server runs the same model and the same request is
sent), so routing is free to follow the load. Used from the client's event loop only: no
locks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a Server is made by the client, which imports the SDK
    import openai


@dataclass
class Server:
    url: str | None  # None: OpenAI's own endpoint
    client: openai.AsyncOpenAI
    in_flight: int = 0
    failures: int = 0  # in a row; 0 when the last request it answered succeeded
    down_until: float = 0.0  # loop time before which it gets no request
    answered: int = 0  # completions it gave (for the summary and the tests)

    @property
    def where(self) -> str:
        return self.url or "api.openai.com"


@dataclass
class ServerPool:
    servers: list[Server]
    backoff: float  # first time out of rotation, doubled with each failure in a row
    max_backoff: float

    def pick(self, now: float) -> Server:
        """The least-loaded server that is up; when all are down, the one back first."""
        up = [s for s in self.servers if s.down_until <= now]
        if not up:
            return min(self.servers, key=lambda s: s.down_until)
        return min(up, key=lambda s: s.in_flight)  # min keeps the first of equals: listed order

    def up_count(self, now: float) -> int:
        return sum(1 for s in self.servers if s.down_until <= now)

    def failed(self, server: Server, now: float) -> None:
        """Out of rotation for backoff * 2^(failures in a row - 1), at most max_backoff."""
        server.failures += 1
        pause = min(self.max_backoff, self.backoff * 2 ** (server.failures - 1))
        server.down_until = max(server.down_until, now + max(pause, 0.05))

    def succeeded(self, server: Server) -> None:
        server.failures = 0
        server.down_until = 0.0
        server.answered += 1

    def wait_for_any(self, now: float) -> float:
        """Seconds until some server is back in rotation (0 when one is up)."""
        return max(0.0, min(s.down_until for s in self.servers) - now)

    async def close(self) -> None:
        for server in self.servers:
            await server.client.close()
