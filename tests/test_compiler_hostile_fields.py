"""Issue 17: a spec with odd values anywhere (null, wrong types, empty enums, a broken or
catastrophic `pattern`, huge text, unknown type names) either compiles or stops with a
SpecError naming the file and the place: never a traceback. Mutations are seeded, so a
failure names the case that broke."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from toolace_mt.compiler.classify import classify
from toolace_mt.compiler.compile import read_specs
from toolace_mt.compiler.errors import SpecError
from toolace_mt.compiler.render import render

FRESH = Path(__file__).resolve().parent.parent / "fixtures" / "specs" / "fresh"
ODD: list[Any] = [None, 1, -1, 1.5, True, "", "x", [], {}, [1, "a"], {"$ref": "#/x"}, {"type": "tuple"}, "a" * 3000,
                  {"type": ["null"]}, {"enum": []}, {"type": "object", "properties": []}, {"pattern": "("},
                  {"type": "string", "pattern": "(a+)+$"}, {"minimum": "x"}, {"format": 5}, {"items": None},
                  {"allOf": [None]}, {"oneOf": "x"}, {"type": "float", "exclusiveMinimum": True}]


def _load(path: Path) -> tuple[Any, bool]:
    text = path.read_text()
    if path.suffix in (".yaml", ".yml"):
        return yaml.safe_load(text), False
    if text.lstrip().startswith('{"name"'):
        return [json.loads(line) for line in text.splitlines() if line.strip()], True
    return json.loads(text), False


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in items:
        found += _paths(value, (*prefix, key))
    return found


@pytest.mark.parametrize("name", ["openai_biobank.json", "mcp_garden.json", "openapi_permits.yaml",
                                  "bfcl_observatory.json"])
def test_odd_values_anywhere_compile_or_give_a_spec_error(tmp_path: Path, name: str) -> None:
    base, lines = _load(FRESH / name)
    places = _paths(base)
    rng = random.Random(name)
    for case in range(12):
        doc = copy.deepcopy(base)
        for _ in range(rng.randint(1, 3)):
            place = rng.choice(places)
            node = doc
            try:
                for part in place[:-1]:
                    node = node[part]
                node[place[-1]] = copy.deepcopy(rng.choice(ODD))
            except (KeyError, IndexError, TypeError):
                continue  # an earlier change removed the way there
        spec = tmp_path / f"case{case}.json"
        spec.write_text("\n".join(json.dumps(d) for d in doc) if lines else json.dumps(doc))
        try:
            source = render(classify(read_specs([spec])), [spec.name])
        except SpecError as error:
            assert error.file == str(spec) and error.place, (name, case, str(error))
            continue
        compile(source, spec.name, "exec")  # the module is Python (our own output, parsed, not run)
