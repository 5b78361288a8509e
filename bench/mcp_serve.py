"""What `toolace-mt serve` adds around a call, and what --warm saves when a session opens.

Runs, in one process and one run (the machine's load affects both sides alike):
- the median latency of a read call made directly with `env.call`, and the same calls
  (distinct orders, so no call memo answers) through MCP over Streamable HTTP on
  127.0.0.1 with the SDK's client (ratio MCP/direct);
- the median time from opening an MCP session to its first call's answer, with
  `--warm 1` (an env seeded ahead) and `--warm 0` (the env is seeded on demand).

    python bench/mcp_serve.py --env retail --calls 50 --sessions 5
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
from mcp import Client

from sandbox import load_env


@contextmanager
def server(env: str, warm: int) -> Iterator[str]:
    process = subprocess.Popen([sys.executable, "-m", "toolace_mt", "serve", env, "--transport", "http", "--port", "0",
                                "--warm", str(warm)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert process.stderr is not None
    found = re.search(r"at (http://\S+/mcp)", process.stderr.readline())
    assert found is not None, "the server did not start"
    try:
        yield found.group(1)
    finally:
        process.terminate()
        process.wait(timeout=60)


async def mcp_calls(url: str, name: str, calls: list[dict[str, object]]) -> list[float]:
    times = []
    async with Client(url) as client:
        await client.call_tool(name, {"order_id": "#W0"})  # the session's env is seeded on its first call
        for arguments in calls:
            start = time.perf_counter()
            await client.call_tool(name, arguments)
            times.append(time.perf_counter() - start)
    return times


async def session_starts(url: str, name: str, arguments: dict[str, object], count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        async with Client(url) as client:
            await client.call_tool(name, arguments)
            times.append(time.perf_counter() - start)
        await anyio.sleep(3.0)  # time for the server to seed the next spare env
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="retail")
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--sessions", type=int, default=5)
    args = parser.parse_args()
    name, arguments = "get_order", {"order_id": "#W1001"}

    with load_env(args.env) as env:  # distinct orders: no call is answered from the env's memo
        rows = env.query("SELECT order_id FROM orders ORDER BY order_id LIMIT ?", [args.calls])
        calls: list[dict[str, object]] = [{"order_id": row["order_id"]} for row in rows]
        env.call(name, {"order_id": "#W0"})
        direct = []
        for call in calls:
            start = time.perf_counter()
            env.call(name, call)
            direct.append(time.perf_counter() - start)
    with server(args.env, warm=1) as url:
        through_mcp = anyio.run(mcp_calls, url, name, calls)
        warm = anyio.run(session_starts, url, name, arguments, args.sessions)
    with server(args.env, warm=0) as url:
        cold = anyio.run(session_starts, url, name, arguments, args.sessions)

    median = statistics.median
    print(f"{'measure':<44}{'median ms':>10}")
    print(f"{'env.call (direct, a read)':<44}{1000 * median(direct):>10.2f}")
    print(f"{'the same call through MCP over HTTP':<44}{1000 * median(through_mcp):>10.2f}")
    print(f"{'open a session + first call, --warm 1':<44}{1000 * median(warm):>10.1f}")
    print(f"{'open a session + first call, --warm 0':<44}{1000 * median(cold):>10.1f}")
    print(f"MCP/direct per call: {median(through_mcp) / median(direct):.1f}x; "
          f"session start, warm 0 / warm 1: {median(cold) / median(warm):.1f}x")


if __name__ == "__main__":
    main()
