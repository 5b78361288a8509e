"""A failed SQL statement inside a write aborts DuckDB's transaction: a tool (or seed)
that catches the error and goes on must not report success with its writes gone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from envkit import load_source, module_source, seed_source, tool_source, try_load

from sandbox import Environment, EnvLoadError

SWALLOW = '''
db.execute("UPDATE items SET qty = qty + 100 WHERE item_id = 'I01'")
try:
    db.execute("INSERT INTO items VALUES ('I01', 1)")
except Exception:
    pass
return {"done": True}
'''
GO_ON = SWALLOW.replace("return", "db.execute(\"UPDATE items SET qty = qty + 1 WHERE item_id = 'I02'\")\nreturn")
READ_SWALLOW = '''
try:
    db.query("SELECT nope FROM items")
except Exception:
    pass
return db.one("SELECT qty FROM items WHERE item_id = 'I02'")
'''
RAISE = """db.execute("INSERT INTO items VALUES ('I01', 1)")
return {"done": True}"""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Environment]:
    source = module_source(tool_source("swallow", SWALLOW, writes=True, params={}),
                           tool_source("go_on", GO_ON, writes=True, params={}),
                           tool_source("read_swallow", READ_SWALLOW, params={}),
                           tool_source("duplicate", RAISE, writes=True, params={}))
    env = load_source(tmp_path_factory.mktemp("sqlerr"), "sqlerr", source)
    yield env
    env.close()


@pytest.mark.parametrize(("use", "tool"), [("call", "swallow"), ("peek", "swallow"), ("call", "go_on")])
def test_a_write_that_swallows_a_failed_statement_fails_and_changes_nothing(env: Environment, use: str,
                                                                             tool: str) -> None:
    env.reset()
    before = env.state_hash()
    result = getattr(env, use)(tool)
    assert not result.ok and result.error is not None
    assert result.error.type == "ToolCrash"
    assert "failed and the code went on" in result.error.message
    assert "Duplicate key" in result.error.message
    assert env.state_hash() == before
    assert env.query("SELECT qty FROM items WHERE item_id IN ('I01', 'I02') ORDER BY item_id") == \
        [{"qty": 1}, {"qty": 2}]


def test_a_write_whose_failed_statement_raises_reports_the_database_error(env: Environment) -> None:
    result = env.call("duplicate")
    assert not result.ok and result.error is not None
    assert "Duplicate key" in result.error.message
    assert "went on" not in result.error.message


def test_a_read_that_swallows_a_failed_statement_still_succeeds(env: Environment) -> None:
    result = env.call("read_swallow")
    assert result.ok and result.result == {"qty": 2}


def test_a_seed_that_swallows_a_failed_statement_fails_the_load(tmp_path: Path) -> None:
    seed = seed_source('''
        db.insert("items", [{"item_id": "I%02d" % i, "qty": i} for i in range(5)])
        try:
            db.execute("INSERT INTO items VALUES ('I01', 1)")
        except Exception:
            pass
    ''')
    loaded = try_load(tmp_path, "badseed", module_source(seed=seed))
    assert isinstance(loaded, EnvLoadError)
    assert "seed()" in str(loaded) and "failed and the code went on" in str(loaded)
