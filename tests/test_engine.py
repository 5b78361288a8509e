"""The engine: schemas, argument validation, atomicity, snapshots, hash, diff, clock, RNG."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sandbox import EnvLoadError, UnknownEnv, load_env
from sandbox.registry import resolve

SHOP = '''
"""A tiny shop for engine tests."""
from typing import Literal, TypedDict

from sandbox.authoring import ToolError, tool

TABLES = """
CREATE TABLE items (item_id VARCHAR PRIMARY KEY, name VARCHAR, price DOUBLE, stock INTEGER, note VARCHAR);
CREATE TABLE sales (sale_id INTEGER PRIMARY KEY, item_id VARCHAR, qty INTEGER);
"""

ORDER = "forward"


Address = TypedDict("Address", {"street": str, "zip": str})


def seed(db, fake):
    rows = [{"item_id": "I%02d" % i, "name": fake.word(), "price": round(1.5 * i, 2), "stock": i % 4,
             "note": None} for i in range(1, 21)]
    if ORDER == "reverse":
        rows = list(reversed(rows))
    db.insert("items", rows)


@tool(phrasing=["show me {item_id}"])
def get_item(db, item_id: str) -> dict:
    """Look up one item.

    Args:
        item_id: The item's id.
    """
    row = db.one("SELECT * FROM items WHERE item_id = ?", [item_id])
    if row is None:
        raise ToolError(f"item {item_id} not found")
    return row


@tool(writes=True, phrasing=["sell {qty} of {item_id}"])
def sell(db, item_id: str, qty: int = 1, channel: Literal["web", "store"] = "web",
         ship_to: Address | None = None, tags: list[str] | None = None) -> dict:
    """Sell some units of an item.

    Args:
        item_id: The item to sell.
        qty: How many units.
        channel: Where the sale happens.
        ship_to: Delivery address, for web sales.
        tags: Free labels.
    """
    item = get_item(db, item_id)
    db.execute("UPDATE items SET stock = stock - ? WHERE item_id = ?", [qty, item_id])
    if item["stock"] < qty:
        raise ToolError(f"only {item['stock']} of {item_id} left")
    sale_id = (db.scalar("SELECT max(sale_id) FROM sales") or 0) + 1
    db.execute("INSERT INTO sales VALUES (?, ?, ?)", [sale_id, item_id, qty])
    return {"sale_id": sale_id, "item_id": item_id, "qty": qty}


@tool(writes=True, phrasing=["break {item_id}"])
def buggy_update(db, item_id: str) -> dict:
    """Updates a row, then fails with an env bug.

    Args:
        item_id: The item.
    """
    db.execute("UPDATE items SET note = 'touched' WHERE item_id = ?", [item_id])
    return {"x": {}}["missing"]


@tool(phrasing=["what time is it"])
def clock(db) -> dict:
    """The env's time and a random draw."""
    import datetime
    return {"now": db.now.isoformat(), "datetime_now": datetime.datetime.now().isoformat(),
            "today": datetime.date.today().isoformat(), "draw": db.rng.random()}


@tool(writes=True, phrasing=["note {item_id}"])
def set_note(db, item_id: str, note: str | None) -> dict:
    """Set or clear an item's note.

    Args:
        item_id: The item.
        note: The note text, or null to clear it.
    """
    db.execute("UPDATE items SET note = ? WHERE item_id = ?", [note, item_id])
    return get_item(db, item_id)


@tool(writes=True, phrasing=["reprice {item_id}"])
def set_price(db, item_id: str, price: float) -> dict:
    """Set an item's price.

    Args:
        item_id: The item.
        price: The new price.
    """
    db.execute("UPDATE items SET price = ? WHERE item_id = ?", [price, item_id])
    return get_item(db, item_id)


@tool(writes=True, phrasing=["remove {item_id}"])
def remove_item(db, item_id: str) -> dict:
    """Delete an item.

    Args:
        item_id: The item.
    """
    return {"deleted": db.execute("DELETE FROM items WHERE item_id = ?", [item_id])}
'''


@pytest.fixture(scope="module")
def shop_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("envs") / "shop.py"
    path.write_text(SHOP)
    return path


@pytest.fixture(scope="module")
def shop(shop_path: Path):
    with load_env(shop_path, seed=5) as env:
        yield env


@pytest.fixture(autouse=True)
def _fresh(request: pytest.FixtureRequest) -> None:
    if "shop" in request.fixturenames:
        request.getfixturevalue("shop").reset()


def test_schema_is_derived_from_signature_and_docstring(shop) -> None:
    sell = shop.tool("sell")
    assert sell.writes is True and shop.tool("get_item").writes is False
    assert sell.description == "Sell some units of an item."
    params = sell.parameters
    assert params["required"] == ["item_id"]
    assert params["additionalProperties"] is False
    assert params["properties"]["qty"] == {"type": "integer", "description": "How many units.", "default": 1}
    assert params["properties"]["channel"]["enum"] == ["web", "store"]
    assert params["properties"]["ship_to"] == {
        "type": ["object", "null"], "properties": {"street": {"type": "string"}, "zip": {"type": "string"}},
        "required": ["street", "zip"], "additionalProperties": False, "description": "Delivery address, for web sales.",
        "default": None}
    assert params["properties"]["tags"] == {"type": ["array", "null"], "items": {"type": "string"},
                                            "description": "Free labels.", "default": None}
    assert shop.tool("set_note").parameters["properties"]["note"]["type"] == ["string", "null"]
    assert shop.tool("clock").parameters == {"type": "object", "properties": {}, "required": [],
                                             "additionalProperties": False}
    assert shop.openai_tools()[0]["type"] == "function"
    assert sell.phrasing == ["sell {qty} of {item_id}"]


@pytest.mark.parametrize(("args", "argument", "fragment"), [
    ({"item_id": "I01", "colour": "red"}, "colour", "unknown argument 'colour'"),
    ({}, "item_id", "missing required argument 'item_id'"),
    ({"item_id": 7}, "item_id", "expected string, got 7"),
    ({"item_id": "I01", "qty": "2"}, "qty", "expected integer"),
    ({"item_id": "I01", "channel": "phone"}, "channel", 'expected one of ["web", "store"]'),
    ({"item_id": "I01", "ship_to": {"street": "Main"}}, "ship_to", "ship_to"),
])
def test_invalid_arguments_name_the_argument_and_leave_state(shop, args, argument, fragment) -> None:
    before = shop.state_hash()
    result = shop.call("sell", args)
    assert not result.ok and result.error.type == "InvalidArguments"
    assert result.error.argument == argument
    assert fragment in result.error.message
    assert shop.state_hash() == before


def test_unknown_tool(shop) -> None:
    result = shop.call("refund", {})
    assert result.error.type == "UnknownTool" and "get_item" in result.error.message


def test_tool_error_rolls_back_partial_writes(shop) -> None:
    item = shop.query("SELECT item_id, stock FROM items WHERE stock = 0 LIMIT 1")[0]
    before = shop.state_hash()
    result = shop.call("sell", {"item_id": item["item_id"], "qty": 1})
    assert result.error.type == "ToolError"
    assert result.error.message == f"only 0 of {item['item_id']} left"
    assert shop.state_hash() == before
    assert shop.query("SELECT stock FROM items WHERE item_id = ?", [item["item_id"]])[0]["stock"] == 0


def test_crash_rolls_back_and_reports_location(shop) -> None:
    before = shop.state_hash()
    result = shop.call("buggy_update", {"item_id": "I01"})
    assert result.error.type == "ToolCrash"
    assert "KeyError" in result.error.message and "shop.py:" in result.error.message
    assert shop.state_hash() == before


def test_successful_write_commits_and_diff_is_by_key(shop) -> None:
    start = shop.snapshot()
    sold = shop.call("sell", {"item_id": "I03", "qty": 2})
    assert sold.ok and sold.result == {"sale_id": 1, "item_id": "I03", "qty": 2}
    assert shop.call("remove_item", {"item_id": "I04"}).result == {"deleted": 1}
    diff = shop.diff(start)
    assert set(diff.tables) == {"items", "sales"}
    items = diff.tables["items"]
    assert [c.key for c in items.changed] == [{"item_id": "I03"}]
    assert items.changed[0].columns["stock"].before == 3 and items.changed[0].columns["stock"].after == 1
    assert set(items.changed[0].columns) == {"stock"}
    assert [r["item_id"] for r in items.removed] == ["I04"]
    assert diff.tables["sales"].added == [{"sale_id": 1, "item_id": "I03", "qty": 2}]
    assert diff.summary() == "items: 1 removed, 1 changed; sales: 1 added"


def test_snapshot_restore_and_reset(shop) -> None:
    initial = shop.state_hash()
    shop.call("sell", {"item_id": "I03"})
    middle_snap, middle = shop.snapshot(), shop.state_hash()
    shop.call("sell", {"item_id": "I03"})
    assert shop.state_hash() not in (initial, middle)
    shop.restore(middle_snap)
    assert shop.state_hash() == middle
    assert shop.diff(middle_snap).empty
    shop.reset()
    assert shop.state_hash() == initial
    assert shop.diff().empty


def test_hash_ignores_row_order_but_sees_values(tmp_path: Path) -> None:
    reverse = tmp_path / "shop_reverse.py"
    reverse.write_text(SHOP.replace('ORDER = "forward"', 'ORDER = "reverse"'))
    forward = tmp_path / "shop_forward.py"
    forward.write_text(SHOP)
    with load_env(forward, seed=5) as a, load_env(reverse, seed=5) as b:
        assert a.digest != b.digest
        assert a.state_hash() == b.state_hash()
        a.call("set_price", {"item_id": "I02", "price": 0.1 + 0.2})
        b.call("set_price", {"item_id": "I02", "price": 0.3})
        assert a.state_hash() == b.state_hash()  # floats are canonicalised to 6 decimals
        a.call("set_note", {"item_id": "I05", "note": "NULL"})
        assert a.state_hash() != b.state_hash()  # the string 'NULL' is not NULL
        b.call("set_note", {"item_id": "I05", "note": "NULL"})
        assert a.state_hash() == b.state_hash()


def test_initial_state_is_the_same_in_another_process(shop, shop_path: Path) -> None:
    code = textwrap.dedent(f"""
        from sandbox import load_env
        with load_env({str(shop_path)!r}, seed=5) as env:
            print(env.state_hash())
            print(env.call("clock").result["draw"])
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == shop.state_hash()
    assert float(out[1]) == shop.call("clock").result["draw"]


def test_seed_changes_state_and_clock(shop_path: Path, shop) -> None:
    with load_env(shop_path, seed=6) as other:
        assert other.state_hash() != shop.state_hash()
        assert other.now != shop.now


def test_frozen_clock_and_replayable_rng(shop) -> None:
    first = shop.call("clock").result
    assert first["now"] == first["datetime_now"] == shop.now.isoformat()
    assert first["today"] == shop.now.date().isoformat()
    assert shop.call("clock").result["draw"] == first["draw"]  # reads do not advance it
    shop.call("sell", {"item_id": "I03"})
    assert shop.call("clock").result["draw"] != first["draw"]  # a committed write does
    shop.reset()
    assert shop.call("clock").result["draw"] == first["draw"]  # and a restore rewinds it


def test_env_digest_and_names(tmp_path: Path) -> None:
    src = resolve("retail")
    assert src.name == "retail" and src.path.endswith("tool_envs/retail.py") and len(src.digest) == 64
    with pytest.raises(UnknownEnv, match=r"unknown env 'nope'; built-in envs: .*retail"):
        resolve("nope")
    with pytest.raises(UnknownEnv, match="does not exist"):
        resolve(tmp_path / "missing.py")


@pytest.mark.parametrize(("body", "line", "fragment"), [
    ("@tool\ndef f(db, x: int) -> int:\n    return x\n", 9, "has no docstring"),
    ("@tool\ndef f(db, x) -> int:\n    '''Doc.\n\n    Args:\n        x: X.\n    '''\n    return x\n", 9,
     "has no type hint"),
    ("@tool\ndef f(db, x: int) -> int:\n    '''Doc.'''\n    return x\n", 9, "not described in the docstring"),
    ("@tool\ndef f(db, x: set) -> int:\n    '''Doc.\n\n    Args:\n        x: X.\n    '''\n    return 1\n", 9,
     "has no JSON schema"),
    ("def f(db):\n    return db.__class__\n", 9, '"__class__" is an invalid attribute name'),
    ("x = = 1\n", 8, "syntax error"),
])
def test_bad_modules_fail_to_load_with_file_and_line(tmp_path: Path, body: str, line: int, fragment: str) -> None:
    head = '"""Bad."""\nfrom sandbox.authoring import tool\nTABLES = "CREATE TABLE t (id INTEGER PRIMARY KEY)"\n\n' \
           'def seed(db, fake):\n    pass\n\n'
    path = tmp_path / "bad.py"
    path.write_text(head + body)
    with pytest.raises(EnvLoadError) as info:
        load_env(path)
    file, got_line, message = info.value.problems[0]
    assert file == str(path)
    assert fragment in message
    assert got_line == line


@pytest.mark.parametrize(("tables", "fragment"), [
    ("CREATE TABLE t (id INTEGER)", "table t has no PRIMARY KEY"),
    ("CREATE VIEW v AS SELECT 1", "only CREATE TABLE statements"),
    ("CREATE TABLE __toolace.t (id INTEGER PRIMARY KEY)", "schema __toolace is not accessible"),
])
def test_bad_tables_are_reported(tmp_path: Path, tables: str, fragment: str) -> None:
    path = tmp_path / "bad_tables.py"
    path.write_text(f'"""Bad."""\nfrom sandbox.authoring import tool\nTABLES = {tables!r}\n\n'
                    'def seed(db, fake):\n    pass\n\n@tool\ndef f(db) -> int:\n    """Doc."""\n    return 1\n')
    with pytest.raises(EnvLoadError, match=fragment):
        load_env(path)


def test_seed_failure_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad_seed.py"
    path.write_text('"""Bad."""\nfrom sandbox.authoring import tool\n'
                    'TABLES = "CREATE TABLE t (id INTEGER PRIMARY KEY)"\n\ndef seed(db, fake):\n'
                    '    db.insert("t", [{"id": 1}, {"id": 1}])\n\n'
                    '@tool\ndef f(db) -> int:\n    """Doc."""\n    return 1\n')
    with pytest.raises(EnvLoadError) as info:
        load_env(path)
    _, line, message = info.value.problems[0]
    assert line == 6 and "seed(): ToolCrash" in message and "duplicate key" in message


def test_result_content_is_canonical_json(shop) -> None:
    ok = shop.call("get_item", {"item_id": "I01"})
    assert json.loads(ok.content()) == ok.result
    bad = shop.call("get_item", {"item_id": "nope"})
    assert json.loads(bad.content()) == {"error": {"type": "ToolError", "message": "item nope not found"}}


def test_module_level_values_are_constants(tmp_path: Path) -> None:
    path = tmp_path / "counter.py"
    path.write_text('"""Counter."""\nfrom sandbox.authoring import tool\n'
                    'TABLES = "CREATE TABLE t (id INTEGER PRIMARY KEY)"\nSEEN = {"calls": 0}\nLIMITS = [1, [2]]\n\n'
                    'def seed(db, fake):\n    pass\n\n'
                    '@tool\ndef bump(db) -> dict:\n    """Count calls in a module dict (state outside the tables)."""\n'
                    '    SEEN["calls"] = SEEN["calls"] + 1\n    return SEEN\n\n'
                    '@tool\ndef nested(db) -> list:\n    """Append to a list inside a module constant."""\n'
                    '    LIMITS[1].append(3)\n    return LIMITS\n\n'
                    '@tool\ndef local(db) -> dict:\n    """A dict the call makes itself is writable."""\n'
                    '    d = dict(SEEN)\n    d["calls"] = 5\n    return d\n')
    with load_env(path) as env:
        for name in ("bump", "nested"):
            result = env.call(name)
            assert result.error.type == "SandboxViolation"
            assert "module-level values are constants" in result.error.message
        assert env.call("local").result == {"calls": 5}
    with_global = tmp_path / "global_state.py"
    with_global.write_text(path.read_text().replace('    SEEN["calls"] = SEEN["calls"] + 1\n',
                                                    '    global SEEN\n    SEEN = {"calls": 1}\n'))
    with pytest.raises(EnvLoadError, match="'global' is not allowed"):
        load_env(with_global)


def test_released_snapshots_free_their_copies(shop) -> None:
    store = shop._state()
    for _ in range(30):
        snap = shop.snapshot()
        shop.call("sell", {"item_id": "I03"})
        shop.restore(snap)
        shop.call("set_note", {"item_id": "I05", "note": "x"})
        del snap
    shop.snapshot()
    # the initial snapshot's copies, the current ones, and nothing accumulated per loop
    assert len(store._copies) <= 2 * len(store.tables)


def test_seeding_can_bulk_insert_megabytes(tmp_path: Path) -> None:
    path = tmp_path / "bulk.py"
    path.write_text('"""Bulk."""\nfrom sandbox.authoring import tool\n'
                    'TABLES = "CREATE TABLE t (id INTEGER PRIMARY KEY, text VARCHAR)"\n\n'
                    'def seed(db, fake):\n'
                    '    db.insert("t", [{"id": i, "text": "x" * 300} for i in range(20000)])\n\n'
                    '@tool\ndef count(db) -> int:\n    """Count rows."""\n'
                    '    return db.scalar("SELECT count(*) FROM t")\n')
    with load_env(path) as env:  # one insert message of about 6 MB
        assert env.call("count").result == 20000
