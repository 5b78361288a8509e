"""Runaway tool code: every limit ends the call with a typed error and the state intact.

For each case: the error type, the test process still running, the state hash unchanged
(a write tool's own writes rolled back), and the next normal call working; when the
worker had to be killed, `worker_restarts` went up.

What the limits actually produce (Limits(timeout_s=0.5, memory_mb=128); 128 MiB rather than
the 512 default because filling 512 MiB takes this machine ~0.9 s, past the time limit):
- a busy loop, even one that swallows every exception, is killed by the engine's
  watchdog at the deadline: ToolTimeout, worker restarted;
- a memory bomb (run with a 20 s time limit, so the cap comes first even on a loaded
  machine) is a ResourceLimit and the worker survives: the worker runs under
  RLIMIT_AS (its size at load + memory_mb), so the allocation that crosses it raises
  MemoryError inside the tool, which the worker reports as ResourceLimit. Only a bomb
  too slow to reach the cap within the time limit ends as ToolTimeout;
- deep recursion is a ResourceLimit (RecursionError at depth `recursion`), the worker survives.
"""

from __future__ import annotations

import json
import time

import duckdb
import pytest
from envkit import load_source, module_source, seed_source, tool_source, try_load

from sandbox import EnvLoadError, Limits

TIMEOUT = 0.5
LIMITS = Limits(timeout_s=TIMEOUT, memory_mb=128)
# Memory bombs run with room in time, so that on a loaded machine the memory cap, not the
# watchdog, is what ends them (filling 128 MiB took over 0.5 s with 5 other jobs running).
ROOMY = Limits(timeout_s=20, memory_mb=128)
# A watchdog that fires is well short of this, whatever the machine's load: the bound
# tells a timed-out call from a hang, not how fast the watchdog is.
HANG_S = 10.0
TOUCH = 'db.execute("UPDATE items SET qty = qty + 100")\n'

SPIN_BARE = """
while True:
    try:
        while True:
            pass
    except:
        pass
"""
SPIN_BASE = SPIN_BARE.replace("except:", "except BaseException:")
GROW = 'grown = []\nwhile True:\n    grown.append("x" * 1000000)'
GROW_SLOWLY = "grown = []\nwhile True:\n    grown.append(len(grown))"
HUGE = 's = "x" * 10**10\nreturn {"n": len(s)}'
RECURSE = "def down(n):\n    return down(n + 1)\nreturn {\"r\": down(0)}"
BIG = 'return {"r": "x" * 100000}'
NOT_JSON = 'return {"r": {1, 2}}'
NAN = 'return {"r": float("nan")}'
NESTED = "x = []\nfor i in range(100000):\n    x = [x]\nreturn {\"r\": x}"

TOOLS = {
    "spin_bare": SPIN_BARE, "spin_base": SPIN_BASE, "grow": GROW, "grow_slowly": GROW_SLOWLY, "huge": HUGE,
    "recurse": RECURSE, "big": BIG, "not_json": NOT_JSON, "nan": NAN, "nested": NESTED,
}
WRITE_TOOLS = {f"w_{name}": TOUCH + body for name, body in TOOLS.items() if name in
               ("spin_bare", "grow", "huge", "recurse", "big", "not_json")}

HEAVY_SQL = 'return db.one("SELECT sum(hash(i)) AS s FROM range(?) t(i)", [n])'


PROBE = 'return {"rng": db.rng.random(), "items": db.query("SELECT * FROM items")}'


def limits_env(tmp_path_factory, name: str, tools: list[str], limits: Limits):
    """An env of the named TOOLS and their write variants (w_NAME), plus heavy_sql and probe."""
    parts = [tool_source(tool, TOOLS[tool], params={}) for tool in tools]
    parts += [tool_source(f"w_{tool}", WRITE_TOOLS[f"w_{tool}"], writes=True, params={})
              for tool in tools if f"w_{tool}" in WRITE_TOOLS]
    parts += [tool_source("heavy_sql", HEAVY_SQL, params={"n": "int"}), tool_source("probe", PROBE, params={})]
    return load_source(tmp_path_factory.mktemp(name), name, module_source(*parts), limits=limits, seed=3)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    e = limits_env(tmp_path_factory, "limits", list(TOOLS), LIMITS)
    yield e
    e.close()


@pytest.fixture(scope="module")
def baseline(env):
    return env.state_hash(), env.call("probe").result


@pytest.fixture(scope="module")
def roomy(tmp_path_factory):
    e = limits_env(tmp_path_factory, "roomy", ["grow", "huge"], ROOMY)
    yield e
    e.close()


@pytest.fixture(scope="module")
def roomy_baseline(roomy):
    return roomy.state_hash(), roomy.call("probe").result


def run(env, baseline, tool: str, args: dict | None = None, *, killed: bool):
    """Call `tool`; check the aftermath; return (result, wall seconds)."""
    state, probe = baseline
    restarts = env.worker_restarts
    start = time.monotonic()
    result = env.call(tool, args or {})
    elapsed = time.monotonic() - start
    assert not result.ok
    assert env.worker_restarts == restarts + (1 if killed else 0)
    assert env.state_hash() == state
    assert env.call("probe").result == probe  # a fresh or surviving worker, same as before
    assert env.call("ping").ok
    return result, elapsed


@pytest.mark.parametrize("tool", ["spin_bare", "spin_base", "w_spin_bare"])
def test_busy_loop_that_swallows_exceptions_times_out(env, baseline, tool):
    result, elapsed = run(env, baseline, tool, killed=True)
    assert result.error.type == "ToolTimeout", result.error
    assert f"{TIMEOUT:g} s limit" in result.error.message
    assert TIMEOUT <= elapsed < HANG_S


@pytest.mark.parametrize("tool", ["grow", "huge", "w_grow", "w_huge"])
def test_memory_bomb_is_a_resource_limit(roomy, roomy_baseline, tool):
    result, _ = run(roomy, roomy_baseline, tool, killed=False)  # MemoryError: the worker survives
    assert result.error.type == "ResourceLimit", result.error
    assert f"memory limit of {ROOMY.memory_mb} MiB exceeded" in result.error.message


def test_memory_bomb_too_slow_for_the_memory_cap_times_out(env, baseline):
    result, elapsed = run(env, baseline, "grow_slowly", killed=True)
    assert result.error.type == "ToolTimeout", result.error
    assert elapsed < HANG_S


@pytest.mark.parametrize("tool", ["recurse", "w_recurse"])
def test_deep_recursion_is_a_resource_limit(env, baseline, tool):
    result, _ = run(env, baseline, tool, killed=False)
    assert result.error.type == "ResourceLimit", result.error
    assert f"recursion depth limit of {LIMITS.recursion} exceeded" in result.error.message


@pytest.mark.parametrize("tool", ["big", "w_big"])
def test_oversized_result_is_a_resource_limit_naming_the_size(env, baseline, tool):
    result, _ = run(env, baseline, tool, killed=False)
    size = len(json.dumps({"r": "x" * 100000}, separators=(",", ":")).encode())
    assert result.error.type == "ResourceLimit", result.error
    assert f"returned {size} bytes of JSON; the limit is {LIMITS.max_result_bytes}" in result.error.message


@pytest.mark.parametrize("tool", ["not_json", "nan", "w_not_json"])
def test_non_json_result_is_a_tool_crash(env, baseline, tool):
    result, _ = run(env, baseline, tool, killed=False)
    assert result.error.type == "ToolCrash", result.error
    assert "not JSON" in result.error.message


def test_deeply_nested_result_is_a_resource_limit(env, baseline):
    """json.dumps of the result hits the recursion limit: reported, the worker keeps running."""
    result, _ = run(env, baseline, "nested", killed=False)
    assert result.error.type == "ResourceLimit", result.error


def test_a_write_tool_that_fails_after_writing_leaves_nothing(env, baseline):
    """The engine's transaction, not the worker, holds a failed call's writes."""
    for tool in WRITE_TOOLS:
        if tool != "w_spin_bare":  # timed out above; the others are fast
            assert not env.call(tool).ok
    assert env.state_hash() == baseline[0]
    assert env.query("SELECT sum(qty) AS s FROM items") == [{"s": 10}]


def _rows_per_second() -> float:
    con = duckdb.connect(":memory:", config={"threads": 1})
    start = time.perf_counter()
    con.execute("SELECT sum(hash(i)) FROM range(20000000) t(i)").fetchall()
    con.close()
    return 20_000_000 / (time.perf_counter() - start)


def test_heavy_sql_is_bounded_by_the_time_limit(env, baseline):
    rows = int(_rows_per_second() * 4 * TIMEOUT)  # about 2 s of DuckDB work
    result, elapsed = run(env, baseline, "heavy_sql", {"n": rows}, killed=True)
    assert result.error.type == "ToolTimeout", result.error
    assert elapsed < HANG_S, f"the call took {elapsed:.2f} s for a {TIMEOUT} s limit"


# --------------------------------------------------------------------------- seeding

INSERT = 'db.insert("items", [{"item_id": "I%02d" % i, "qty": i} for i in range(5)])\n'


def test_seed_that_loops_forever_fails_the_load_in_time(tmp_path):
    limits = Limits(timeout_s=TIMEOUT, seed_timeout_s=1.0)
    source = module_source(seed=seed_source(INSERT + "while True:\n    try:\n        pass\n    except:\n        pass"))
    start = time.monotonic()
    with pytest.raises(EnvLoadError) as caught:
        load_source(tmp_path, "seed_forever", source, limits=limits)
    elapsed = time.monotonic() - start
    message = caught.value.problems[0][2]
    assert message.startswith("seed(): ToolTimeout"), message
    assert "1 s limit" in message
    assert limits.seed_timeout_s <= elapsed < 2 * limits.seed_timeout_s + 1.0  # + spawning the worker


def _loop_iterations_per_second() -> float:
    def spin(n: int) -> None:
        for _ in range(n):
            pass

    start = time.process_time()
    spin(5_000_000)
    return 5_000_000 / (time.process_time() - start)


@pytest.mark.slow  # 3-17 s on 2 idle cores: keeps the default run under 5 minutes
def test_seed_may_use_its_own_time_limit(tmp_path):
    iterations = int(_loop_iterations_per_second() * 3.5)  # about 3.5 s of CPU
    source = module_source(seed=seed_source(INSERT + f"for i in range({iterations}):\n    pass"))
    result = try_load(tmp_path, "seed_cpu", source, limits=Limits(timeout_s=0.05, seed_timeout_s=30.0))
    assert not isinstance(result, EnvLoadError), result.problems
    result.close()
