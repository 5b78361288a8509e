"""Issue 15, after the merge of sec-code and sec-process: fresh probes of the merged sandbox.

Each probe is an attack the other security tests do not make. It must fail with its
typed error (or, for a feature the OS layer must not break, work as outside it), leave
the state hash as it was, and leave the engine answering the next call as before.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from envkit import load_source, module_source, tool_source

from sandbox import Limits
from sandbox.sql_policy import PolicyViolation, SqlPolicy
from sandbox.state import MAX_READ_BYTES

# Functions that call an aggregate named by a string: the name may be any constant
# expression, so no check of the text can see which aggregate runs.
AGGREGATE_BY_NAME = {
    "list_aggregate_reservoir": "SELECT list_aggregate([1, 2, 3], 'reservoir_quantile', 0.5) AS v",
    "list_aggr_folded_name": "SELECT list_aggr([1, 2, 3], 'reservoir_' || 'quantile', 0.5) AS v",
    "aggregate_dollar_quoted": "SELECT aggregate([1, 2, 3], $$reservoir_quantile$$, 0.5) AS v",
    "array_aggr_upper": "SELECT array_aggr([1, 2, 3], upper('reservoir_quantile'), 0.5) AS v",
    "array_aggregate_concat": "SELECT array_aggregate([1, 2, 3], concat('reservoir_', 'quantile'), 0.5) AS v",
}

PROBES = {
    **{name: f'return {{"r": db.query({sql!r})}}' for name, sql in AGGREGATE_BY_NAME.items()},
    # a read whose rows are far larger than anything a tool may return
    "huge_read": 'return {"n": len(db.query("SELECT s.v FROM (SELECT string_agg(\'x\', \'\') AS v "'
                 '"FROM range(100000)) s CROSS JOIN range(1000)"))}',
    # stdlib features whose modules load lazily: the OS layer must not break them
    "uuid_named": 'import uuid\nreturn {"r": [str(uuid.uuid3(uuid.NAMESPACE_URL, "a")), '
                  'str(uuid.uuid5(uuid.NAMESPACE_DNS, "b"))]}',
    "strptime": 'import datetime\nreturn {"r": str(datetime.datetime.strptime("2024-02-03 04:05", '
                '"%Y-%m-%d %H:%M"))}',
    # process-wide state reached through a stdlib class attribute, then read by the next call
    "textwrap_table": 'import textwrap\ntextwrap.TextWrapper.unicode_whitespace_trans.update({65: "Q"})\nreturn {}',
    "textwrap_after": 'import textwrap\nreturn {"r": textwrap.TextWrapper(width=20).fill("AAA BBB")}',
    # a ToolError far larger than any message a dialogue could hold
    "huge_tool_error": 'raise ToolError("e" * 20_000_000)',
    # an exception carrying a hundred thousand arguments, caught and copied
    "many_exception_args": 'try:\n    raise ValueError(*(["a" * 100] * 100_000))\nexcept ValueError as e:\n'
                           '    return {"n": len(e.args), "first": e.args[0][:3]}',
}

PROBE = 'return {"items": db.query("SELECT * FROM items ORDER BY item_id")}'


@pytest.fixture(scope="module")
def attack_env(tmp_path_factory):
    parts = [tool_source(name, body, params={}) for name, body in PROBES.items()]
    parts.append(tool_source("probe", PROBE, params={}))
    # a generous deadline: these probes test sizes and policies, not the watchdog
    env = load_source(tmp_path_factory.mktemp("attacks"), "attacks", module_source(*parts),
                      limits=Limits(timeout_s=30.0))
    yield env
    env.close()


@pytest.fixture(scope="module")
def baseline(attack_env):
    return attack_env.state_hash(), attack_env.call("probe").result


def _still_answers(env, baseline) -> None:
    assert env.state_hash() == baseline[0]
    assert env.call("probe").result == baseline[1]


@pytest.mark.parametrize("name", list(AGGREGATE_BY_NAME))
def test_aggregate_named_by_text_is_refused(attack_env, baseline, name: str):
    result = attack_env.call(name)
    assert result.error is not None, result.result
    assert result.error.type == "SandboxViolation", result.error
    assert "is not allowed in env SQL" in result.error.message
    _still_answers(attack_env, baseline)


@pytest.mark.parametrize("sql", list(AGGREGATE_BY_NAME.values()))
def test_policy_refuses_aggregate_by_name_callers(sql: str):
    with pytest.raises(PolicyViolation, match="is not allowed in env SQL"):
        SqlPolicy().check(sql, writes_allowed=False)


def test_list_aggregates_by_their_own_names_still_pass():
    assert SqlPolicy().check("SELECT list_sum([1, 2]) AS s, list_avg([1, 2]) AS a", writes_allowed=False) is False


def test_a_huge_read_is_a_typed_error_not_engine_memory(attack_env, baseline):
    result = attack_env.call("huge_read")
    assert result.error is not None
    assert result.error.type == "ToolCrash", result.error
    assert f"larger than {MAX_READ_BYTES >> 20} MiB" in result.error.message
    _still_answers(attack_env, baseline)


def test_lazily_imported_stdlib_works_in_the_confined_worker(attack_env, baseline):
    named = attack_env.call("uuid_named")
    assert named.error is None, named.error
    assert named.result == {"r": [str(uuid.uuid3(uuid.NAMESPACE_URL, "a")), str(uuid.uuid5(uuid.NAMESPACE_DNS, "b"))]}
    parsed = attack_env.call("strptime")
    assert parsed.error is None, parsed.error
    assert parsed.result == {"r": str(dt.datetime(2024, 2, 3, 4, 5))}
    _still_answers(attack_env, baseline)


def test_a_stdlib_class_table_changed_by_one_call_is_not_seen_by_the_next(attack_env, baseline):
    attack_env.call("textwrap_table")
    after = attack_env.call("textwrap_after")
    assert after.error is None, after.error
    assert after.result == {"r": "AAA BBB"}
    _still_answers(attack_env, baseline)


def test_a_huge_tool_error_is_clipped(attack_env, baseline):
    result = attack_env.call("huge_tool_error")
    assert result.error is not None and result.error.type == "ToolError"
    assert 0 < len(result.error.message) <= 4000
    assert result.error.message.startswith("e" * 100)
    _still_answers(attack_env, baseline)


def test_an_exception_with_many_arguments_is_copied_as_text(attack_env, baseline):
    result = attack_env.call("many_exception_args")
    assert result.error is None, result.error
    assert result.result == {"n": 100_000, "first": "aaa"}
    _still_answers(attack_env, baseline)


# --------------------------------------------------------------------------- the OS layer

def _has_libseccomp() -> bool:
    import sys

    from sandbox import os_confinement

    return sys.platform.startswith("linux") and os_confinement._load_libseccomp() is not None


@pytest.mark.skipif(not _has_libseccomp(), reason="the OS layer needs Linux and libseccomp")
def test_a_confined_worker_cannot_renice_or_reschedule_other_processes():
    """Refused by the filter itself, not by uid: the same calls on its own explicit pid
    fail while pid 0 (itself) works, so a worker with the engine's uid is held too."""
    from test_os_confinement import confined

    probes = {
        "renice_user": "import os\nos.setpriority(os.PRIO_USER, 0, 19)",
        "renice_group": "import os\nos.setpriority(os.PRIO_PGRP, 0, 19)",
        "renice_by_pid": "import os\nos.setpriority(os.PRIO_PROCESS, os.getpid(), 19)",
        "affinity_by_pid": "import os\nos.sched_setaffinity(os.getpid(), os.sched_getaffinity(0))",
        "scheduler_by_pid": "import os\nos.sched_setscheduler(os.getpid(), os.SCHED_IDLE, os.sched_param(0))",
        "param_by_pid": "import os\nos.sched_setparam(os.getpid(), os.sched_param(0))",
        "renice_self": "import os\nos.setpriority(os.PRIO_PROCESS, 0, min(19, os.getpriority(os.PRIO_PROCESS, 0) + 1))",
        "affinity_self": "import os\nos.sched_setaffinity(0, os.sched_getaffinity(0))\nresult = 'ok'",
    }
    results = confined(probes)["results"]
    for name in probes:
        outcome = results[name]
        if name.endswith("_self"):
            assert outcome["ok"], (name, outcome)
        else:
            assert not outcome["ok"] and "Operation not permitted" in outcome["error"], (name, outcome)


# --------------------------------------------------------------------------- TABLES names

# An env's own names are exempt from the SQL policy's name checks, so an env name that
# DuckDB also resolves to the clock or the catalog opened them: SELECT current_date (no
# FROM) read the clock, FROM pg_tables (with a column so named) read the catalog.
CLOCK_OR_CATALOG_NAMES = {
    "column_current_date": "CREATE TABLE items (item_id VARCHAR PRIMARY KEY, current_date INTEGER);",
    "quoted_column_localtime": 'CREATE TABLE items (item_id VARCHAR PRIMARY KEY, "localtime" INTEGER);',
    "column_pg_tables": "CREATE TABLE items (item_id VARCHAR PRIMARY KEY, pg_tables INTEGER);",
    "table_duckdb_tables": "CREATE TABLE duckdb_tables (item_id VARCHAR PRIMARY KEY);",
    "key_sqlite_master": "CREATE TABLE items (sqlite_master VARCHAR, PRIMARY KEY (sqlite_master));",
}
TABLES_SEED = '\n\ndef seed(db: Db, fake: Fake) -> None:\n    pass\n'


def _with_tables(ddl: str, tool: str = "") -> str:
    from envkit import HEADER, PING

    return (HEADER.replace("CREATE TABLE items (item_id VARCHAR PRIMARY KEY, qty INTEGER NOT NULL);", ddl)
            + TABLES_SEED + PING.replace("item_id, qty", "item_id") + tool)


@pytest.mark.parametrize("name", list(CLOCK_OR_CATALOG_NAMES))
def test_tables_may_not_name_the_clock_or_the_catalog(tmp_path, name: str):
    from envkit import try_load

    from sandbox import EnvLoadError

    reading = tool_source("when", 'return {"r": db.query("SELECT current_date AS d")}', params={})
    result = try_load(tmp_path, name, _with_tables(CLOCK_OR_CATALOG_NAMES[name], reading))
    assert isinstance(result, EnvLoadError), f"{name} loaded"
    assert "may not be named" in str(result), str(result)


def test_tables_with_harmless_look_alike_names_still_load(tmp_path):
    from envkit import try_load

    env = try_load(tmp_path, "alike", _with_tables(
        "CREATE TABLE items (item_id VARCHAR PRIMARY KEY, tables INTEGER, columns INTEGER, user_name VARCHAR);"))
    assert not isinstance(env, Exception), env
    try:
        assert env.call("ping").error is None
    finally:
        env.close()


# --------------------------------------------------------------------------- huge arguments

@pytest.mark.parametrize(("label", "tool", "args", "fragment"), [
    ("a million-item list", "sized", {"xs": list(range(1_000_000))}, "more than 100000 values"),
    ("50 MB of text", "sized", {"xs": ["x" * 50_000_000]}, "characters of text"),
    ("text spread over many strings", "sized", {"xs": ["y" * 1000] * 2000}, "characters of text"),
    ("a huge key", "keyed", {"o": {"k" * 2_000_000: 1}}, "characters of text"),
])
def test_huge_arguments_are_invalid_before_they_reach_the_worker(tmp_path, label, tool, args, fragment):
    from sandbox.environment import MAX_ARGUMENT_CHARS, MAX_ARGUMENT_VALUES

    assert (MAX_ARGUMENT_VALUES, MAX_ARGUMENT_CHARS) == (100_000, 1 << 20)
    parts = [tool_source("sized", 'return {"n": len(xs)}', params={"xs": "list"}),
             tool_source("keyed", 'return {"n": len(o)}', params={"o": "dict"})]
    env = load_source(tmp_path, "sizes", module_source(*parts))
    try:
        state = env.state_hash()
        restarts = env.worker_restarts
        result = env.call(tool, args)
        assert result.error is not None and result.error.type == "InvalidArguments", (label, result.error)
        assert fragment in result.error.message, result.error.message
        assert env.worker_restarts == restarts and env.state_hash() == state
        assert env.call("sized", {"xs": list(range(1000))}).result == {"n": 1000}
    finally:
        env.close()
