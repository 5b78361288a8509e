"""Red-team probes (issue 15): new variants of every attack class, as an outsider would try them.

Each probe asserts the typed error and no side effect: no marker file, the state hash
unchanged, the engine answering the next call as before. Some close doors that were open
(the clock through time.gmtime(None), set order by object address, the rowid
pseudo-column, Faker's module-level random, SIGIO aimed at the engine, integer arguments
too long for JSON); the others assert that new variants of known attacks stay shut.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from envkit import load_source, module_source, tool_source

from sandbox import Limits
from sandbox.ddl_policy import DdlViolation, checked_tables
from sandbox.fake_view import FakeView
from sandbox.sql_policy import PolicyViolation, SqlPolicy

TOUCH = 'db.execute("UPDATE items SET qty = qty + 100")\n'

# name -> (body, write tool?, error type, fragment of the message)
CALL_ATTACKS: dict[str, tuple[str, bool, str, str]] = {
    # the real clock through a view function's default argument
    "gmtime_of_none": ('import time\nreturn {"t": list(time.gmtime(None))}', False, "SandboxViolation",
                       "needs a number of seconds"),
    "strftime_of_gmtime_none": ('import time\nreturn {"t": time.strftime("%c", time.gmtime(None))}', False,
                                "SandboxViolation", "needs a number of seconds"),
    "gmtime_without_argument": ('import time\nreturn {"t": list(time.gmtime())}', False, "ToolCrash",
                                "missing 1 required positional argument"),
    "strftime_without_time": ('import time\nreturn {"t": time.strftime("%c")}', False, "ToolCrash",
                              "missing 1 required positional argument"),
    # order by object address: a set of env objects
    "set_of_env_objects": ('class Box:\n    pass\nboxes = [Box() for i in range(20)]\n'
                           'return {"order": [boxes.index(b) for b in set(boxes)]}', False, "ToolCrash",
                           "unhashable type: 'Box'"),
    "set_literal_of_env_objects": ('class Box:\n    pass\na = Box()\nb = Box()\nreturn {"n": len({a, b})}', False,
                                   "ToolCrash", "unhashable type: 'Box'"),
    "frozenset_of_env_errors": ('class Oops(Exception):\n    pass\n'
                                'return {"n": len(frozenset([Oops("a"), Oops("b")]))}', False, "ToolCrash",
                                "unhashable type: 'Oops'"),
    "env_object_as_dict_key": ('class Box:\n    pass\nreturn {"n": len({Box(): 1, Box(): 2})}', False, "ToolCrash",
                               "unhashable type: 'Box'"),
    # the rowid pseudo-column: where a row is stored, not what it holds
    "rowid_read": ('return {"r": db.query("SELECT rowid AS r FROM items WHERE item_id = ?", [marker])}', False,
                   "SandboxViolation", "rowid is not allowed"),
    "rowid_quoted_qualified": ('return {"r": db.query(\'SELECT max(items."ROWID") AS r FROM items\')}', False,
                               "SandboxViolation", "rowid is not allowed"),
    "rowid_in_order_by": ('return {"r": db.query("SELECT item_id FROM items ORDER BY rowid DESC LIMIT 1")}', False,
                        "SandboxViolation", "rowid is not allowed"),
    "rowid_in_write": (TOUCH + 'return {"n": db.execute("DELETE FROM items WHERE rowid = 0")}', True,
                       "SandboxViolation", "rowid is not allowed"),
    # SQL hidden or spelled differently (blocked before this round too: new variants)
    "nested_dollar_quotes_then_now": ('return {"r": db.query("SELECT $a$ $b$ x $b$ $a$ AS s, now() AS t")}', False,
                                      "SandboxViolation", "now is not allowed"),
    "nbsp_before_paren": ('return {"r": db.query("SELECT random\\u00a0() AS r")}', False, "SandboxViolation",
                          "random is not allowed"),
    "lambda_calls_clock": ('return {"r": db.query("SELECT list_transform([1, 2], lambda x: now()) AS r")}', False,
                           "SandboxViolation", "now is not allowed"),
    "values_clause_clock": ('return {"r": db.query("VALUES (current_timestamp)")}', False, "SandboxViolation",
                            "current_timestamp is not allowed"),
    "update_from_snapshot": (TOUCH + 'return {"n": db.execute(\'UPDATE items SET qty = s.qty FROM '
                                     '"__toolace"."v2_items" AS s\')}', True, "SandboxViolation",
                             "schema __toolace"),
    "pivot_is_not_a_select": ('return {"r": db.query("PIVOT items ON item_id USING sum(qty)")}', False,
                              "SandboxViolation", "not allowed"),
    "current_query_text": ('return {"r": db.query("SELECT current_query() AS q")}', False, "SandboxViolation",
                           "current_query is not allowed"),
    "checkpoint_statement": (TOUCH + 'return {"n": db.execute("CHECKPOINT")}', True, "SandboxViolation",
                             "statements are not allowed"),
    "use_hidden_schema": (TOUCH + 'return {"n": db.execute("USE memory.__toolace")}', True, "SandboxViolation",
                          "statements are not allowed"),
    # Python: classes, metaclass-free tricks, formatting and callbacks
    "format_through_userstring_subclass": ('import collections\nclass S(collections.UserString):\n    pass\n'
                                           'return {"r": S("{0.__class__}").format(db)}', False, "SandboxViolation",
                                           "format"),
    "format_of_str_subclass": ('class S(str):\n    pass\nreturn {"r": S("{0.__class__}").format(db)}', False,
                               "SandboxViolation", "format"),
    "decimal_context_attribute_write": ('import decimal\ndecimal.getcontext().prec = 2\nreturn {}', False,
                                        "SandboxViolation", "cannot assign"),
    "rng_seeded_with_an_object": ('db.rng.seed(db)\nreturn {"r": db.rng.random()}', False, "ToolCrash",
                                  "supported seed types"),
    "memory_bomb": ('return {"n": len("x" * (10 ** 10))}', False, "ResourceLimit", "memory limit"),
    "int_text_bomb": ('return {"n": int("9" * 1_000_000)}', False, "ToolCrash", "Exceeds the limit"),
    "result_integer_too_long": ('return {"n": 10 ** 5000}', False, "ToolCrash", "not JSON"),
    # text made from objects by trusted code: never an address (it differs between runs)
    "tool_error_of_the_db_handle": ("raise ToolError(db)", False, "ToolError", "<__main__.Db object>"),
    "tool_error_of_functions": ("def f():\n    pass\nraise ToolError([f, db.query, db.rng])", False, "ToolError",
                                "<function tool_error_of_functions.<locals>.f>"),
    "tool_error_subclass_of_a_generator": ("class Refused(ToolError):\n    pass\n"
                                           "raise Refused(x for x in [1])", False, "ToolError", "<generator object"),
}

PROBE = tool_source("probe", 'return {"items": db.query("SELECT * FROM items ORDER BY item_id")}', params={})
ECHO = tool_source("echo", 'return {"x": marker}', params={"marker": "Any"})
# Doors closed this round must leave the plain uses open.
STILL_WORKS = tool_source("epoch", 'import time\nreturn {"t": time.strftime("%Y-%m-%d", time.gmtime(86400))}',
                          params={}) + tool_source(
    "by_value", 'class Code(str):\n    pass\nclass Pair(tuple):\n    pass\n'
                'return {"codes": sorted({Code("b"), Code("a")}), "pairs": len({Pair((1, 2)), Pair((1, 2))})}',
    params={})


@pytest.fixture(scope="module")
def redteam_env(tmp_path_factory):
    parts = [tool_source(name, body, writes=writes) for name, (body, writes, _, _) in CALL_ATTACKS.items()]
    source = module_source(*parts, PROBE, ECHO, STILL_WORKS, prelude="from typing import Any\n")
    env = load_source(tmp_path_factory.mktemp("redteam"), "redteam", source, limits=Limits(timeout_s=10.0))
    yield env
    env.close()


@pytest.fixture(scope="module")
def baseline(redteam_env):
    return redteam_env.state_hash(), redteam_env.call("probe").result


def _still_answers(env, baseline) -> None:
    assert env.state_hash() == baseline[0]
    assert env.call("probe").result == baseline[1]
    assert env.call("echo", {"marker": [1, "two"]}).result == {"x": [1, "two"]}


@pytest.mark.parametrize("name", list(CALL_ATTACKS))
def test_call_attack_is_typed_and_leaves_no_trace(redteam_env, baseline, tmp_path: Path, name: str):
    _, _, error, fragment = CALL_ATTACKS[name]
    marker = tmp_path / "marker"
    result = redteam_env.call(name, {"marker": str(marker)})
    assert result.error is not None, result.result
    assert result.error.type == error, result.error
    assert fragment in result.error.message, result.error.message
    assert " at 0x" not in result.error.message
    assert not marker.exists()
    _still_answers(redteam_env, baseline)


def test_a_number_of_seconds_still_converts(redteam_env):
    assert redteam_env.call("epoch").result == {"t": "1970-01-02"}


def test_classes_that_hash_by_value_keep_their_hash(redteam_env):
    assert redteam_env.call("by_value").result == {"codes": ["a", "b"], "pairs": 1}


@pytest.mark.parametrize("args", [{"marker": 10 ** 5000}, {"marker": [1, {"deep": -(10 ** 4400)}]}])
def test_an_integer_too_long_for_json_is_invalid_arguments(redteam_env, baseline, args):
    for run in (redteam_env.call, redteam_env.peek):
        result = run("echo", args)
        assert result.error is not None
        assert result.error.type == "InvalidArguments", result.error
        assert "integer of more than" in result.error.message
    _still_answers(redteam_env, baseline)


def test_an_integer_json_can_carry_passes(redteam_env):
    assert redteam_env.call("echo", {"marker": 2 ** 70}).result == {"x": 2 ** 70}


@pytest.mark.parametrize("sql", [
    "SELECT rowid FROM items", 'SELECT "rowid" FROM items', "SELECT ROWID FROM items",
    "SELECT i.rowid FROM items AS i", "SELECT count(*) FROM items WHERE rowid > 2",
])
def test_policy_denies_rowid_in_every_spelling(sql: str):
    policy = SqlPolicy(env_names=frozenset({"items", "item_id", "qty"}), tables=("items",))
    with pytest.raises(PolicyViolation, match="rowid is not allowed"):
        policy.check(sql, writes_allowed=True)


@pytest.mark.parametrize("ddl", [
    "CREATE TABLE t (rowid INTEGER PRIMARY KEY)",
    'CREATE TABLE "ROWID" (a INTEGER)',
    "CREATE TABLE t (a STRUCT(rowid INTEGER))",
])
def test_tables_may_not_name_the_rowid_pseudo_column(ddl: str):
    with pytest.raises(DdlViolation, match="may not be named rowid"):
        checked_tables(ddl)


@pytest.mark.parametrize("ddl, fragment", [
    ("CREATE TABLE t (a VARCHAR DEFAULT $$x$$)", "plain 'text' constants"),
    ("CREATE TABLE t (a VARCHAR DEFAULT E'\\x41')", "plain 'text' constants"),
    ("CREATE TABLE t (a DATE DEFAULT '2020-01-01'::DATE)", "':' is not allowed"),
    ("CREATE TABLE t (a INTEGER[] DEFAULT [1])", "DEFAULT takes a constant"),
    ("CREATE TEMP TABLE t (a INTEGER)", "only CREATE TABLE"),
    ("CREATE OR REPLACE TABLE t (a INTEGER)", "only CREATE TABLE"),
    ("CREATE TABLE main.t (a INTEGER)", "only column definitions"),
])
def test_ddl_variants_are_refused(ddl: str, fragment: str):
    with pytest.raises(DdlViolation, match=None) as caught:
        checked_tables(ddl)
    assert fragment in str(caught.value)


def test_tables_too_large_to_check_quickly_are_refused_at_once():
    huge_default = "CREATE TABLE t (a VARCHAR PRIMARY KEY DEFAULT '" + "x" * 1_000_000 + "')"
    with pytest.raises(DdlViolation, match="TABLES holds 1000049 characters; the limit is 262144"):
        checked_tables(huge_default)


def test_struct_fields_count_toward_a_tables_columns():
    inner = ", ".join(f"g{j} INTEGER" for j in range(40))
    wide = "CREATE TABLE t (a INTEGER PRIMARY KEY, s STRUCT(" + ", ".join(
        f"f{i} STRUCT({inner})" for i in range(40)) + "))"
    with pytest.raises(DdlViolation, match="at most 1024 columns and STRUCT fields"):
        checked_tables(wide)
    fits = "CREATE TABLE t (a INTEGER PRIMARY KEY, s STRUCT(" + ", ".join(
        f"f{i} STRUCT({inner})" for i in range(20)) + "))"
    assert len(checked_tables(fits)) == 1


@pytest.mark.parametrize("ddl", [
    "CREATE TABLE t (a INTEGER /* DEFAULT now() */)",
    "CREATE TABLE t (a INTEGER /* /* */ DEFAULT now() */)",  # nested: all of it is comment
    "CREATE TABLE t (a INTEGER -- DEFAULT now()\n)",
])
def test_a_comment_cannot_smuggle_a_default_into_tables(ddl: str):
    # What runs is the text rebuilt from the tokens, never the original.
    assert checked_tables(ddl) == ['CREATE TABLE "t" ("a" INTEGER)']


def _passports(entropy: int) -> list[str]:
    from faker import Faker

    faker = Faker("en_US", use_weighting=False)
    faker.seed_instance(7)
    random.seed(entropy)  # what the OS would give the module-level random of another worker
    view = FakeView(faker)
    return [view.passport_full() for _ in range(30)] + [view.unique.passport_full() for _ in range(5)]


def test_faker_providers_that_use_the_module_random_replay():
    state = random.getstate()
    try:
        assert _passports(1) == _passports(2)
    finally:
        random.setstate(state)


def test_faker_sequence_is_unchanged_by_the_module_random_seeding():
    from faker import Faker

    plain_faker, viewed = Faker("en_US", use_weighting=False), Faker("en_US", use_weighting=False)
    plain_faker.seed_instance(3)
    viewed.seed_instance(3)
    view = FakeView(viewed)
    assert [view.name() for _ in range(10)] == [plain_faker.name() for _ in range(10)]


# --------------------------------------------------------------------------- the OS layer

HELPER = Path(__file__).resolve().parent / "confined_python.py"


def _has_libseccomp() -> bool:
    from sandbox import os_confinement

    return sys.platform.startswith("linux") and os_confinement._load_libseccomp() is not None


def _confined(probes: dict[str, str]) -> dict:
    done = subprocess.run([sys.executable, str(HELPER)], input=json.dumps({"probes": probes}),
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)["results"]


# Raw Python past RestrictedPython: each returns (return value, errno) of one libc call.
_LIBC = "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
OS_PROBES = {
    "fcntl_setown_engine": _LIBC + "result = (libc.fcntl(0, 8, os.getppid()), ctypes.get_errno())",
    "fcntl_setsig": _LIBC + "result = (libc.fcntl(0, 10, 29), ctypes.get_errno())",
    "fcntl_setown_ex": _LIBC + "result = (libc.fcntl(1, 15, 0), ctypes.get_errno())",
    "ioctl_fiosetown": _LIBC + "p = ctypes.c_int(os.getppid())\n"
                               "result = (libc.ioctl(0, 0x8901, ctypes.byref(p)), ctypes.get_errno())",
    "kill_process_group": _LIBC + "result = (libc.kill(0, 0), ctypes.get_errno())",
    "kill_engine": _LIBC + "result = (libc.kill(os.getppid(), 0), ctypes.get_errno())",
    "openat_proc": _LIBC + "result = (libc.openat(-100, b'/proc/self/environ', 0), ctypes.get_errno())",
    "unshare_user": _LIBC + "result = (libc.unshare(0x10000000), ctypes.get_errno())",
}


@pytest.mark.slow
@pytest.mark.skipif(not _has_libseccomp(), reason="the OS layer needs Linux and libseccomp")
def test_raw_python_in_a_confined_worker_cannot_signal_or_reach_out():
    results = _confined({**OS_PROBES, "fcntl_getfl_still_works": _LIBC + "result = (libc.fcntl(0, 3), 0)",
                         "dup_a_new_fd": _LIBC + "result = (libc.dup(0), ctypes.get_errno())"})
    # no fd slot left free: the one of the directory listed to find the highest fd is not counted
    assert results["dup_a_new_fd"]["value"] == "(-1, 24)", results["dup_a_new_fd"]  # EMFILE
    for name in OS_PROBES:
        assert results[name]["ok"], results[name]
        assert results[name]["value"] == "(-1, 1)", (name, results[name])  # -1 with errno EPERM
    assert not results["fcntl_getfl_still_works"]["value"].startswith("(-1"), results["fcntl_getfl_still_works"]


# --------------------------------------------------------------------------- instances and calls

LEDGER = (
    tool_source("add", 'db.insert("items", [{"item_id": marker, "qty": 7}])\nreturn {"added": marker}', writes=True)
    + tool_source("listing", 'return {"ids": [r["item_id"] for r in db.query("SELECT item_id FROM items '
                             'WHERE qty >= 0 ORDER BY item_id")]}', params={})
    + tool_source("poke_context", 'import decimal\ndecimal.ExtendedContext.traps.update({decimal.Inexact: True})\n'
                                  'return {"r": str(decimal.Decimal(1) / 3)}', params={})
    + tool_source("divide", 'import decimal\nreturn {"r": str(decimal.ExtendedContext.divide(1, 3))}', params={})
    + tool_source("unordered", 'return {"ids": [r["item_id"] for r in db.query("SELECT item_id FROM items '
                               'WHERE item_id <> ?", [marker])]}')
    + tool_source("bump", 'db.execute("UPDATE items SET qty = qty + 1 WHERE item_id = ?", [marker])\nreturn {}',
                  writes=True)
    + tool_source("drop", 'db.execute("DELETE FROM items WHERE item_id = ?", [marker])\nreturn {}', writes=True)
    + tool_source("inexact_at_start", 'return {"flag": INEXACT_AT_START, "asked": marker}')
    + tool_source("divide_and_remember", 'import decimal\nthird = decimal.Decimal(1) / 3\n'
                                         'return {"n": remember(marker)}')
)
# Module-level code runs again for a new instance: it must see the same process state
# (the decimal context, here its flags) whatever the previous call left.
LEDGER_PRELUDE = """
import decimal

INEXACT_AT_START = decimal.getcontext().flags[decimal.Inexact]


def remember(x, acc=[]):
    acc.append(x)
    return len(acc)
"""


@pytest.fixture(scope="module")
def two_instances(tmp_path_factory):
    """One env file loaded twice (two Environments, as two dialogues would have)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(lambda d: load_source(d, "ledger", module_source(LEDGER, prelude=LEDGER_PRELUDE)),
                                 [tmp_path_factory.mktemp("instances") for _ in range(2)])
    yield first, second
    first.close()
    second.close()


def test_one_dialogue_cannot_read_or_write_another_ones_state(two_instances):
    first, second = two_instances
    seeded = second.state_hash()
    assert first.state_hash() == seeded
    assert first.call("add", {"marker": "A1"}).ok
    assert second.call("listing").result == {"ids": ["I00", "I01", "I02", "I03", "I04"]}
    assert second.state_hash() == seeded
    assert second.call("add", {"marker": "B1"}).ok
    # the same table version (one write each) in both: no cache may answer one with the other's rows
    assert first.call("listing").result == {"ids": ["A1", "I00", "I01", "I02", "I03", "I04"]}
    assert second.call("listing").result == {"ids": ["B1", "I00", "I01", "I02", "I03", "I04"]}


def test_a_module_level_context_changed_by_one_call_is_not_seen_by_the_next(two_instances):
    first, _ = two_instances
    before = first.call("divide").result
    first.call("poke_context")
    assert first.call("divide").result == before


def test_module_level_code_of_a_new_instance_sees_the_reset_decimal_context(two_instances):
    first, _ = two_instances
    assert first.call("inexact_at_start", {"marker": "before"}).result == {"flag": False, "asked": "before"}
    # an inexact division sets the thread's Inexact flag; the call also changes its instance
    assert first.call("divide_and_remember", {"marker": "x"}).ok
    assert first.call("inexact_at_start", {"marker": "after"}).result == {"flag": False, "asked": "after"}


def test_a_read_without_order_by_sees_the_same_rows_after_a_restore(two_instances):
    """Row order without ORDER BY is undefined after a restore (README: end ORDER BY with a
    unique column); the rows and the state hash are the snapshot's."""
    _, env = two_instances
    start, state = env.snapshot(), env.state_hash()
    before = env.call("unordered", {"marker": "x"}).result
    env.call("bump", {"marker": "I01"})
    env.call("drop", {"marker": "I02"})
    assert sorted(env.call("unordered", {"marker": "z"}).result["ids"]) != sorted(before["ids"])
    env.restore(start)
    assert env.state_hash() == state
    assert sorted(env.call("unordered", {"marker": "y"}).result["ids"]) == sorted(before["ids"])


# Open (sandbox/worker.py, lane sec-latency): the Db handle turns env objects into text with
# the real str(), so an address reaches an SQL parameter, a result and the state.
DB_TEXT = tool_source("param_key_of_a_function", 'def f():\n    pass\n'
                      'return {"r": db.query("SELECT ? AS x", [{f: 1}])}', params={}) + tool_source(
    "insert_into_a_function", 'def f():\n    pass\ndb.insert(f, [{"item_id": "x", "qty": 1}])\nreturn {}',
    writes=True, params={})


@pytest.fixture(scope="module")
def db_text_env(tmp_path_factory):
    env = load_source(tmp_path_factory.mktemp("db_text"), "db_text", module_source(DB_TEXT))
    yield env
    env.close()


@pytest.mark.parametrize("name", ["param_key_of_a_function", "insert_into_a_function"])
def test_the_db_handle_never_turns_an_object_into_an_address(db_text_env, name: str):
    before = db_text_env.state_hash()
    result = db_text_env.call(name)
    assert " at 0x" not in json.dumps(result.result) + (result.error.message if result.error else "")
    assert result.error is not None and result.error.type == "ToolCrash"
    assert "must be text" in result.error.message or "as text" in result.error.message
    assert db_text_env.state_hash() == before


# --------------------------------------------------------------------------- a compromised worker

# What raw Python inside the worker (past RestrictedPython) could send the engine during a
# call: (requests before its 'done', write tool?, error type, fragment).
FORGED_REQUESTS: dict[str, tuple[list[dict], bool, str, str]] = {
    "insert_from_a_read_tool": ([{"op": "sql", "kind": "insert", "table": "items",
                                  "rows": [{"item_id": "X", "qty": 1}]}], False, "SandboxViolation", "read-only"),
    "delete_from_a_read_tool": ([{"op": "sql", "kind": "execute", "sql": "DELETE FROM items", "params": []}], False,
                                "SandboxViolation", "read-only"),
    "insert_into_a_snapshot": ([{"op": "sql", "kind": "insert", "table": "__toolace.v2_items",
                                 "rows": [{"item_id": "X"}]}], True, "ToolCrash", "no table"),
    "rows_that_are_not_rows": ([{"op": "sql", "kind": "insert", "table": "items", "rows": [1, 2]}], True,
                               "ToolCrash", "could not run"),
    "a_data_file_during_a_call": ([{"op": "data", "name": "../../../etc/passwd"}], False, "SandboxViolation",
                                  "seed() only"),
    "a_statement_kind_of_its_own": ([{"op": "sql", "kind": "copy", "sql": "COPY items TO '/tmp/x'"}], True,
                                    "SandboxViolation", "malformed SQL request"),
}
FORGED_TOOLS = tool_source("read_echo", 'return {"x": marker}') + tool_source("write_echo", 'return {"x": marker}',
                                                                              writes=True)


@pytest.fixture(scope="module")
def forged_env(tmp_path_factory):
    env = load_source(tmp_path_factory.mktemp("forged"), "forged", module_source(FORGED_TOOLS))
    yield env
    env.close()


def _with_planted_frames(env, requests: list[dict], tool: str, tag: str):
    """Call `tool` while the engine reads the given frames instead of the worker's (then
    a forged 'done'), as a worker running code of its own would send them."""
    from sandbox import protocol

    worker = env._worker
    worker.loaded()
    seq = worker._seq + 1
    frames = b"".join(protocol.encode({**r, "seq": seq}) for r in requests)
    frames += protocol.encode({"op": "done", "ok": True, "result": {"forged": True}, "seq": seq})
    reader, writer = os.pipe()
    os.write(writer, frames)
    os.close(writer)
    process, original = worker._process, worker._process.stdout
    try:
        process.stdout = os.fdopen(reader, "rb")
        return env.call(tool, {"marker": tag})
    finally:
        process.stdout.close()
        process.stdout = original


@pytest.mark.parametrize("name", list(FORGED_REQUESTS))
def test_forged_requests_of_a_compromised_worker_are_typed_and_change_nothing(forged_env, name: str):
    requests, writes, error, fragment = FORGED_REQUESTS[name]
    state = forged_env.state_hash()
    result = _with_planted_frames(forged_env, requests, "write_echo" if writes else "read_echo", f"forged {name}")
    assert result.error is not None, result.result
    assert result.error.type == error, result.error
    assert fragment in result.error.message, result.error.message
    assert forged_env.state_hash() == state
    forged_env.call("read_echo", {"marker": f"resync {name}"})  # the real worker's stale answer: restarted
    assert forged_env.call("read_echo", {"marker": name}).result == {"x": name}


# --------------------------------------------------------------------------- code that runs later

# A suspended generator runs its cleanup when it is collected: in a reference cycle that is
# whenever the garbage collector runs, maybe in a later call, where the bound db method it
# holds would act in that call's transaction. (Globals are emptied after a call, so only a
# method held in a local could act: these hold one.)
DEFERRED = {
    "finally": "def later(ex):\n    try:\n        yield 1\n    finally:\n        ex(SQL)\n",
    "except_generator_exit": "def later(ex):\n    try:\n        yield 1\n    except GeneratorExit:\n        ex(SQL)\n",
    "bare_except": "def later(ex):\n    try:\n        yield 1\n    except:\n        ex(SQL)\n        raise\n",
    "nested_in_a_loop": "def later(ex):\n    for i in range(3):\n        if i:\n            try:\n"
                        "                yield i\n            finally:\n                ex(SQL)\n",
    "yield_from": "def later(ex):\n    try:\n        yield from [1, 2]\n    finally:\n        ex(SQL)\n",
}


@pytest.mark.parametrize("name", list(DEFERRED))
def test_a_generator_may_not_hold_cleanup_code(tmp_path: Path, name: str):
    body = DEFERRED[name] + "g = later(db.execute)\nnext(g)\nloop = [g]\nloop.append(loop)\nreturn {}"
    source = module_source(tool_source("plant", body, writes=True, params={}),
                           prelude='SQL = "UPDATE items SET qty = 999"\n')
    from sandbox.restricted import CompileError, compile_env

    with pytest.raises(CompileError, match="try/with is not allowed in a generator") as caught:
        compile_env(source, "deferred.py")
    assert caught.value.problems[0][0] > 0  # with its line


def test_try_in_a_plain_function_or_beside_a_generator_is_still_allowed():
    from sandbox.restricted import compile_env

    source = module_source(tool_source("fine", "def gen():\n    def helper():\n        try:\n            return 1\n"
                                               "        finally:\n            pass\n    yield helper()\n"
                                               "try:\n    total = sum(gen())\nfinally:\n    pass\nreturn {'t': total}",
                                       params={}))
    assert compile_env(source, "fine.py").code is not None
