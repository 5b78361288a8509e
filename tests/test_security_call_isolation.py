"""Issue 15 class 5 (state leaks): every call starts from the same worker state, whatever
the previous call did.

Each probe is a tool that tries to keep something for the next call (a mutable default,
a class attribute, a closure cell, a module-level deque/set/generator/counter, an
lru_cache, the decimal context, a module constant changed through a back door, an ABC
registration, a mutable object of a stdlib module): calling it again must give the same
answer as the first time, and the state hash stays put.
"""

from __future__ import annotations

import pytest
from envkit import load_source, module_source, tool_source

from sandbox.read_cache import ReadCache
from sandbox.state import Session, StateStore

PRELUDE = '''
import collections
import decimal
import functools
import itertools
import operator
import textwrap

CONST_LIST = [1, 2, 3]
CONST_DICT = {"a": 1}
QUEUE = collections.deque()
SEEN = set()
COUNTER = itertools.count()
NUMBERS = iter(range(100))


def remember(x, acc=[]):
    acc.append(x)
    return len(acc)


class Box:
    items = []


def make_adder():
    kept = []

    def add(x):
        kept.append(x)
        return len(kept)
    return add


ADD = make_adder()


@functools.lru_cache(maxsize=None)
def qty_of(db, item_id):
    return db.scalar("SELECT qty FROM items WHERE item_id = ?", [item_id])
'''

PROBES = {
    "mutable_default": 'return {"n": remember(1)}',
    "class_attribute": 'Box.items.append(1)\nreturn {"n": len(Box.items)}',
    "closure_cell": 'return {"n": ADD(1)}',
    "module_deque": 'QUEUE.append(1)\nreturn {"n": len(QUEUE)}',
    "module_set": 'SEEN.add(len(SEEN))\nreturn {"n": len(SEEN)}',
    "module_generator": 'return {"n": next(NUMBERS)}',
    "itertools_count": 'return {"n": next(COUNTER)}',
    "operator_setitem": 'operator.setitem(CONST_DICT, "b", len(CONST_DICT))\nreturn {"n": len(CONST_DICT)}',
    "list_append_unbound": 'list.append(CONST_LIST, 4)\nreturn {"n": len(CONST_LIST)}',
    "inplace_add": 'x = CONST_LIST\nx += [5]\nreturn {"n": len(CONST_LIST)}',
    "inplace_or": 'd = CONST_DICT\nd |= {"c": 3}\nreturn {"n": len(CONST_DICT)}',
    "rng_shuffle_const": 'db.rng.shuffle(CONST_LIST)\nreturn {"order": CONST_LIST}',
    "decimal_traps": ('ctx = decimal.getcontext()\nbefore = str(decimal.Decimal(1) / decimal.Decimal(3))\n'
                      'ctx.clear_traps()\nreturn {"third": before, "flags": sorted(str(k) for k, v in '
                      'ctx.flags.items() if v)}'),
    "decimal_divide_by_zero": 'return {"r": str(decimal.Decimal(1) / decimal.Decimal(0))}',
    "textwrap_table": ('dict.update(textwrap.TextWrapper.unicode_whitespace_trans, {ord("x"): ord(" ")})\n'
                       'return {"r": textwrap.fill("axb", 80)}'),
    "basic_context": ('c = decimal.BasicContext\nbefore = bool(c.flags[decimal.Inexact])\n'
                      'c.divide(decimal.Decimal(1), decimal.Decimal(3))\nreturn {"inexact_before": before}'),
}


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    parts = [tool_source(name, body, params={}) for name, body in PROBES.items()]
    parts.append(tool_source("cached_qty", 'return {"qty": qty_of(db, "I02")}', params={}))
    parts.append(tool_source("bump", 'db.execute("UPDATE items SET qty = qty + 1 WHERE item_id = \'I02\'")\n'
                                     'return {}', writes=True, params={}))
    parts.append(tool_source("register_abc", 'collections.UserDict.register(int)\nreturn {}', params={}))
    parts.append(tool_source("is_userdict", 'return {"r": isinstance(1, collections.UserDict)}', params={}))
    e = load_source(tmp_path_factory.mktemp("isolation"), "isolation", module_source(*parts, prelude=PRELUDE),
                    seed=4)
    yield e
    e.close()


@pytest.mark.parametrize("tool", [name for name in PROBES if name != "decimal_divide_by_zero"])
def test_a_call_keeps_nothing_for_the_next(env, tool):
    state = env.state_hash()
    first = env.call(tool)
    for _ in range(3):
        env.reset()  # memo or not, a call made again must really run again to show a leak...
        again = env._run(env.tool(tool), {}, ("x", tool, "{}"))  # ...so run it past the memo
        assert again == first, (tool, first, again)
    assert env.state_hash() == state


def test_module_constants_are_fresh_in_every_call(env):
    outcomes = {name: env._run(env.tool(name), {}, ("x", name, "{}")) for name in
                ("operator_setitem", "list_append_unbound", "inplace_add", "inplace_or")}
    # Each sees the constant as the module defines it, plus its own change only.
    assert outcomes["operator_setitem"].result == {"n": 2}
    assert outcomes["list_append_unbound"].result == {"n": 4}
    assert outcomes["inplace_add"].result == {"n": 4}
    assert outcomes["inplace_or"].result == {"n": 2}


def test_the_decimal_context_is_reset_for_every_call(env):
    cleared = env._run(env.tool("decimal_traps"), {}, ("x", "traps", "{}"))
    assert cleared.ok and cleared.result["third"] == "0.3333333333333333333333333333"  # prec 28
    assert "<class 'decimal.Inexact'>" in cleared.result["flags"]
    divided = env._run(env.tool("decimal_divide_by_zero"), {}, ("x", "div", "{}"))
    assert divided.error is not None and "DivisionByZero" in divided.error.message  # the trap is back
    again = env._run(env.tool("decimal_traps"), {}, ("x", "traps", "{}"))
    assert again == cleared  # no flag left over from the call before


def test_an_lru_cache_does_not_serve_a_value_from_before_a_write(env):
    before = env.call("cached_qty").result["qty"]
    assert env.call("bump").ok
    assert env.call("cached_qty").result["qty"] == before + 1
    assert env.call("bump").ok
    assert env.call("cached_qty").result["qty"] == before + 2
    env.reset()
    assert env.call("cached_qty").result["qty"] == before


def test_an_abc_registration_does_not_outlive_its_call(env):
    assert env.call("is_userdict").result == {"r": False}
    restarts = env.worker_restarts
    registered = env.call("register_abc")  # refused, or allowed and its worker replaced after it
    assert not registered.ok or env.worker_restarts == restarts + 1
    assert env._run(env.tool("is_userdict"), {}, ("x", "abc", "{}")).result == {"r": False}


def test_a_changed_stdlib_object_gets_the_worker_replaced(env):
    restarts = env.worker_restarts
    first = env._run(env.tool("textwrap_table"), {}, ("x", "tw", "{}"))
    assert first.ok and first.result == {"r": "a b"}  # the call sees its own change...
    assert env.worker_restarts == restarts + 1  # ...and its worker is replaced after it
    assert env._run(env.tool("textwrap_table"), {}, ("x", "tw", "{}")) == first


def test_a_read_that_names_no_table_is_not_cached() -> None:
    store = StateStore(read_cache_size=16)
    try:
        store.create_tables("CREATE TABLE t (k VARCHAR PRIMARY KEY, n INTEGER);")
        for _ in range(3):
            assert store.run("query", "SELECT 41 + 1 AS v", [], Session.COMMITTED, cached=True) == [{"v": 42}]
        assert store.reads.hits == 0 and store.reads.bytes == 0
        cache = ReadCache(4)
        cache.remember(ReadCache.key("query", "SELECT 1", [], ()), [{"1": 1}])
        assert cache.get(ReadCache.key("query", "SELECT 1", [], ())) == (False, None)
    finally:
        store.close()


def test_module_constants_stay_read_only_in_every_instance(tmp_path):
    """The read-only guard on module dicts and lists holds in each call's fresh instance,
    including containers nested in tuples and dicts."""
    prelude = 'TABLE = {"a": [1, 2], "b": ({"c": []},)}\n'
    parts = [tool_source("nested_list", 'TABLE["a"].append(3)\nreturn {}', params={}),
             tool_source("in_tuple", 'TABLE["b"][0]["c"].append(1)\nreturn {}', params={}),
             tool_source("own_copy", 'd = dict(TABLE)\nd["z"] = 1\nreturn {"n": len(d)}', params={})]
    with load_source(tmp_path, "constants", module_source(*parts, prelude=prelude)) as env:
        for _ in range(3):
            for name in ("nested_list", "in_tuple"):
                result = env._run(env.tool(name), {}, ("x", name, "{}"))
                assert result.error is not None and result.error.type == "SandboxViolation", result
                assert "module-level values are constants" in result.error.message
            assert env._run(env.tool("own_copy"), {}, ("x", "own", "{}")).result == {"n": 3}
