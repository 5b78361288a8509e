"""Engine benchmark: env load, tool-call latency (sandboxed vs direct), reset, state hash, diff.

    python bench/envs.py            # full run (about 50 s)
    python bench/envs.py --quick    # fewer repetitions (about 20 s)
    python bench/envs.py --before ../main-checkout --only-before-after   # this code vs another checkout

Prints medians over repeated runs, measured in this run with time.perf_counter_ns.
"Direct" means the same tool function compiled with plain `compile`/`exec` (no
RestrictedPython, no worker, no pipe, no policy check, no argument validation) and
called in this process on the SAME DuckDB connection as the sandboxed env.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

import sandbox
from sandbox.data_files import read_data_file
from sandbox.environment import Environment
from sandbox.json_values import json_rows
from sandbox.registry import EnvSource, builtin_names, resolve
from sandbox.restricted import compile_env
from sandbox.state import connect

RATIO_TARGET = 1.5
# The security work of issue 15 (fresh module per call, checks, the OS layer) may cost at
# most this much call latency.
BEFORE_AFTER_TARGET = 1.10
NEW_ADDRESS = {"street": "12 Oak Street Apt 4", "city": "Springfield", "state": "IL", "zip_code": "62704"}


# ---------------------------------------------------------------- timing helpers

def measure(fn: Callable[[], Any], reps: int, warmup: int = 1, setup: Callable[[], Any] | None = None) -> list[int]:
    """Run `fn` warmup + reps times; return the timed reps in ns (setup runs untimed before each)."""
    for _ in range(warmup):
        if setup is not None:
            setup()
        fn()
    samples = []
    for _ in range(reps):
        if setup is not None:
            setup()
        start = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - start)
    return samples


def measure_pair(first: Callable[[], Any], second: Callable[[], Any], reps: int, warmup: int = 1,
                 setup_first: Callable[[], Any] | None = None,
                 setup_second: Callable[[], Any] | None = None) -> tuple[list[int], list[int]]:
    """Time two functions interleaved (first, second, first, ...), so both run under the same cache state."""
    samples: tuple[list[int], list[int]] = ([], [])
    for rep in range(warmup + reps):
        for index, (fn, setup) in enumerate(((first, setup_first), (second, setup_second))):
            if setup is not None:
                setup()
            start = time.perf_counter_ns()
            fn()
            elapsed = time.perf_counter_ns() - start
            if rep >= warmup:
                samples[index].append(elapsed)
    return samples


def med(samples: list[int]) -> float:
    return float(statistics.median(samples))


def p90(samples: list[int]) -> float:
    ordered = sorted(samples)
    return float(ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))])


_UNITS = {"ms": 1e6, "µs": 1e3}


class Report:
    """Collects rows (metric, median, min, p90, unit, n, note) and prints them as sections."""

    def __init__(self) -> None:
        self.sections: list[tuple[str, list[tuple[str, ...]]]] = []

    def section(self, title: str) -> None:
        self.sections.append((title, []))
        print(f"  ... {title}", file=sys.stderr, flush=True)

    def row(self, metric: str, samples: list[int] | None, unit: str, note: str = "",
            value: float | None = None) -> None:
        if samples is not None:
            scale = _UNITS[unit]
            median, low, high = (_fmt(x / scale) for x in (med(samples), min(samples), p90(samples)))
            n = str(len(samples))
        else:
            median, low, high, n = (_fmt(value) if value is not None else "-"), "", "", ""
        self.sections[-1][1].append((metric, median, low, high, unit, n, note))

    def print(self) -> None:
        rows = [r for _, rs in self.sections for r in rs]
        widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(_HEADERS)]
        for title, section_rows in self.sections:
            print()
            print(f"== {title}")
            print("  " + "  ".join(_align(h, w, i) for i, (h, w) in enumerate(zip(_HEADERS, widths, strict=True))))
            print("  " + "  ".join("-" * w for w in widths))
            for r in section_rows:
                print("  " + "  ".join(_align(c, w, i) for i, (c, w) in enumerate(zip(r, widths, strict=True))))


_HEADERS = ("metric", "median", "min", "p90", "unit", "n", "note")


def _align(text: str, width: int, index: int) -> str:
    if index == len(_HEADERS) - 1:
        return text
    return text.rjust(width) if index in (1, 2, 3, 5) else text.ljust(width)


def _fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


# ---------------------------------------------------------------- the direct path

class DirectDb:
    """A plain `db` handle straight on a DuckDB connection: no worker, pipe or policy."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, now: dt.datetime,
                 source: EnvSource | None = None) -> None:
        self.connection = connection
        self.source = source  # for data(): the env's data files
        self.now = now
        self.today = now.date()
        self.rng = random.Random()
        self.statements = 0

    def _run(self, sql: str, params: list[Any] | None) -> tuple[list[str], list[tuple[Any, ...]]]:
        self.statements += 1
        cursor = self.connection.execute(sql, list(params or []))
        columns = [d[0] for d in cursor.description] if cursor.description else []
        return columns, cursor.fetchall()

    def query(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        return json_rows(*self._run(sql, params))

    def one(self, sql: str, params: list[Any] | None = None) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        rows = self.query(sql, params)
        return next(iter(rows[0].values())) if rows and rows[0] else None

    def execute(self, sql: str, params: list[Any] | None = None) -> int:
        columns, rows = self._run(sql, params)
        return int(rows[0][0]) if columns == ["Count"] and len(rows) == 1 else len(rows)

    def data(self, name: str) -> Any:
        directory = Path(self.source.data_dir) if self.source and self.source.data_dir else None
        return read_data_file(directory, self.source.data_files if self.source else (), name)

    def insert(self, table: str, rows: list[dict[str, Any]]) -> int:
        if not rows:
            return 0
        names = list(rows[0])
        columns = ", ".join(f'"{n}"' for n in names)
        select = ", ".join(f'r."{n}"' for n in names)
        self.statements += 1
        self.connection.execute(f'INSERT INTO main."{table}" ({columns}) SELECT {select} FROM (SELECT unnest($1) AS r)',
                                [[{n: r.get(n) for n in names} for r in rows]])
        return len(rows)


def direct_namespace(name_or_path: str) -> dict[str, Any]:
    """The env module compiled and run normally (plain compile/exec, real builtins and imports)."""
    source = resolve(name_or_path)
    namespace: dict[str, Any] = {"__name__": f"direct_{source.name}"}
    exec(compile(source.source, source.path, "exec"), namespace)  # trusted env source, run normally
    return namespace


def direct_call(env: Environment, db: DirectDb, fn: Callable[..., Any], args: dict[str, Any], writes: bool) -> Any:
    """One direct call: per-call RNG seeding like the worker; writes wrapped in BEGIN/COMMIT."""
    db.rng.seed(f"{env.seed}:{env._state().writes_committed}")
    if not writes:
        return fn(db, **args)
    db.connection.execute("BEGIN TRANSACTION")
    try:
        result = fn(db, **args)
    except BaseException:
        db.connection.execute("ROLLBACK")
        raise
    db.connection.execute("COMMIT")
    return result


# ---------------------------------------------------------------- the synthetic env (hash, diff)

SYNTHETIC_ENV = '''"""Benchmark env: one table of N synthetic rows."""
from datetime import date, timedelta

from sandbox.authoring import Db, Fake, ToolError, tool

N_ROWS = {n_rows}
CHUNK = 5000

TABLES = """
CREATE TABLE items (
    item_id VARCHAR PRIMARY KEY,
    label VARCHAR NOT NULL,
    qty INTEGER NOT NULL,
    price DOUBLE NOT NULL,
    added_on DATE NOT NULL
);
"""


def seed(db: Db, fake: Fake) -> None:
    rng = db.rng
    start = date(2024, 1, 1)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
    for low in range(0, N_ROWS, CHUNK):
        db.insert("items", [
            {{"item_id": "I%07d" % i, "label": rng.choice(words) + "-" + str(rng.randrange(1000)),
              "qty": rng.randint(0, 500), "price": round(rng.uniform(1, 999), 2),
              "added_on": start + timedelta(days=rng.randrange(700))}}
            for i in range(low, min(low + CHUNK, N_ROWS))
        ])


@tool
def noop(db: Db) -> dict:
    """Do nothing (measures the fixed cost of a call)."""
    return {{}}


@tool
def get_item(db: Db, item_id: str) -> dict:
    """Get one item.

    Args:
        item_id: The item's id, like "I0000001".
    """
    row = db.one("SELECT * FROM items WHERE item_id = ?", [item_id])
    if row is None:
        raise ToolError(f"item {{item_id}} not found")
    return row


@tool(writes=True)
def bump(db: Db, item_id: str) -> dict:
    """Add one to an item's quantity.

    Args:
        item_id: The item's id.
    """
    db.execute("UPDATE items SET qty = qty + 1 WHERE item_id = ?", [item_id])
    return {{"item_id": item_id}}
'''


def write_synthetic(directory: Path, n_rows: int) -> Path:
    path = directory / f"bench_items_{n_rows}.py"
    path.write_text(SYNTHETIC_ENV.format(n_rows=n_rows), encoding="utf-8")
    return path


# ---------------------------------------------------------------- sections

def bench_load(report: Report, reps: int, spawn_path: Path) -> None:
    report.section("env load (built-in envs; seed 0)")
    for what, code in (("fresh interpreter (python -c pass)", "pass"),
                       ("fresh interpreter + import sandbox.worker", "import sandbox.worker"),
                       ("fresh interpreter + import faker + Faker('en_US')",
                        "import faker; faker.Faker('en_US', use_weighting=False)")):
        command = [sys.executable, "-c", code]
        samples = measure(lambda c=command: subprocess.run(c, check=True), reps)
        report.row(what, samples, "ms", "subprocess.run; the worker pays the Faker import when seeding"
                   if "faker" in code else "")
    samples = measure(lambda: sandbox.inspect_env(spawn_path).close(), reps)
    report.row("worker spawn + trivial module (inspect_env)", samples, "ms",
               "baseline: fresh interpreter, imports, tiny module")
    for name in builtin_names():
        source = resolve(name)
        compile_ns = measure(lambda s=source: compile_env(s.source, s.path), reps * 4)
        # Interleaved, so a burst of load on the machine hits both and the difference stays meaningful.
        inspect_ns, load_ns = measure_pair(lambda n=name: sandbox.inspect_env(n).close(),
                                           lambda n=name: sandbox.load_env(n, seed=0).close(), reps)
        with sandbox.load_env(name, seed=0, memo_size=0) as env:
            rows = sum(env.row_counts().values())
            db = DirectDb(connect(), env.now, source)
        namespace = direct_namespace(name)

        def direct_seed(ns: dict[str, Any] = namespace, ddl: str = env.tables_ddl, db: DirectDb = db,
                        seed: int = 0, expect_rows: int | None = None) -> None:
            from faker import Faker

            connection = connect()
            try:
                connection.execute(ddl)
                db.connection = connection
                db.rng.seed(f"{seed}:seed")
                faker = Faker("en_US", use_weighting=False)
                faker.seed_instance(seed)
                connection.execute("BEGIN TRANSACTION")
                ns["seed"](db, faker)
                connection.execute("COMMIT")
                if expect_rows is not None:  # a check, outside the timed runs
                    counts = [connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                              for (t,) in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
                    assert sum(counts) == expect_rows, (counts, expect_rows)
            finally:
                connection.close()

        direct_seed(expect_rows=rows)
        direct_ns = measure(direct_seed, reps)
        seeding = med(load_ns) - med(inspect_ns)
        report.row(f"{name}: RestrictedPython compile (in-process)", compile_ns, "ms")
        report.row(f"{name}: spawn + module load (inspect_env)", inspect_ns, "ms")
        report.row(f"{name}: full load_env (spawn + load + seed + snapshot)", load_ns, "ms", f"{rows} rows")
        report.row(f"{name}: seeding = load_env - inspect_env", None, "ms", "derived from the medians",
                   value=seeding / 1e6)
        report.row(f"{name}: direct seed (plain exec, fresh DuckDB)", direct_ns, "ms",
                   f"Faker already imported; sandboxed/direct seeding {seeding / med(direct_ns):.2f}x")


def bench_calls(report: Report, reps: int) -> None:
    with sandbox.load_env("retail", seed=0, memo_size=0) as env:
        store = env._state()
        order_id = env.query("SELECT order_id FROM orders WHERE status = 'pending' ORDER BY order_id LIMIT 1")[0][
            "order_id"]
        product_id = env.query("SELECT product_id FROM products ORDER BY product_id LIMIT 1")[0]["product_id"]
        original = env.query("SELECT ship_street, ship_city, ship_state, ship_zip FROM orders WHERE order_id = ?",
                             [order_id])[0]
        base = env.snapshot()
        namespace = direct_namespace("retail")
        db = DirectDb(store.connection, env.now)
        write_args = {"order_id": order_id, **NEW_ADDRESS}
        cases = [
            ("get_product", {"product_id": product_id}, False),
            ("get_order", {"order_id": order_id}, False),
            ("update_shipping_address", write_args, True),
        ]

        def restore() -> None:
            env.restore(base)

        def undo_direct() -> None:
            # The direct path bypasses the store's version tracking, so put the row back by hand.
            db.connection.execute(
                "UPDATE orders SET ship_street = ?, ship_city = ?, ship_state = ?, ship_zip = ? WHERE order_id = ?",
                [original["ship_street"], original["ship_city"], original["ship_state"], original["ship_zip"],
                 order_id])

        report.section(f"tool calls on retail (seed 0; order {order_id}, product {product_id})")
        results: dict[str, tuple[list[int], list[int], list[int], int]] = {}
        for tool, args, writes in cases:
            sandboxed_result = env.call(tool, args)
            assert sandboxed_result.ok, sandboxed_result.error
            env.restore(base)
            fn = namespace[tool]
            direct_result = direct_call(env, db, fn, args, writes)
            if writes:
                undo_direct()
            assert direct_result == sandboxed_result.result, (tool, direct_result, sandboxed_result.result)
            db.statements = 0
            direct_call(env, db, fn, args, writes)
            statements = db.statements
            if writes:
                undo_direct()

            n = reps * 10 if not writes else reps * 6
            call_sandboxed = lambda t=tool, a=args: env.call(t, a)  # noqa: E731
            call_direct = lambda f=fn, a=args, w=writes: direct_call(env, db, f, a, w)  # noqa: E731
            sandboxed, direct = measure_pair(call_sandboxed, call_direct, n, warmup=20,
                                             setup_first=restore if writes else None,
                                             setup_second=undo_direct if writes else None)
            direct_b2b = measure(call_direct, n, warmup=20, setup=undo_direct if writes else None)
            if writes:
                undo_direct()
            env.restore(base)
            results[tool] = (sandboxed, direct, direct_b2b, statements)

        read_tool, write_tool = "get_order", "update_shipping_address"
        report.row(f"read call latency ({read_tool})", results[read_tool][0], "µs", "sandboxed, end to end")
        report.row(f"write call latency ({write_tool})", results[write_tool][0], "µs",
                   "sandboxed; snapshot restored between reps, untimed")

        report.section(f"sandboxed vs direct (same function, same DuckDB; target <= {RATIO_TARGET}x)")
        for tool, _args, writes in cases:
            sandboxed, direct, direct_b2b, statements = results[tool]
            ratio = med(sandboxed) / med(direct)
            kind = "write" if writes else "read"
            verdict = "OK" if ratio <= RATIO_TARGET else "OVER TARGET"
            plural = "s" if statements != 1 else ""
            report.row(f"{tool} ({kind}) sandboxed", sandboxed, "µs", f"{statements} SQL statement{plural} per call")
            report.row(f"{tool} ({kind}) direct", direct, "µs",
                       "plain exec, in-process" + ("; BEGIN/COMMIT included" if writes else "")
                       + "; interleaved with the sandboxed calls")
            report.row(f"{tool} ({kind}) ratio sandboxed/direct", None, "x", verdict, value=ratio)
            report.row(f"{tool} ({kind}) overhead per SQL statement", None, "µs",
                       "(sandboxed - direct) / statements", value=(med(sandboxed) - med(direct)) / 1e3 / statements)
            report.row(f"{tool} ({kind}) direct, back to back", direct_b2b, "µs",
                       f"hot caches; ratio vs this {med(sandboxed) / med(direct_b2b):.2f}x")

        report.section("reset (env.reset() on retail)")
        write_once = lambda: env.call(write_tool, write_args)  # noqa: E731
        after_write = measure(env.reset, reps * 6, warmup=3, setup=write_once)
        env.reset()
        unchanged = measure(env.reset, reps * 20, warmup=3)
        report.row("reset after one write call", after_write, "µs", "rewrites the changed row of orders")
        report.row("reset after no change", unchanged, "µs")


def bench_state(report: Report, reps: int, directory: Path, sizes: list[int]) -> None:
    report.section("state hash, diff, snapshot (synthetic env: one table, VARCHAR/INTEGER/DOUBLE/DATE)")
    for n_rows in sizes:
        path = write_synthetic(directory, n_rows)
        label = f"{n_rows // 1000}k rows" if n_rows and n_rows % 1000 == 0 else f"{n_rows} rows"
        start = time.perf_counter_ns()
        env = sandbox.load_env(path, seed=0, memo_size=0)
        load_ns = time.perf_counter_ns() - start
        try:
            store = env._state()
            assert store.row_counts() == {"items": n_rows}
            report.row(f"{label}: load_env (seed via db.insert, 5k-row chunks)", [load_ns], "ms")
            small = n_rows <= 10_000
            hash_reps = reps * (6 if small else 2)

            def cold_hash(s: Any = store) -> None:
                s._digests.clear()
                s._row_hashes.clear()
                s.state_hash()

            report.row(f"{label}: state hash, caches cleared", measure(cold_hash, hash_reps), "ms",
                       "every row hashed")

            report.row(f"{label}: state hash, cached", measure(store.state_hash, reps * 20), "µs")

            if small:
                report.row(f"{label}: noop tool call (no SQL)", measure(lambda e=env: e.call("noop"), reps * 20,
                                                                       warmup=10), "µs",
                           "fixed per-call cost: validation + pipe + worker")
                report.row(f"{label}: get_item call (1 SQL statement)",
                           measure(lambda e=env: e.call("get_item", {"item_id": "I0000007"}), reps * 20, warmup=10),
                           "µs")

            target = {"item_id": f"I{n_rows // 2:07d}"}
            initial = env.initial
            change = lambda e=env, t=target: e.call("bump", t)  # noqa: E731
            few = reps if small else max(2, reps // 2 + 1)

            # Each setup bumps the same row once more: the state differs from the initial one
            # in one row, and its version (so its digest) is new each time.
            report.row(f"{label}: state hash after one change", measure(store.state_hash, few * 3, setup=change),
                       "ms", "rehashes the changed row")
            report.row(f"{label}: diff after one change (new state's digest uncached)",
                       measure(env.diff, few * 3, setup=change), "ms", "vs the initial snapshot")
            report.row(f"{label}: diff after one change (digests cached)", measure(env.diff, few * 3), "ms")
            report.row(f"{label}: snapshot after one write", measure(env.snapshot, few * 3, setup=change), "ms",
                       "copies the whole changed table")
            report.row(f"{label}: write call (bump, 1 UPDATE)", measure(change, few * 6, warmup=3), "µs")
            report.row(f"{label}: reset after one write", measure(env.reset, reps, setup=change), "ms",
                       "DELETE + INSERT of the changed row in one transaction")
            report.row(f"{label}: write call (bump) right after a reset", measure(change, few, setup=env.reset),
                       "µs", "the first write to a table the reset rewrote")
            env.restore(initial)
        finally:
            env.close()


# ---------------------------------------------------------------- before/after (another checkout)

# Runs in a fresh interpreter on either checkout's code (only the public API both have):
# loads retail, says "ready", then times one call per line it reads (the index of a case)
# and answers {"wall": ns, "cpu": ns} (cpu: the worker's, from /proc/PID/schedstat, plus
# this process's, DuckDB's threads included). A write is undone before it, untimed.
LATENCY_PROBE = r"""
import json, sys, time
import sandbox
from sandbox.limits import Limits
# A generous deadline: on a loaded machine a 2 s limit can fire and end the run.
with sandbox.load_env("retail", seed=0, memo_size=0, limits=Limits(timeout_s=60)) as env:
    order = env.query("SELECT order_id FROM orders WHERE status = 'pending' ORDER BY order_id LIMIT 1")[0]["order_id"]
    product = env.query("SELECT product_id FROM products ORDER BY product_id LIMIT 1")[0]["product_id"]
    base = env.snapshot()
    address = {"street": "12 Oak Street Apt 4", "city": "Springfield", "state": "IL", "zip_code": "62704"}
    cases = [("get_order", {"order_id": order}, False), ("get_product", {"product_id": product}, False),
             ("update_shipping_address", {"order_id": order, **address}, True)]
    schedstat = f"/proc/{env._worker._process.pid}/schedstat"

    def worker_cpu_ns():
        with open(schedstat) as stat:
            return int(stat.read().split()[0])

    print(json.dumps({"ready": [c[0] for c in cases], "code": sandbox.__file__}), flush=True)
    for line in sys.stdin:
        tool, args, write = cases[int(line)]
        if write:
            env.restore(base)
        worker_before, engine_before = worker_cpu_ns(), time.process_time_ns()
        start = time.perf_counter_ns()
        result = env.call(tool, args)
        wall = time.perf_counter_ns() - start
        cpu = worker_cpu_ns() - worker_before + time.process_time_ns() - engine_before
        assert result.ok, result.error
        print(json.dumps({"wall": wall, "cpu": cpu}), flush=True)
"""


class _Probe:
    """A LATENCY_PROBE process on one checkout."""

    def __init__(self, tree: Path) -> None:
        self.tree = tree
        self.process = subprocess.Popen([sys.executable, "-c", LATENCY_PROBE], cwd=tree, text=True,
                                        env={**os.environ, "PYTHONPATH": str(tree)}, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        hello = self._answer()
        if not Path(hello["code"]).resolve().is_relative_to(tree.resolve()):
            raise SystemExit(f"the probe for {tree} ran {hello['code']}: not that checkout's code")
        self.tools: list[str] = hello["ready"]

    def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.process.kill()
            error = self.process.stderr.read() if self.process.stderr is not None else ""
            raise SystemExit(f"the latency probe failed on {self.tree}:\n{error[-2000:]}")
        return json.loads(line)

    def call(self, case: int) -> tuple[int, int]:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{case}\n")
        self.process.stdin.flush()
        answer = self._answer()
        return answer["wall"], answer["cpu"]

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def bench_before_after(report: Report, reps: int, before: Path) -> None:
    """Call latency of this checkout vs `before` (e.g. a worktree of 691ea12): both loaded
    side by side, their calls alternated one by one (which goes first swaps every round),
    so a burst of load on the machine hits both alike."""
    after = Path(__file__).resolve().parent.parent
    rounds = 100 * reps
    report.section(f"before/after: call latency, this code vs {before} (retail, memo off; {rounds} calls of each "
                   f"tool on each side, alternated; target <= {BEFORE_AFTER_TARGET:.2f}x)")
    probes = {"before": _Probe(before), "after": _Probe(after)}
    tools = probes["after"].tools
    wall: dict[str, dict[str, list[int]]] = {side: {t: [] for t in tools} for side in probes}
    cpu: dict[str, dict[str, list[int]]] = {side: {t: [] for t in tools} for side in probes}
    try:
        for round_index in range(20 + rounds):  # the first 20 warm both up
            order = ("before", "after") if round_index % 2 == 0 else ("after", "before")
            for case, tool in enumerate(tools):
                for side in order:
                    elapsed, used = probes[side].call(case)
                    if round_index >= 20:
                        wall[side][tool].append(elapsed)
                        cpu[side][tool].append(used)
            if round_index % 50 == 49:
                print(f"  ... {round_index + 1 - 20} of {rounds} rounds", file=sys.stderr, flush=True)
    finally:
        for probe in probes.values():
            probe.close()
    for tool in tools:
        for label, samples in (("wall", wall), ("cpu", cpu)):
            ratio = med(samples["after"][tool]) / med(samples["before"][tool])
            note = "OK" if ratio <= BEFORE_AFTER_TARGET else "OVER TARGET"
            if label == "cpu":
                note += "; engine + worker CPU per call (less hit by load than wall time)"
            report.row(f"{tool}: {label} before", samples["before"][tool], "µs")
            report.row(f"{tool}: {label} after", samples["after"][tool], "µs")
            report.row(f"{tool}: {label} after/before", None, "x", note, value=ratio)


# ---------------------------------------------------------------- main

def _load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark the toolace-mt engine: env load, call latency (sandboxed vs direct), reset, "
                    "state hash and diff. Prints medians (with min and p90) measured in this run.")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (rough figures in about 20 s)")
    parser.add_argument("--no-load", action="store_true", help="skip the env-load section")
    parser.add_argument("--before", type=Path, metavar="CHECKOUT",
                        help="also time calls on another checkout of toolace-mt (e.g. a worktree of main) and print "
                             "before/after ratios")
    parser.add_argument("--only-before-after", action="store_true", help="with --before: run that section only")
    parser.add_argument("--sizes", default="1000,100000",
                        help="row counts of the synthetic hash/diff env, comma-separated (default: 1000,100000)")
    args = parser.parse_args(argv)
    reps = 2 if args.quick else 5
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    print(f"toolace-mt engine benchmark: python {sys.version.split()[0]}, duckdb {duckdb.__version__}, "
          f"{os.cpu_count()} CPUs, {'quick' if args.quick else 'full'} run; load average at start "
          f"{_load_average()}", flush=True)
    began = time.perf_counter()
    report = Report()
    gc.collect()
    if args.before is not None and not (args.before / "sandbox" / "worker.py").is_file():
        parser.error(f"--before {args.before}: not a toolace-mt checkout (no sandbox/worker.py)")
    with tempfile.TemporaryDirectory(prefix="toolace-bench-") as tmp:
        directory = Path(tmp)
        if args.before is not None:
            bench_before_after(report, reps, args.before)
        if not args.only_before_after:
            if not args.no_load:
                bench_load(report, reps, write_synthetic(directory, 0))
            bench_calls(report, reps)
            bench_state(report, reps, directory, sizes)
    report.print()
    print()
    print(f"total wall time {time.perf_counter() - began:.1f} s; load average at end {_load_average()} "
          "(other processes on the machine skew the figures)")
    print("median, min and p90 over n timed reps after warm-up; 1 ms = 1000 µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
