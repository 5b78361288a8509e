"""Issue 15 class 5 under instance reuse: the worker keeps one module instance across calls
while no call changes it (sandbox.instance_state), so the check that sees a change is
what keeps one call's leftovers out of the next.

Probes: every way a call can change what an instance holds is seen by the check (identity,
not equality: 1.0 in place of 1 is a change; a key deleted and added back moves it); an
instance holding something whose changes cannot be seen is never reused; and through a
real worker, a call never sees what an earlier call left, reused instance or not.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import types

import pytest
from envkit import load_source, module_source, tool_source

from sandbox import worker as worker_module
from sandbox.errors import EnvLoadError
from sandbox.instance_state import InstanceState
from sandbox.restricted import RestrictedRuntime, compile_env

MODULE = '''
import collections
import operator

CONST_LIST = [1, 2, 3, 4, 5, 6, 7, 8]
CONST_DICT = {"a": 1, "b": 2}
NESTED = ({"k": [1]},)
SEEN = set()
QUEUE = collections.deque()


def remember(x, acc=[]):
    acc.append(x)
    return len(acc)


def keyword_default(*, acc={}):
    acc["n"] = 1


class Box:
    items = []

    def put(self, x, into=[]):
        into.append(x)


def make_adder():
    kept = []

    def add(x):
        kept.append(x)
    return add


ADD = make_adder()


def factory_default(d=collections.defaultdict(list)):
    d.default_factory = None


MUTATIONS = {
    "mutable_default": lambda rng: remember(1),
    "keyword_default": lambda rng: keyword_default(),
    "class_attribute": lambda rng: Box.items.append(1),
    "method_default": lambda rng: Box().put(1),
    "closure_list": lambda rng: ADD(1),
    "module_set": lambda rng: SEEN.add(1),
    "module_deque": lambda rng: QUEUE.append(1),
    "operator_setitem": lambda rng: operator.setitem(CONST_DICT, "c", 3),
    "list_append_unbound": lambda rng: list.append(CONST_LIST, 9),
    "inplace_add": lambda rng: operator.iadd(CONST_LIST, [9]),
    "inplace_or": lambda rng: operator.ior(CONST_DICT, {"c": 3}),
    "rng_shuffle_const": lambda rng: rng.shuffle(CONST_LIST),
    "nested_in_tuple": lambda rng: list.append(NESTED[0]["k"], 2),
    "equal_not_same": lambda rng: operator.setitem(CONST_LIST, 0, 1.0),
    "key_moved": lambda rng: (operator.delitem(CONST_DICT, "a"), operator.setitem(CONST_DICT, "a", 1)),
    "default_factory": lambda rng: factory_default(),
}


def read_only(rng):
    return [CONST_LIST[0], sorted(CONST_DICT), len(SEEN), len(Box.items), list(NESTED[0]["k"]),
            [x * 2 for x in CONST_LIST], dict(CONST_DICT, z=1)]


def same_object_back(rng):
    operator.setitem(CONST_LIST, 0, CONST_LIST[0])  # a write that leaves every object where it was
'''

NOW = dt.datetime(2026, 3, 1, 9, 0)


def fresh_instance(source: str = MODULE) -> tuple[dict, InstanceState | None]:
    runtime = RestrictedRuntime(NOW)
    namespace = runtime.module_globals("env_reuse")
    exec(compile_env(source, "reuse.py").code, namespace)
    runtime.freeze(namespace)
    shared = frozenset(id(v) for v in [*runtime.builtins.values(), runtime.builtins])
    runtime_globals = {id(namespace[k]) for k in worker_module._RUNTIME_GLOBALS if k in namespace}
    return namespace, InstanceState.record(namespace, shared | runtime_globals)


MUTATIONS = ["mutable_default", "keyword_default", "class_attribute", "method_default", "closure_list",
             "module_set", "module_deque", "operator_setitem", "list_append_unbound", "inplace_add", "inplace_or",
             "rng_shuffle_const", "nested_in_tuple", "equal_not_same", "key_moved", "default_factory"]


def test_the_probe_list_covers_every_mutation_of_the_module():
    namespace, _ = fresh_instance()
    assert sorted(namespace["MUTATIONS"]) == sorted(MUTATIONS)


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_every_change_a_call_makes_to_its_instance_is_seen(mutation):
    namespace, state = fresh_instance()
    assert state is not None and not state.changed()
    namespace["MUTATIONS"][mutation](random.Random(3))
    assert state.changed(), mutation


def test_a_call_that_only_reads_leaves_the_instance_reusable():
    namespace, state = fresh_instance()
    assert state is not None
    first = namespace["read_only"](random.Random(0))
    assert first[:5] == [1, ["a", "b"], 0, 0, [1]]
    namespace["same_object_back"](random.Random(0))
    assert not state.changed()
    assert namespace["read_only"](random.Random(0)) == first


def test_one_point_zero_in_place_of_one_is_a_change_though_equal():
    namespace, state = fresh_instance()
    assert state is not None
    namespace["MUTATIONS"]["equal_not_same"](None)
    assert namespace["CONST_LIST"] == [1, 2, 3, 4, 5, 6, 7, 8]  # equal...
    assert state.changed()  # ...but not the same objects


UNCHECKABLE = {
    "generator": "G = (x for x in range(3))",
    "iterator": "G = iter(range(3))",
    "itertools_count": "import itertools\nG = itertools.count()",
    "lru_cache": "import functools\n\n@functools.lru_cache(maxsize=None)\ndef g(x):\n    return x",
    "partial": "import functools\nimport json\nG = functools.partial(json.dumps, indent=2)",
    "decimal_context": "import decimal\nG = decimal.Context()",
    "namedtuple": "import collections\nG = collections.namedtuple('G', 'a b', defaults=[[], 1])",
    "map_object": "G = map(str, [1, 2])",
    "in_a_default": "import itertools\n\ndef g(c=itertools.count()):\n    return next(c)",
    "in_a_class": "import itertools\n\nclass G:\n    c = itertools.count()",
}


@pytest.mark.parametrize("kind", sorted(UNCHECKABLE))
def test_an_instance_holding_state_it_cannot_check_is_not_reused(kind):
    namespace, state = fresh_instance(f"X = [1]\n{UNCHECKABLE[kind]}\n")
    assert "X" in namespace
    assert state is None, kind


def test_an_instance_holding_only_checkable_values_is_reused():
    _, state = fresh_instance("import re\nimport datetime\nP = re.compile('a+')\nD = datetime.date(2020, 1, 2)"
                                      "\nT = (1, 'x', frozenset({2}))\nLIMIT = 3\n")
    assert state is not None and not state.changed()


# ---------------------------------------------------------------- through the worker

def _loaded_worker(monkeypatch, source: str) -> worker_module.Worker:
    """A worker in this process (without the OS layer or memory cap: the test process is
    not confined), loaded with `source`, whose SQL gets fixed rows."""
    monkeypatch.setattr(worker_module.os_confinement, "confine", lambda: {})
    monkeypatch.setattr(worker_module, "_limit_memory", lambda megabytes: None)
    monkeypatch.setattr(gc, "freeze", lambda: None)  # would freeze the whole test process's heap
    # run() caps the process's CPU time (RLIMIT_CPU): here that would be the test run's
    monkeypatch.setattr(worker_module.resource, "setrlimit", lambda *args: None)
    worker = worker_module.Worker(-1, -1)
    reply = worker.load({"op": "load", "source": source, "filename": "reuse.py", "module": "env_reuse",
                         "now": NOW.isoformat(), "seeding": False,
                         "limits": {"max_depth": 64, "memory_mb": 256, "timeout_s": 5, "seed_timeout_s": 5,
                                    "recursion": 200, "max_result_bytes": 1 << 20}})
    assert reply["ok"], reply
    assert worker.db is not None
    worker.db._send = lambda message: {"op": "sql_result", "value": [{"item_id": "I01", "qty": 1}]}
    return worker


def _call(worker: worker_module.Worker, tool: str) -> bytes | dict:
    out = worker.run({"op": "call", "tool": tool, "args": {}, "writes": False, "rng": "0:0"}, seeding=False)
    worker.prepare_instance()  # what the serve loop does after each answer
    return out


WORKER_MODULE = module_source(
    tool_source("count_calls", 'return {"n": remember(1)}', params={}),
    tool_source("look", 'return {"first": str(CONST[0]), "n": len(CONST)}', params={}),
    tool_source("swap_in_float", 'operator.setitem(CONST, 0, 1.0)\nreturn {"first": str(CONST[0])}', params={}),
    tool_source("fail_after_change", 'list.append(CONST, 0)\nraise ToolError("no")', params={}),
    prelude="import operator\n\nCONST = [1, 2]\n\n\ndef remember(x, acc=[]):\n    acc.append(x)\n    return len(acc)\n")


def test_the_worker_reuses_its_instance_until_a_call_changes_it(monkeypatch):
    worker = _loaded_worker(monkeypatch, WORKER_MODULE)
    made = worker.instances_made
    for _ in range(3):
        assert _call(worker, "look").endswith(b'"result":{"first":"1","n":2},"seq":null}')
        assert _call(worker, "ping").startswith(b'{"op":"done","ok":true')
    assert worker.instances_made == made  # read-only calls: one instance for all of them
    for _ in range(3):
        assert b'"result":{"n":1}' in _call(worker, "count_calls")  # the default is fresh every time
    assert worker.instances_made == made + 3
    assert b'"first":"1.0"' in _call(worker, "swap_in_float")
    assert b'"first":"1","n":2' in _call(worker, "look")
    failed = _call(worker, "fail_after_change")
    assert isinstance(failed, dict) and failed["error"]["type"] == "ToolError"
    assert b'"first":"1","n":2' in _call(worker, "look")


def test_a_worker_whose_module_holds_a_generator_makes_an_instance_per_call(monkeypatch):
    source = module_source(tool_source("take", 'return {"n": next(NUMBERS)}', params={}),
                           prelude="NUMBERS = iter(range(100))\n")
    worker = _loaded_worker(monkeypatch, source)
    made = worker.instances_made
    for _ in range(3):
        assert b'"result":{"n":0}' in _call(worker, "take")
    assert not worker.reusable and worker.instance is None
    assert worker.instances_made == made + 3


def test_seeding_runs_in_an_instance_of_its_own(monkeypatch):
    worker = _loaded_worker(monkeypatch, WORKER_MODULE)
    kept = worker.instance
    assert kept is not None
    worker.faker = types.SimpleNamespace(unique=types.SimpleNamespace(clear=lambda: None),
                                         seed_instance=lambda seed: None)
    monkeypatch.setattr(worker_module, "FakeView", lambda faker: faker)
    worker.db._send = lambda message: {"op": "sql_result", "value": 5}
    done = worker.run({"op": "seed", "seed": 0, "rng": "0:seed"}, seeding=True)
    assert done == {"op": "done", "ok": True, "result": None}
    assert worker.instance is None and not kept  # the call instance was dropped (and emptied)
    worker.prepare_instance()
    assert worker.instance is not None


# ---------------------------------------------------------------- end to end

@pytest.fixture(scope="module")
def env(tmp_path_factory):
    prelude = MODULE.replace("MUTATIONS = {", "MUTATIONS_BY_NAME = {")
    parts = [tool_source(f"do_{name}", f'MUTATIONS_BY_NAME["{name}"](db.rng)\nreturn {{"r": snapshot()}}', params={})
             for name in MUTATIONS]
    parts.append(tool_source("look", 'return {"r": snapshot()}', params={}))
    parts.append(tool_source("count", 'return {"n": remember(0)}', params={}))
    glue = ('\n\ndef snapshot():\n'
            '    return [[str(x) for x in CONST_LIST], list(CONST_DICT), len(SEEN), len(QUEUE), len(Box.items),\n'
            '            list(NESTED[0]["k"])]\n')
    e = load_source(tmp_path_factory.mktemp("reuse"), "reuse", module_source(*parts, prelude=prelude + glue), seed=2)
    yield e
    e.close()


PRISTINE = [[str(x) for x in range(1, 9)], ["a", "b"], 0, 0, 0, [1]]


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_no_call_sees_what_an_earlier_call_changed(env, mutation):
    assert env._run(env.tool("look"), {}, ("x", "look", "{}")).result == {"r": PRISTINE}
    changed = env._run(env.tool(f"do_{mutation}"), {}, ("x", mutation, "{}"))
    assert changed.ok, changed
    for _ in range(2):
        assert env._run(env.tool("look"), {}, ("x", "look", "{}")).result == {"r": PRISTINE}
    assert env._run(env.tool("count"), {}, ("x", "count", "{}")).result == {"n": 1}


FINALIZER_PRELUDE = '''
CONST = [1]


def gen():
    try:
        yield 1
    finally:
        list.append(CONST, 1)  # runs when the generator is collected, whenever that is
'''


@pytest.mark.parametrize("planter", ["plant", "plant_and_promote"])
def test_a_generator_whose_cleanup_would_run_in_a_later_call_is_refused_at_load(tmp_path, planter):
    """A suspended generator in a reference cycle would run its `finally` whenever the
    garbage collector gets to it, in whatever call is running then: try/with inside a
    generator is refused when the module loads, so no such code exists."""
    parts = [tool_source(planter, 'g = gen()\nnext(g)\nbox = [g]\nbox.append(box)\nreturn {}', params={}),
             tool_source("look", 'return {"n": len(CONST)}', params={})]
    with pytest.raises(EnvLoadError, match="try/with is not allowed in a generator"):
        load_source(tmp_path, "finalizer", module_source(*parts, prelude=FINALIZER_PRELUDE), seed=1)


def test_an_instance_of_a_class_the_module_defines_is_checked_through_its_dict():
    namespace, state = fresh_instance("class Holder:\n    def __init__(self):\n        pass\n\n\nH = Holder()\n"
                                      "ITEMS = [H]\n")
    assert state is not None and not state.changed()
    namespace["ITEMS"].append(1)
    assert state.changed()


def test_an_instance_too_big_to_compare_after_every_call_is_not_reused():
    _, small = fresh_instance("BIG = list(range(1000))\n")
    _, big = fresh_instance("BIG = list(range(60000))\n")
    assert small is not None and big is None


def test_code_a_call_leaves_behind_cannot_use_that_calls_db_later(tmp_path):
    """A generator holding the call's db, kept in the instance, whose `finally` would run
    after the call: refused when the module loads (try/with inside a generator)."""
    prelude = ('HOLD = []\n\n\ndef reader(db):\n    try:\n        yield 1\n    finally:\n'
               '        db.execute("UPDATE items SET qty = 99")\n')
    parts = [tool_source("plant", 'g = reader(db)\nnext(g)\nlist.append(HOLD, g)\nreturn {}', writes=True, params={})]
    with pytest.raises(EnvLoadError, match="try/with is not allowed in a generator"):
        load_source(tmp_path, "late_db", module_source(*parts, prelude=prelude))


@pytest.mark.slow  # 800 calls: 2-10 s
def test_calls_that_all_change_their_instance_do_not_grow_the_worker(tmp_path):
    """Each dropped instance is collected (its classes form cycles that the young
    collections after each call leave alone): without that the worker grew by ~6 kB a call."""
    prelude = ("from typing import TypedDict\n\nLine = TypedDict('Line', {'a': int})\n\n\nclass K:\n    x = 1\n\n\n"
               "def remember(x, acc=[]):\n    acc.append(x)\n    return len(acc)\n")
    source = module_source(tool_source("count_calls", 'return {"n": remember(1)}', params={}), prelude=prelude)
    with load_source(tmp_path, "grow", source) as env:
        def resident_kb() -> int:
            with open(f"/proc/{env._worker._process.pid}/status") as status:
                return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))

        for _ in range(200):
            assert env._run(env.tool("count_calls"), {}, ("x", "c", "{}")).result == {"n": 1}
        before = resident_kb()
        for _ in range(600):
            assert env._run(env.tool("count_calls"), {}, ("x", "c", "{}")).result == {"n": 1}
        assert resident_kb() - before < 1024, (before, resident_kb())
