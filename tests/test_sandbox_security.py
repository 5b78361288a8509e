"""Escape attempts against the sandbox: each is blocked, typed, and leaves no trace.

Three kinds of block, each asserted as such:
- compile time: RestrictedPython rejects the module, so `load_env` raises EnvLoadError
  naming the offending line (the code never runs);
- load time: `seed()` (or module-level code) breaks a rule, so the load fails;
- call time: the call fails with a typed error, the state is unchanged, nothing was
  written to disk and the next normal call sees an untouched sandbox.
Plus determinism: no randomness or clock other than the env's seeded db.rng, seeded
Faker and frozen db.now may be reachable (same seed and calls, same results).

The right error type follows the engine's own contract (sandbox/errors.py): something
the sandbox forbids is a SandboxViolation; a name the sandbox merely does not provide
(a hidden module attribute) fails like any missing name, as a ToolCrash.

Containment (blocked + no side effect) and typing are separate tests, so a wrong type
never hides an escape.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import pytest
from envkit import load_many, load_source, module_source, seed_source, tool_source

from sandbox import EnvLoadError
from sandbox.environment import env_now

# A seed whose frozen clock is not today's date, so a real-clock reading always shows.
SEED = next(seed for seed in range(11, 50) if env_now(seed).date() != datetime.date.today())


# --------------------------------------------------------------------------- call-time attacks

# Every write tool first changes a row, so a failing call must also roll that back.
TOUCH = 'db.execute("UPDATE items SET qty = qty + 100")\n'


@dataclass(frozen=True)
class Attack:
    name: str
    body: str
    error: str  # the right error type
    fragment: str | tuple[str, ...]  # text the error message must contain (one of them)
    writes: bool = False


ATTACKS = [
    # str.format field traversal
    Attack("str_format", 'return {"r": "{0.__class__.__mro__}".format(marker)}',
           "SandboxViolation", "format"),
    Attack("str_format_map", 'return {"r": "{x.__class__}".format_map({"x": marker})}',
           "SandboxViolation", "format"),
    Attack("str_format_unbound", 'f = str.format\nreturn {"r": f("{0.__class__}", marker)}',
           "SandboxViolation", "format"),
    Attack("string_formatter", 'import string\nreturn {"r": string.Formatter().format("{0.__class__}", db)}',
           "ToolCrash", ("not callable", "Formatter")),
    Attack("string_formatter_from", 'from string import Formatter\nreturn {"r": Formatter().format("{0}", db)}',
           "ToolCrash", "Formatter"),
    Attack("userstring_format",
           'import collections\n'
           'return {"r": collections.UserString("{0.query.__func__.__globals__[os]}").format(db)}',
           "SandboxViolation", "format"),
    Attack("userstring_format_map",
           'import collections\n'
           's = collections.UserString("{d.query.__func__.__globals__[os].environ}")\n'
           'return {"r": s.format_map({"d": db})}',
           "SandboxViolation", "format"),
    # imports
    Attack("import_os", 'import os\nos.system("touch " + marker)\nreturn {}', "SandboxViolation", "import of 'os'"),
    Attack("import_random_seed", 'import random\nrandom.seed(1)\nreturn {"r": random.random()}',
           "SandboxViolation", "import of 'random'"),
    Attack("import_sandbox_worker", 'import sandbox.worker\nsandbox.worker.os.system("touch " + marker)\nreturn {}',
           "SandboxViolation", "import of 'sandbox.worker'"),
    Attack("import_sandbox", 'import sandbox\nreturn {"r": str(sandbox.worker)}',
           "SandboxViolation", "import of 'sandbox'"),
    Attack("from_sandbox_import_worker", 'from sandbox import worker\nworker.os.system("touch " + marker)\nreturn {}',
           "SandboxViolation", "import of 'sandbox'"),
    Attack("from_strptime_import_calendar_sys",
           'from _strptime import calendar\n'
           'calendar.sys.modules["builtins"].open(marker, "w").write("escaped")\n'
           'return {"pid": calendar.sys.modules["os"].getpid()}',
           "SandboxViolation", "_strptime"),
    Attack("from_strptime_import_locale",
           'from _strptime import locale\nreturn {"r": locale.setlocale(locale.LC_ALL, "C")}',
           "SandboxViolation", "_strptime"),
    Attack("authoring_then_worker",
           'import sandbox.authoring\nsandbox.worker.os.system("touch " + marker)\nreturn {}',
           "ToolCrash", ("not callable", "worker")),
    Attack("from_json_import_codecs", 'from json import codecs\ncodecs.open(marker, "w").write("x")\nreturn {}',
           "ToolCrash", "codecs"),
    Attack("json_codecs_attribute", 'import json\njson.codecs.open(marker, "w").write("x")\nreturn {}',
           "ToolCrash", ("not callable", "codecs")),
    Attack("operator_attrgetter", 'import operator\nreturn {"r": str(operator.attrgetter("__class__")(db))}',
           "ToolCrash", ("not callable", "attrgetter")),
    Attack("from_operator_import_attrgetter",
           'from operator import attrgetter\nreturn {"r": str(attrgetter("__class__")(db))}',
           "ToolCrash", "attrgetter"),
    Attack("typing_get_type_hints",
           'import typing\n'
           'def f(x: "__import__(\'os\').system(\'touch \' + marker)"):\n'
           '    pass\n'
           'return {"r": str(typing.get_type_hints(f))}',
           "ToolCrash", ("not callable", "get_type_hints")),
    Attack("relative_import", 'from . import worker\nreturn {}', "SandboxViolation", "relative imports"),
    Attack("relative_import_parent", 'from ..sandbox import worker\nreturn {}', "SandboxViolation", "relative imports"),
    # forbidden builtins
    Attack("builtin_open", 'open(marker, "w").write("x")\nreturn {}', "SandboxViolation", "'open'"),
    Attack("builtin_compile", 'compile("1", marker, "eval")\nreturn {}', "SandboxViolation", "'compile'"),
    Attack("builtin_getattr", 'return {"r": str(getattr(db, "_send"))}', "SandboxViolation", "'getattr'"),
    Attack("builtin_setattr", 'setattr(db, "rng", None)\nreturn {}', "SandboxViolation", "'setattr'"),
    Attack("builtin_type", 'return {"r": str(type(db))}', "SandboxViolation", "'type'"),
    Attack("builtin_globals", 'return {"r": str(globals())}', "SandboxViolation", "'globals'"),
    Attack("builtin_vars", 'return {"r": str(vars(db))}', "SandboxViolation", "'vars'"),
    Attack("builtin_dir", 'return {"r": dir(db)}', "SandboxViolation", "'dir'"),
    Attack("builtin_object", 'return {"r": str(object)}', "SandboxViolation", "'object'"),
    # writes to the db handle and to module views
    Attack("assign_db_rng", 'db.rng = None\nreturn {}', "SandboxViolation", ""),
    Attack("assign_db_query", 'db.query = lambda *a: []\nreturn {}', "SandboxViolation", ""),
    Attack("delete_db_now", 'del db.now\nreturn {}', "SandboxViolation", ""),
    Attack("assign_math_pi", 'import math\nmath.pi = 3\nreturn {}', "SandboxViolation", "math"),
    Attack("assign_authoring_tool", 'import sandbox.authoring\nsandbox.authoring.tool = None\nreturn {}',
           "SandboxViolation", ""),
    # hidden attributes must fail, not evaluate to None
    Attack("hidden_attribute_is_none", 'import json\nreturn {"r": repr(json.codecs)}', "ToolCrash", "codecs"),
    Attack("hidden_submodule_is_none", 'import sandbox.authoring\nreturn {"r": repr(sandbox.worker)}',
           "ToolCrash", "worker"),
    # SQL
    Attack("sql_copy_to_file", 'db.execute("COPY items TO \'" + marker + "\'")\nreturn {}',
           "SandboxViolation", "COPY statements are not allowed"),
    Attack("sql_export_database", TOUCH + 'db.execute("EXPORT DATABASE \'" + marker + "\'")\nreturn {}',
           "SandboxViolation", "EXPORT statements are not allowed", writes=True),
    Attack("sql_read_csv", 'return {"r": db.query("SELECT * FROM read_csv(\'/etc/passwd\')")}',
           "SandboxViolation", "read_csv is not allowed in env SQL"),
    Attack("sql_read_text", 'return {"r": db.query("SELECT * FROM read_text(\'/etc/passwd\')")}',
           "SandboxViolation", "read_text is not allowed in env SQL"),
    Attack("sql_file_as_table", 'return {"r": db.query("SELECT * FROM \'/etc/passwd\'")}',
           "ToolCrash", "SQL failed"),
    Attack("sql_attach", TOUCH + 'db.execute("ATTACH \'" + marker + "\' AS evil")\nreturn {}',
           "SandboxViolation", "ATTACH statements are not allowed", writes=True),
    Attack("sql_install", TOUCH + 'db.execute("INSTALL httpfs")\nreturn {}',
           "SandboxViolation", "statements are not allowed", writes=True),
    Attack("sql_load", TOUCH + 'db.execute("LOAD httpfs")\nreturn {}',
           "SandboxViolation", "LOAD statements are not allowed", writes=True),
    Attack("sql_set", TOUCH + 'db.execute("SET enable_external_access = true")\nreturn {}',
           "SandboxViolation", "SET statements are not allowed", writes=True),
    Attack("sql_pragma", 'return {"r": db.query("PRAGMA database_list")}',
           "SandboxViolation", "PRAGMA statements are not allowed"),
    Attack("sql_duckdb_settings", 'return {"r": db.query("SELECT * FROM duckdb_settings()")}',
           "SandboxViolation", "duckdb_settings is not allowed in env SQL"),
    Attack("sql_query_function", 'return {"r": db.query("SELECT * FROM query(\'SELECT * FROM __toolace.v2_items\')")}',
           "SandboxViolation", "query is not allowed in env SQL"),
    Attack("sql_hidden_schema_read", 'return {"r": db.query("SELECT * FROM __toolace.v2_items")}',
           "SandboxViolation", "schema __toolace"),
    Attack("sql_hidden_schema_quoted", 'return {"r": db.query(\'SELECT * FROM "__TOOLACE"."v2_items"\')}',
           "SandboxViolation", "schema __toolace"),
    Attack("sql_hidden_schema_write", TOUCH + 'db.execute("DELETE FROM __toolace.v2_items")\nreturn {}',
           "SandboxViolation", "schema __toolace", writes=True),
    Attack("sql_multiple_statements", TOUCH + 'db.execute("SELECT 1; DROP TABLE items")\nreturn {}',
           "SandboxViolation", "exactly one SQL statement", writes=True),
    Attack("sql_create", TOUCH + 'db.execute("CREATE TABLE evil (x INTEGER)")\nreturn {}',
           "SandboxViolation", "CREATE statements are not allowed", writes=True),
    Attack("sql_drop", TOUCH + 'db.execute("DROP TABLE items")\nreturn {}',
           "SandboxViolation", "DROP statements are not allowed", writes=True),
    Attack("sql_alter", TOUCH + 'db.execute("ALTER TABLE items ADD COLUMN evil INTEGER")\nreturn {}',
           "SandboxViolation", "ALTER statements are not allowed", writes=True),
    Attack("sql_commit_midway", TOUCH + 'db.execute("COMMIT")\nreturn {}',
           "SandboxViolation", "TRANSACTION statements are not allowed", writes=True),
    Attack("sql_begin", TOUCH + 'db.execute("BEGIN TRANSACTION")\nreturn {}',
           "SandboxViolation", "TRANSACTION statements are not allowed", writes=True),
    Attack("sql_rollback", TOUCH + 'db.execute("ROLLBACK")\nreturn {}',
           "SandboxViolation", "TRANSACTION statements are not allowed", writes=True),
    Attack("write_from_read_only", 'db.execute("UPDATE items SET qty = 0")\nreturn {}',
           "SandboxViolation", "read-only"),
    Attack("insert_from_read_only", 'db.insert("items", [{"item_id": "EVIL", "qty": 1}])\nreturn {}',
           "SandboxViolation", "read-only"),
    Attack("swallowed_violation_write_tool",
           TOUCH + 'try:\n    db.execute("DROP TABLE items")\nexcept:\n    pass\nreturn {"ok": True}',
           "SandboxViolation", "DROP statements are not allowed", writes=True),
    Attack("swallowed_violation_read_only",
           'try:\n    db.execute("UPDATE items SET qty = 0")\nexcept:\n    pass\nreturn {"ok": True}',
           "SandboxViolation", "read-only"),
    Attack("swallowed_violation_then_tool_error",
           TOUCH + 'try:\n    db.query("SELECT * FROM __toolace.v2_items")\nexcept BaseException:\n    pass\n'
                   'raise ToolError("nothing to see")',
           "SandboxViolation", "schema __toolace", writes=True),
    Attack("sql_comment_before_paren_hidden",
           'return {"r": db.query("SELECT * FROM query_table/**/(\'__toolace.v2_items\')")}',
           "SandboxViolation", "query_table is not allowed in env SQL"),
    Attack("sql_comment_before_paren_settings",
           'return {"r": len(db.query("SELECT * FROM duckdb_settings/**/()"))}',
           "SandboxViolation", "duckdb_settings is not allowed in env SQL"),
    Attack("sql_catalog_view",
           'return {"r": db.query("SELECT schema_name, table_name FROM duckdb_tables")}',
           "SandboxViolation", "duckdb_tables"),
    Attack("sql_show_all_tables", 'return {"r": db.query("SHOW ALL TABLES")}',
           "SandboxViolation", "show is not allowed in env SQL"),
]

PROBE = tool_source("probe", '''
import math
return {"pi": math.pi, "rng": db.rng.random(), "now": db.now.isoformat(), "today": db.today.isoformat(),
        "items": db.query("SELECT * FROM items ORDER BY item_id"), "sorted": sorted([3, 1, 2])}
''', params={})


@pytest.fixture(scope="module")
def attack_env(tmp_path_factory):
    parts = [tool_source(a.name, a.body, writes=a.writes) for a in ATTACKS]
    env = load_source(tmp_path_factory.mktemp("attacks"), "attacks", module_source(PROBE, *parts), seed=5)
    yield env
    env.close()


@pytest.fixture(scope="module")
def baseline(attack_env):
    """What `probe` and the state look like before any attack ran."""
    return attack_env.call("probe").result, attack_env.state_hash()


@pytest.mark.parametrize("attack", [pytest.param(a, id=a.name) for a in ATTACKS])
def test_attack_is_contained(attack_env, baseline, tmp_path, attack: Attack):
    """The call fails, writes no file, changes no state and leaves the sandbox as it was."""
    probe, state = baseline
    marker = tmp_path / "marker"
    result = attack_env.call(attack.name, {"marker": str(marker)})
    assert not marker.exists()
    assert attack_env.state_hash() == state
    assert attack_env.call("probe").result == probe
    assert attack_env.call("ping").ok
    assert not result.ok, f"the attack got through: {result.result!r}"


@pytest.mark.parametrize("attack", [pytest.param(a, id=a.name) for a in ATTACKS])
def test_attack_error_type(attack_env, tmp_path, attack: Attack):
    result = attack_env.call(attack.name, {"marker": str(tmp_path / "marker")})
    assert result.error is not None, f"the attack got through: {result.result!r}"
    assert result.error.type == attack.error, result.error
    fragments = (attack.fragment,) if isinstance(attack.fragment, str) else attack.fragment
    assert any(f in result.error.message for f in fragments), result.error


def test_violation_fails_the_call_even_if_the_tool_returns_normally(attack_env, baseline):
    """The engine records the violation itself: a tool cannot launder it into success."""
    result = attack_env.call("swallowed_violation_write_tool", {"marker": "unused"})
    assert result.error is not None and result.error.type == "SandboxViolation"
    assert attack_env.state_hash() == baseline[1]
    assert attack_env.query("SELECT sum(qty) AS s FROM items") == [{"s": 10}]  # the +100 update was undone


# --------------------------------------------------------------------------- non-determinism

# (id, tool body, engine bug or None)
DETERMINISM = [
    ("rng_reseeded_from_os_entropy", 'db.rng.seed()\nreturn {"r": db.rng.random()}'),
    ("statistics_samples", 'import statistics\nreturn {"r": statistics.NormalDist().samples(3)}'),
    ("sql_random", 'return db.one("SELECT random() AS r")'),
    ("sql_uuid", 'return db.one("SELECT CAST(gen_random_uuid() AS VARCHAR) AS r")'),
    ("import_random", 'import random\nreturn {"r": random.random()}'),
    ("uuid4", 'import uuid\nreturn {"r": str(uuid.uuid4())}'),
]

# (id, tool body setting `clock` to the time as "%Y-%m-%d %H:%M"): every clock env code
# can read must be the env's frozen one, db.now.
CLOCKS = [
    ("datetime_now", 'import datetime\nclock = datetime.datetime.now().strftime(FMT)'),
    ("datetime_utcnow", 'import datetime\nclock = datetime.datetime.utcnow().strftime(FMT)'),
    ("date_today", 'import datetime\nclock = datetime.date.today().strftime("%Y-%m-%d") + " 09:00"'),
    ("time_gmtime", 'import time\nclock = time.strftime(FMT, time.gmtime())'),
    ("time_strftime", 'import time\nclock = time.strftime(FMT)'),
    ("strptime_time", 'from _strptime import time\nclock = time.strftime(FMT, time.gmtime(time.time()))'),
    ("sql_now", 'clock = db.scalar("SELECT strftime(now(), \'%Y-%m-%d %H:%M\')")'),
]


@pytest.fixture(scope="module")
def determinism_env(tmp_path_factory):
    tools = [tool_source(name, body, params={}) for name, body in DETERMINISM]
    tools += [tool_source(f"clock_{name}", body + '\nreturn {"clock": clock, "frozen": db.now.strftime(FMT)}',
                          params={})
              for name, body in CLOCKS]
    tools = ['\nFMT = "%Y-%m-%d %H:%M"\n', *tools]
    env = load_source(tmp_path_factory.mktemp("determinism"), "determinism", module_source(*tools), seed=SEED)
    yield env
    env.close()


@pytest.mark.parametrize("name", [name for name, _ in DETERMINISM])
def test_no_source_of_nondeterminism(determinism_env, name):
    """Either the sandbox refuses the call, or the same call gives the same answer."""
    first, second = determinism_env.call(name), determinism_env.call(name)
    if first.ok:
        assert first.result == second.result
    else:
        assert first.error is not None and first.error.type in ("SandboxViolation", "ToolCrash")


@pytest.mark.parametrize("name", [name for name, _ in CLOCKS])
def test_every_clock_is_the_frozen_clock(determinism_env, name):
    result = determinism_env.call(f"clock_{name}")
    if result.ok:
        assert result.result["clock"] == result.result["frozen"]
    else:  # refusing the clock is secure too
        assert result.error is not None and result.error.type in ("SandboxViolation", "ToolCrash")


# --------------------------------------------------------------------------- compile and load time


@dataclass(frozen=True)
class LoadAttack:
    name: str
    code: str  # appended to the module; MARKER is the path the attack would write
    needle: str  # text on the line the error must name
    fragment: str  # text the error message must contain


LOAD_ATTACKS = [
    LoadAttack("class_bases", 'EVIL = ().__class__.__bases__[0].__subclasses__()\nopen(MARKER, "w")',
               "EVIL = ()", 'invalid attribute name because it starts with "_"'),
    LoadAttack("function_globals", 'EVIL = ping.__globals__["__builtins__"]["open"](MARKER, "w")',
               "EVIL = ping", '"__globals__" is an invalid attribute name'),
    LoadAttack("function_code", "EVIL = ping.__code__.co_consts", "EVIL = ping", '"__code__" is an invalid attribute'),
    LoadAttack("subclasses_via_mro", "EVIL = int.mro()[1].__subclasses__()", "EVIL = int",
               '"__subclasses__" is an invalid attribute name'),
    LoadAttack("fstring_dunder", 'EVIL = f"{ping.__globals__}"', "EVIL = f", '"__globals__" is an invalid attribute'),
    LoadAttack("generator_frame", "GEN = (i for i in [1])\nEVIL = GEN.gi_frame.f_back.f_globals",
               "EVIL = GEN", '"gi_frame" is a restricted name'),
    LoadAttack("exception_traceback", "try:\n    1 / 0\nexcept Exception as exc:\n    EVIL = exc.__traceback__",
               "EVIL = exc", '"__traceback__" is an invalid attribute name'),
    LoadAttack("traceback_frame",
               "try:\n    1 / 0\nexcept Exception as exc:\n    EVIL = exc.with_traceback(None).tb_frame.f_globals",
               "EVIL = exc", "is a restricted name"),
    LoadAttack("dunder_import", '__import__("os").system("touch " + MARKER)', "__import__",
               '"__import__" is an invalid variable name'),
    LoadAttack("builtins_dict", '__builtins__["open"] = None', "__builtins__", '"__builtins__" is an invalid'),
    LoadAttack("import_builtins", 'import builtins\nbuiltins.open(MARKER, "w")', "import builtins",
               '"builtins" is a reserved name'),
    LoadAttack("eval_call", 'eval("open(MARKER, \'w\')")', "eval(", "Eval calls are not allowed"),
    LoadAttack("exec_call", 'exec("open(MARKER, \'w\')")', "exec(", "Exec calls are not allowed"),
    LoadAttack("positional_only_guard_name",
               '\n@tool\ndef shadow(db: Db, _getattr_=None, /) -> dict:\n    """Shadow the guard."""\n'
               '    return {"r": db.query.__self__}',
               "def shadow", '"_getattr_" is an invalid variable name'),
    LoadAttack("keyword_only_guard_name",
               '\n@tool\ndef shadow(db: Db, *, _getattr_: str = "") -> dict:\n    """Shadow the guard.\n\n'
               '    Args:\n        _getattr_: Anything.\n    """\n    return {}',
               "def shadow", '"_getattr_" is an invalid variable name'),
    LoadAttack("lambda_guard_name", "EVIL = lambda _write_: _write_", "EVIL = lambda",
               '"_write_" is an invalid variable name'),
    LoadAttack("global_guard_rebind", "def rebind():\n    global _getattr_\n    _getattr_ = None",
               "global _getattr_", "'global' is not allowed"),
    LoadAttack("authoring_private_name", "from sandbox.authoring import _dt", "import _dt",
               '"_dt" is an invalid variable name'),
    LoadAttack("db_private_send", 'def leak(db):\n    return db._send({"op": "done", "ok": True})',
               "db._send", '"_send" is an invalid attribute name'),
    LoadAttack("match_class_pattern",
               "def leak(x):\n    match x:\n        case str(__class__=c):\n            return c",
               "match x", "Match statements are not allowed"),
    LoadAttack("metaclass_keyword", "class Evil(metaclass=int):\n    pass", "class Evil",
               'keyword argument "metaclass" is not allowed'),
    LoadAttack("import_os_at_load", 'import os\nos.system("touch " + MARKER)', "import os", "import of 'os'"),
    LoadAttack("string_annotation_not_evaluated",
               '\n@tool\ndef hint(db: Db, x: "__import__(\'os\').system(\'touch \' + MARKER)") -> dict:\n'
               '    """Evaluate my hint.\n\n    Args:\n        x: Anything.\n    """\n    return {}',
               "def hint", "string annotations are not supported"),
]

INSERT = 'db.insert("items", [{"item_id": "I%02d" % i, "qty": i} for i in range(5)])\n'

FAKER_ATTACKS = [
    LoadAttack("fake_random", INSERT + "fake.random.seed(1)", "fake.random", "fake.random is not available"),
    LoadAttack("fake_seed_instance", INSERT + "fake.seed_instance(1)", "fake.seed_instance",
               "fake.seed_instance is not available"),
    LoadAttack("fake_seed", INSERT + "fake.seed(1)", "fake.seed(", "fake.seed is not available"),
    LoadAttack("fake_providers", INSERT + "fake.providers", "fake.providers", "fake.providers is not available"),
    LoadAttack("fake_unique_random", INSERT + "fake.unique.random.seed(1)", "fake.unique",
               "fake.random is not available"),
    LoadAttack("fake_assign", INSERT + "fake.random = None", "fake.random = None", "cannot assign"),
]


def _load_sources(directory) -> dict[str, tuple[str, str]]:
    """name -> (source, marker path) for every load-time attack and the Faker determinism modules."""
    sources = {}
    for attack in LOAD_ATTACKS:
        marker = directory / f"{attack.name}.marker"
        prelude = f"\nMARKER = {str(marker)!r}\n"
        sources[attack.name] = (module_source("\n" + attack.code, prelude=prelude), str(marker))
    for attack in FAKER_ATTACKS:
        sources[attack.name] = (module_source(seed=seed_source(attack.code)), "")
    # Two identical modules each: does the same seed give the same state?
    plain = seed_source('db.insert("items", [{"item_id": fake.name(), "qty": fake.random_int(0, 9)}])')
    reseeding = seed_source('fake.pystr_format("{{seed_instance}}")\n'
                            'db.insert("items", [{"item_id": fake.name(), "qty": fake.random_int(0, 9)}])')
    dated = seed_source('db.insert("items", [\n'
                        '    {"item_id": "faker_today", "qty": fake.date_between("today", "today").toordinal()},\n'
                        '    {"item_id": "frozen_today", "qty": db.today.toordinal()},\n'
                        '    {"item_id": "faker_now", "qty": int(fake.date_time_between("now", "now").timestamp())},\n'
                        '    {"item_id": "frozen_now", "qty": int(db.now.timestamp())}])')
    sources["faker_dates"] = (module_source(seed=dated), "")
    for copy in ("a", "b"):
        sources[f"faker_plain_{copy}"] = (module_source(seed=plain), "")
        sources[f"faker_parse_{copy}"] = (module_source(seed=reseeding), "")
    return sources


@pytest.fixture(scope="module")
def loads(tmp_path_factory):
    directory = tmp_path_factory.mktemp("loads")
    sources = _load_sources(directory)
    results = load_many(directory, {name: src for name, (src, _) in sources.items()}, seed=SEED)
    yield {name: (results[name], *sources[name]) for name in sources}
    for result in results.values():
        if not isinstance(result, EnvLoadError):
            result.close()


@pytest.mark.parametrize("attack", LOAD_ATTACKS + FAKER_ATTACKS, ids=lambda a: a.name)
def test_load_time_attack_is_refused(loads, attack: LoadAttack):
    result, source, marker = loads[attack.name]
    assert isinstance(result, EnvLoadError), f"the module loaded: {attack.name}"
    line = next(n for n, text in enumerate(source.splitlines(), 1) if attack.needle in text)
    _, reported, message = result.problems[0]
    assert reported == line, f"error names line {reported}, the attack is on line {line}: {message}"
    assert f":{line}:" in str(result)
    assert attack.fragment in message
    if attack in FAKER_ATTACKS:
        assert message.startswith("seed(): SandboxViolation")
    if marker:
        assert not Path(marker).exists()


def test_same_seed_same_state_with_plain_faker(loads):
    a, b = loads["faker_plain_a"][0], loads["faker_plain_b"][0]
    assert not isinstance(a, EnvLoadError) and not isinstance(b, EnvLoadError)
    assert a.state_hash() == b.state_hash()


def test_faker_cannot_be_reseeded_through_templates(loads):
    a, b = loads["faker_parse_a"][0], loads["faker_parse_b"][0]
    if isinstance(a, EnvLoadError) or isinstance(b, EnvLoadError):
        return  # refusing the module is a correct block too
    assert a.state_hash() == b.state_hash()


def test_faker_dates_follow_the_frozen_clock(loads):
    env = loads["faker_dates"][0]
    assert not isinstance(env, EnvLoadError), env.problems
    rows = {r["item_id"]: r["qty"] for r in env.query("SELECT * FROM items")}
    assert rows["faker_today"] == rows["frozen_today"], rows
    assert rows["faker_now"] == rows["frozen_now"], rows
