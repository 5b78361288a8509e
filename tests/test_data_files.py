"""Data files beside an env module: db.data() in seed(), refusals, and the env digest."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from sandbox import EnvLoadError, Limits, load_env
from sandbox.environment import Environment
from sandbox.registry import resolve

MODULE = '''
"""Items read from a data file."""
from sandbox.authoring import Db, Fake, tool

TABLES = """
CREATE TABLE items (item_id VARCHAR PRIMARY KEY, qty INTEGER NOT NULL);
"""

NAME = "items.json"


def seed(db: Db, fake: Fake) -> None:
    db.insert("items", db.data(NAME))


@tool(phrasing=["read {name}"])
def read(db: Db, name: str) -> list:
    """Tries db.data() from a tool.

    Args:
        name: A data file name.
    """
    return db.data(name)
'''


def make_env(directory: Path, name: str = "stock", data_name: str = "items.json",
             rows: object = ({"item_id": "A", "qty": 1}, {"item_id": "B", "qty": 2})) -> Path:
    module = directory / f"{name}.py"
    module.write_text(MODULE.replace('NAME = "items.json"', f"NAME = {data_name!r}"))
    data = directory / "data" / name
    data.mkdir(parents=True, exist_ok=True)
    (data / "items.json").write_text(json.dumps(list(rows)))
    return module


def load_problem(module: Path) -> str:
    with pytest.raises(EnvLoadError) as caught:
        load_env(module)
    return str(caught.value)


def test_seed_reads_its_data_file(tmp_path: Path) -> None:
    with load_env(make_env(tmp_path)) as env:
        assert env.query("SELECT * FROM items ORDER BY item_id") == [{"item_id": "A", "qty": 1},
                                                                   {"item_id": "B", "qty": 2}]


def test_a_tool_cannot_read_data_files(tmp_path: Path) -> None:
    with load_env(make_env(tmp_path)) as env:
        result = env.call("read", {"name": "items.json"})
        assert result.error.type == "SandboxViolation" and "seed() only" in result.error.message


def test_the_digest_covers_the_data_files(tmp_path: Path) -> None:
    module = make_env(tmp_path)
    first = resolve(module)
    assert first.data_files == (("items.json", hashlib.sha256((tmp_path / "data/stock/items.json").read_bytes())
                                 .hexdigest()),)
    (tmp_path / "data" / "stock" / "items.json").write_text(json.dumps([{"item_id": "C", "qty": 3}]))
    second = resolve(module)
    assert second.digest != first.digest and second.source == first.source
    (tmp_path / "data" / "stock" / "extra.json").write_text("[]")
    assert resolve(module).digest != second.digest  # a new file counts too
    plain = tmp_path / "plain.py"
    plain.write_text(module.read_text())
    assert resolve(plain).digest == hashlib.sha256(plain.read_text().encode()).hexdigest()  # no data: as before


def test_a_data_file_changed_after_resolving_is_refused(tmp_path: Path) -> None:
    module = make_env(tmp_path)
    source = resolve(module)
    (tmp_path / "data" / "stock" / "items.json").write_text(json.dumps([{"item_id": "Z", "qty": 9}]))
    with pytest.raises(EnvLoadError, match="changed since the env was loaded"):
        Environment(source, 0, Limits())


@pytest.mark.parametrize("name", ["../stock.py", "/etc/passwd", "sub/items.json", ".hidden.json", "..", "",
                                  "items.json/..", "a\\b.json"])
def test_names_that_are_not_plain_file_names_are_violations(tmp_path: Path, name: str) -> None:
    problem = load_problem(make_env(tmp_path, data_name=name))
    assert "plain file name" in problem and "seed()" in problem


def test_a_symlink_in_the_data_directory_is_not_served(tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps([{"item_id": "S", "qty": 7}]))
    module = make_env(tmp_path, data_name="link.json")
    os.symlink(secret, tmp_path / "data" / "stock" / "link.json")
    assert "link.json" not in dict(resolve(module).data_files)
    problem = load_problem(module)
    assert "no data file 'link.json'" in problem and "symlinks" in problem


def test_a_symlinked_data_directory_serves_nothing(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "items.json").write_text(json.dumps([{"item_id": "E", "qty": 1}]))
    module = tmp_path / "stock.py"
    module.write_text(MODULE)
    (tmp_path / "data").mkdir()
    os.symlink(elsewhere, tmp_path / "data" / "stock")
    assert resolve(module).data_files == ()
    assert "no data file 'items.json'" in load_problem(module)


def test_missing_and_non_json_files_are_refused(tmp_path: Path) -> None:
    assert "no data file 'other.json'" in load_problem(make_env(tmp_path, data_name="other.json"))
    for sub in ("text", "broken"):
        (tmp_path / sub).mkdir()
    text = make_env(tmp_path / "text", data_name="notes.txt")
    (tmp_path / "text" / "data" / "stock" / "notes.txt").write_text("hello")
    assert "not a .json file" in load_problem(text)
    broken = make_env(tmp_path / "broken")
    (tmp_path / "broken" / "data" / "stock" / "items.json").write_text("{not json")
    assert "not valid JSON" in load_problem(broken)
