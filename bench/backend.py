"""Does the openai backend keep the model server saturated? Against local fake servers.

Each fake server (tests/fake_openai_server.py, answering as the scripted model of the
tests, tests/fake_model.py) runs in its own process, so its work is not the engine's, and
answers every request after `--latency` seconds. A run asks for `--concurrency C`
requests in flight per worker process (`--workers W`), so the ideal is C*W/latency
requests/s; the table prints what was achieved as a share of it, the engine's CPU time
per accepted dialogue (this process, its threads and the children it reaped: sandbox
workers, --workers processes), and CPU per request split three ways: `gil` the engine
process itself (its Python runs under one GIL, so one engine process cannot exceed
1000 / gil requests/s), `sbx` its sandbox workers, `srv` the fake servers (their process
trees, from /proc; a bench cost, not the engine's, but it shares the cores; with
--workers > 1 the engine processes are children, so their CPU is in `sbx` and `gil` is
only the driver's). `idle share`
is what the same CPU costs allow on idle cores: min(workers * 1000 / gil, cores * 1000 /
(gil + sbx + srv)) requests/s as a share of the ideal (CPU alone: latency and slots are
the ideal's limit). The load average is printed beside it: the machine is shared, so
compare rows of one run. `steady` is the share between the run's 25th and 75th
percentile request (arrival times at the fake servers): once the slots are full, without
the ramp while envs start and the tail while fewer dialogues are left than slots.
`--timeline S` also prints the share of the ideal in each S-second window of a run, and
when its first request came: where the ramp ends and the tail begins.

    python bench/backend.py --latency 1 --concurrency 8 64 --methods naig mas --timeline 20
    python bench/backend.py --latency 1 --concurrency 128 --workers 2 --servers 2
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from toolace_mt.generation.run import RunOptions, run_generate
from toolace_mt.llm import ModelSettings


def _serve(env: str, seed: int, latency: float, ports: Any, stop: Any, asks: Any, answers: Any) -> None:
    """One fake server process: reports its port, answers until `stop` is set, and tells
    when requests arrived since a time it is sent on `asks` (answered on `answers`)."""
    import queue
    import threading

    from fake_model import ScriptedModel
    from fake_openai_server import FakeOpenAIServer, FakeReply

    model = ScriptedModel(env, seed)
    arrived: list[float] = []
    lock = threading.Lock()

    def handler(body: dict[str, Any]) -> FakeReply:
        start = time.monotonic()  # CLOCK_MONOTONIC: the same clock in every process
        with lock:
            arrived.append(start)
        message = model(body)  # the scripted model's own work counts as the model's time
        return FakeReply(delay=max(0.0, latency - (time.monotonic() - start)), message=message)

    with FakeOpenAIServer(handler) as server:
        ports.put(server.port)
        while not stop.is_set():
            try:
                since = asks.get(timeout=0.5)
            except queue.Empty:
                continue
            with lock:
                answers.put([t for t in arrived if t >= since])
    model.close()


def steady_rate(arrivals: list[float]) -> float:
    """Requests/s between the run's 25th and 75th percentile request: the rate once every
    slot is full, without the ramp (envs starting) and the tail (fewer dialogues left than
    slots, since no attempt is started that the run will not use)."""
    times = sorted(arrivals)
    if len(times) < 8:
        return float("nan")
    low, high = len(times) // 4, 3 * len(times) // 4
    return (high - low) / max(times[high] - times[low], 1e-9)


def timeline(arrivals: list[float], start: float, end: float, window: float, ideal: float) -> list[float]:
    """Requests/s in consecutive windows from `start` to `end`, as shares of `ideal`."""
    counts = [0] * max(1, int((end - start) // window) + 1)
    for t in arrivals:
        if start <= t <= end:
            counts[min(len(counts) - 1, int((t - start) // window))] += 1
    return [count / window / ideal for count in counts]


def _engine_cpu() -> tuple[float, float]:
    """(CPU time of this process, all threads; CPU time of the children it has reaped:
    the sandbox workers and --workers processes of the runs, closed at each run's end)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time(), children.ru_utime + children.ru_stime


def _tree_cpu(root: int) -> float:
    """CPU seconds of a live process and its descendants (with the children they reaped),
    from /proc: the fake servers' cost, which shares the cores with the engine. NaN off Linux."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    stats: dict[int, tuple[int, float]] = {}  # pid -> (parent, seconds)
    try:
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return float("nan")
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        stats[pid] = (int(fields[1]), sum(int(f) for f in fields[11:15]) / ticks)  # utime stime cutime cstime
    if root not in stats:
        return float("nan")
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += stats[pid][1]
        stack += [child for child, (parent, _) in stats.items() if parent == pid]
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="retail")
    parser.add_argument("-n", type=int, default=None, help="accepted dialogues per run (default 4x the requests "
                                                             "in flight)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--latency", type=float, default=1.0, help="seconds the fake model takes per request")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 64])
    parser.add_argument("--workers", type=int, default=1, help="engine processes (--workers of generate)")
    parser.add_argument("--servers", type=int, default=1, help="fake server processes (repeated --base-url)")
    parser.add_argument("--methods", nargs="+", default=["naig", "mas"])
    parser.add_argument("--timeline", type=float, default=0.0, metavar="SECONDS",
                        help="also print requests/s in windows of SECONDS over each run (ramp, steady, tail)")
    args = parser.parse_args()

    context = mp.get_context("spawn")
    ports, stop = context.Queue(), context.Event()
    asks = [context.Queue() for _ in range(args.servers)]
    answers = [context.Queue() for _ in range(args.servers)]
    servers = [context.Process(target=_serve, args=(args.env, args.seed, args.latency, ports, stop, ask, answer),
                               daemon=True) for ask, answer in zip(asks, answers, strict=True)]
    for server in servers:
        server.start()
    urls = [f"http://127.0.0.1:{ports.get(timeout=120)}/v1" for _ in servers]
    print(f"env {args.env}, seed {args.seed}, latency {args.latency:g} s per request, {args.workers} worker(s), "
          f"{args.servers} server(s), no cache, {os.cpu_count()} cores")
    cores = os.cpu_count() or 1
    print(f"{'method':<6}{'conc':>5}{'n':>6}{'attempts':>9}{'requests':>9}{'req/acc':>8}{'req/s':>7}{'ideal':>7}"
          f"{'share':>7}{'steady':>7}{'wall s':>8}{'cpu s/acc':>10}{'gil ms/r':>9}{'sbx ms/r':>9}{'srv ms/r':>9}"
          f"{'idle share':>11}{'load 1m':>9}")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for method in args.methods:
                for concurrency in args.concurrency:
                    n = args.n or 4 * concurrency * args.workers
                    given: str | list[str] = urls[0] if len(urls) == 1 else urls  # one: as older versions take it
                    settings = ModelSettings(model="fake-model", base_url=given, cache_path=None,
                                             concurrency=concurrency, timeout=120)
                    options = RunOptions(envs=[args.env], n=n, seed=args.seed, out=Path(tmp) / f"{method}.jsonl",
                                         method=method, backend="openai", max_attempts=3 * n, model=settings,
                                         workers=args.workers)
                    load = os.getloadavg()[0]
                    (own, reaped), served = _engine_cpu(), sum(_tree_cpu(server.pid or 0) for server in servers)
                    start = time.monotonic()
                    accepted, summary, _ = run_generate(options)
                    wall = time.monotonic() - start
                    own_after, reaped_after = _engine_cpu()
                    own, reaped = own_after - own, reaped_after - reaped
                    served = sum(_tree_cpu(server.pid or 0) for server in servers) - served
                    for ask in asks:
                        ask.put(start)
                    arrivals = [t for answer in answers for t in answer.get(timeout=60)]
                    steady = steady_rate(arrivals)
                    load = (load + os.getloadavg()[0]) / 2
                    requests = sum(summary.calls_by_stage.values())  # the answers the written attempts used
                    ideal = concurrency * args.workers / args.latency
                    per_request = [1000 * part / max(requests, 1) for part in (own, reaped, served)]
                    # On idle cores: one GIL per engine process, and every part shares the cores.
                    cap = min(args.workers * 1000 / max(per_request[0], 1e-9), cores * 1000 / max(sum(per_request),
                                                                                                  1e-9))
                    print(f"{method:<6}{concurrency:>5}{accepted:>6}{summary.attempts:>9}{requests:>9}"
                          f"{requests / max(accepted, 1):>8.1f}{requests / wall:>7.1f}{ideal:>7.0f}"
                          f"{requests / wall / ideal:>7.0%}{steady / ideal:>7.0%}{wall:>8.1f}"
                          f"{(own + reaped) / max(accepted, 1):>10.3f}"
                          f"{per_request[0]:>9.2f}{per_request[1]:>9.2f}{per_request[2]:>9.2f}"
                          f"{min(1.0, cap / ideal):>11.0%}{load:>9.1f}", flush=True)
                    if args.timeline > 0:
                        print(f"  first request after {min(arrivals, default=start) - start:.1f} s; share of the "
                              f"ideal per {args.timeline:g} s: " + " ".join(
                                  f"{share:.0%}" for share in timeline(arrivals, start, start + wall, args.timeline,
                                                                      ideal)), flush=True)
    finally:
        stop.set()
        for server in servers:
            server.join(timeout=10)


if __name__ == "__main__":
    main()
