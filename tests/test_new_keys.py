"""A create that takes its new record's key from the caller gets a new key in the shape of
those on file (a key read off a row always exists already: the create could only fail)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from toolace_mt.generation.plan.new_keys import made_table, new_key
from toolace_mt.generation.workbench import Workbench

SPECIMENS = '''"""A biobank's specimens."""
from sandbox.authoring import Db, Fake, ToolError, tool

TABLES = """
CREATE TABLE specimens (barcode VARCHAR PRIMARY KEY, material VARCHAR NOT NULL, volume DOUBLE NOT NULL,
                        rack VARCHAR NOT NULL);
"""


def seed(db: Db, fake: Fake) -> None:
    db.insert("specimens", [{"barcode": "BB%06d" % (4518 + i), "material": "plasma", "volume": 2.0,
                             "rack": "R-1"} for i in range(5)])


@tool(writes=True)
def catalogue_specimen(db: Db, barcode: str, material: str, volume: float, rack: str) -> dict:
    """Catalogue a new specimen.

    Args:
        barcode: The tube's printed barcode.
        material: What the tube holds.
        volume: Volume in millilitres.
        rack: The rack to put it in.
    """
    if db.one("SELECT 1 FROM specimens WHERE barcode = ?", [barcode]) is not None:
        raise ToolError(f"specimen {barcode} already exists")
    row = {"barcode": barcode, "material": material, "volume": volume, "rack": rack}
    db.insert("specimens", [row])
    return row


@tool(writes=True)
def set_volume(db: Db, barcode: str, volume: float) -> dict:
    """Record a specimen's remaining volume.

    Args:
        barcode: The tube's printed barcode.
        volume: Volume in millilitres.
    """
    if db.one("SELECT 1 FROM specimens WHERE barcode = ?", [barcode]) is None:
        raise ToolError(f"specimen {barcode} not found")
    db.execute("UPDATE specimens SET volume = ? WHERE barcode = ?", [volume, barcode])
    return {"barcode": barcode, "volume": volume}


@tool(writes=True)
def update_specimen(db: Db, barcode: str, material: str, volume: float, rack: str) -> dict:
    """Replace a specimen's details (its barcode must exist).

    Args:
        barcode: The tube's printed barcode.
        material: What the tube holds.
        volume: Volume in millilitres.
        rack: The rack to put it in.
    """
    if db.one("SELECT 1 FROM specimens WHERE barcode = ?", [barcode]) is None:
        raise ToolError(f"specimen {barcode} not found")
    db.execute("UPDATE specimens SET material = ?, volume = ?, rack = ? WHERE barcode = ?",
               [material, volume, rack, barcode])
    return {"barcode": barcode, "material": material, "volume": volume, "rack": rack}
'''


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    module = Path(tmp_path_factory.mktemp("keys")) / "specimens.py"
    module.write_text(SPECIMENS, encoding="utf-8")
    made = Workbench(str(module), 1)
    yield made
    made.close()


def test_a_create_naming_its_key_gets_a_new_one_shaped_like_the_rest(bench: Workbench) -> None:
    create, update = bench.tools["catalogue_specimen"], bench.tools["set_volume"]
    assert made_table(bench.values, create, "barcode") == ("specimens", "barcode")
    assert made_table(bench.values, update, "barcode") is None  # it acts on a record on file
    on_file = {r["barcode"] for r in bench.values.table_rows("specimens")}
    rng = random.Random(5)
    for _ in range(10):
        key = new_key(bench.values, "specimens", "barcode", rng)
        assert isinstance(key, str) and re.fullmatch(r"BB\d{6}", key) and key not in on_file
        result = bench.trial("catalogue_specimen", {"barcode": key, "material": "serum", "volume": 1.5, "rack": "R-2"})
        assert result.ok, result


def test_the_planner_proposes_creates_that_succeed(bench: Workbench) -> None:
    rng = random.Random(2)
    found = bench.succeed(bench.tools["catalogue_specimen"], rng, 6)
    assert found is not None and found[1].ok
    assert found[0].arguments["barcode"] not in {r["barcode"] for r in bench.values.table_rows("specimens")}


def test_a_replace_requiring_every_field_acts_on_a_record_on_file(bench: Workbench) -> None:
    # PUT-style: the schema requires the fields a new row needs, yet its name says it changes one
    replace = bench.tools["update_specimen"]
    assert made_table(bench.values, replace, "barcode") is None
    found = bench.succeed(replace, random.Random(3), 6)
    assert found is not None and found[1].ok
    assert found[0].arguments["barcode"] in {r["barcode"] for r in bench.values.table_rows("specimens")}
