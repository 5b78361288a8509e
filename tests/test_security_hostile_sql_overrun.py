"""SQL that one scalar call makes huge: DuckDB checks the watchdog's interrupt only between
vectors, so `len(range(10**8))` ran 170 s past a 1 s interrupt on a loaded machine. The
policy refuses every such amplifier before DuckDB sees it; range/generate_series stay
usable as tables, which stream and are interrupted."""

from __future__ import annotations

import pytest
from envkit import load_source, module_source, tool_source

from sandbox import Limits
from sandbox.sql_policy import PolicyViolation, SqlPolicy

AMPLIFIERS = [
    "SELECT len(range(100000000)) AS n",
    "SELECT len(generate_series(1, 100000000)) AS n",
    "SELECT unnest(range(100000000)) AS n",
    "SELECT * FROM items, range(100000000)",  # after a comma: the policy cannot tell, so refused
    "SELECT len(repeat([1], 100000000)) AS n",
    "SELECT length(repeat('x', 1000000000)) AS n",
    "SELECT len(list_resize([1], 100000000)) AS n",
    "SELECT len(array_resize([1], 100000000)) AS n",
    "SELECT length(lpad('x', 1000000000, 'y')) AS n",
    "SELECT length(rpad('x', 1000000000, 'y')) AS n",
    "SELECT length(printf('%0999999999d', 1)) AS n",
    "SELECT length(format('{:>999999999}', 1)) AS n",
    "SELECT bar(5, 0, 10, 1000000000) AS b",
    "SELECT levenshtein(item_id, item_id) AS d FROM items",
    "SELECT damerau_levenshtein('a', 'b') AS d",
    "SELECT jaro_winkler_similarity('a', 'b') AS d",
    'SELECT len("RANGE"(100000000)) AS n',
]


@pytest.mark.parametrize("sql", AMPLIFIERS)
def test_a_scalar_amplifier_is_refused_before_it_runs(sql: str):
    with pytest.raises(PolicyViolation, match=r"not allowed in env SQL|only as a table"):
        SqlPolicy(frozenset({"items", "item_id", "qty"}), ("items",)).check(sql, writes_allowed=False)


@pytest.mark.parametrize("sql", [
    "SELECT count(*) AS n FROM range(5)",
    "SELECT i.item_id, r.range AS k FROM items i JOIN range(3) r ON true ORDER BY 1, 2",
    "SELECT i.item_id, g.generate_series AS k FROM items i CROSS JOIN LATERAL generate_series(1, i.qty) g "
    "ORDER BY 1, 2",
])
def test_range_as_a_table_is_still_allowed(sql: str):
    assert SqlPolicy(frozenset({"items", "item_id", "qty"}), ("items",)).check(sql, writes_allowed=False) is False


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    source = module_source(tool_source("run", 'return {"rows": db.query(marker)}'),
                           tool_source("count", 'return db.one("SELECT count(*) AS n FROM range(?)", [n])',
                                       params={"n": "int"}))
    e = load_source(tmp_path_factory.mktemp("overrun"), "overrun", source, limits=Limits(timeout_s=2.0), seed=1)
    yield e
    e.close()


@pytest.mark.parametrize("sql", AMPLIFIERS[:3] + AMPLIFIERS[5:7])
def test_an_amplifier_from_a_tool_is_a_violation_and_the_engine_goes_on(env, sql: str):
    state = env.state_hash()
    result = env.call("run", {"marker": sql})
    assert result.error is not None and result.error.type == "SandboxViolation", result
    assert "env SQL" in result.error.message
    assert env.state_hash() == state
    assert env.call("count", {"n": 7}).result == {"n": 7}


def test_a_huge_range_as_a_table_times_out_instead_of_overrunning(env):
    result = env.call("count", {"n": 10**13})  # streams vector by vector: the watchdog stops it
    assert result.error is not None and result.error.type == "ToolTimeout", result
    assert env.call("count", {"n": 3}).result == {"n": 3}
