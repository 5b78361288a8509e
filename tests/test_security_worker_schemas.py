"""Issue 15 leftover: the engine takes tool schemas from its worker only in the shape the
worker's own derivation writes (sandbox.tool_schema). A compromised worker (env code past
RestrictedPython, writing its own load reply) could otherwise make the engine compile a
ReDoS `pattern`, follow a `$ref` loop or run a `format` when it validates arguments.
"""

from __future__ import annotations

import copy

import pytest

from sandbox import EnvLoadError, environment, inspect_env
from sandbox.tool_schema import derived_schema_problem

GOOD = {"type": "object", "properties": {
    "order_id": {"type": "string", "description": "The order."},
    "status": {"type": ["string", "null"], "enum": ["a", "b", None], "default": None, "description": "S."},
    "lines": {"type": "array", "items": {"type": "object", "properties": {"q": {"type": "integer"}},
                                         "required": ["q"], "additionalProperties": False}, "description": "L."},
    "extra": {"anyOf": [{"type": "object", "additionalProperties": {"type": "number"}}, {"type": "null"}]},
    "anything": {"description": "Any value.", "default": {"pattern": "^(a+)+$"}},
}, "required": ["order_id"], "additionalProperties": False}


def with_change(path: list[str], value: object) -> dict:
    schema = copy.deepcopy(GOOD)
    target = schema
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return schema


HOSTILE = {
    "pattern": with_change(["properties", "order_id", "pattern"], "^(a+)+$"),
    "nested_pattern": with_change(["properties", "lines", "items", "properties", "q", "pattern"], "(x+x+)+y"),
    "pattern_properties": with_change(["patternProperties"], {"^(a|a)*$": {"type": "string"}}),
    "ref_loop": with_change(["properties", "order_id"], {"$ref": "#"}),
    "format": with_change(["properties", "order_id", "format"], "regex"),
    "in_any_of": with_change(["properties", "extra", "anyOf"], [{"pattern": "(a*)*b"}]),
    "bad_type": with_change(["properties", "order_id", "type"], "regex"),
    "not_a_schema": with_change(["properties", "order_id"], "pattern"),
    "dependent_schemas": with_change(["dependentSchemas"], {"order_id": {"$ref": "#"}}),
}


def test_a_derived_schema_passes():
    assert derived_schema_problem(GOOD) is None


@pytest.mark.slow  # a worker per env: 5-30 s on a loaded machine (every env load checks it too)
def test_every_schema_a_built_in_env_derives_passes():
    for name in ("retail", "banking", "travel", "calendar_mail", "tau_retail"):
        env = inspect_env(name)
        try:
            assert all(derived_schema_problem(t.parameters) is None for t in env.tools), name
        finally:
            env.close()


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_schema_the_derivation_does_not_write_is_named(kind):
    problem = derived_schema_problem(HOSTILE[kind])
    assert problem is not None and problem.startswith("parameters"), (kind, problem)


class _CompromisedWorker:
    """Stands in for a worker whose load reply env code wrote itself."""

    schema: dict = GOOD

    def __init__(self, load_message: dict, max_frame: int, max_depth: int = 128) -> None:
        self.restarts = 0

    def loaded(self) -> dict:
        return {"op": "loaded", "ok": True, "problems": [], "tables": "CREATE TABLE t (k VARCHAR PRIMARY KEY);",
                "description": "", "user_table": None, "confinement": {"applied": [], "missing": []},
                "tools": [{"function": {"name": "get", "description": "Get.", "parameters": self.schema},
                           "writes": False, "phrasing": [], "line": 7}]}

    def close(self) -> None:
        pass


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_the_engine_refuses_a_hostile_schema_from_its_worker_before_compiling_it(monkeypatch, kind):
    compiled: list[object] = []
    monkeypatch.setattr(_CompromisedWorker, "schema", HOSTILE[kind])
    monkeypatch.setattr(environment, "WorkerProcess", _CompromisedWorker)
    monkeypatch.setattr(environment.jsonschema, "Draft202012Validator",
                        type("Spy", (), {"check_schema": staticmethod(compiled.append)}))
    with pytest.raises(EnvLoadError) as raised:
        inspect_env("retail")
    assert "the worker sent a schema not derived from the code: parameters" in str(raised.value)
    assert compiled == []  # refused before jsonschema saw it


def test_the_engine_takes_a_derived_schema_from_the_same_worker(monkeypatch):
    monkeypatch.setattr(environment, "WorkerProcess", _CompromisedWorker)
    env = inspect_env("retail")
    try:
        assert [t.name for t in env.tools] == ["get"]
        assert env._invalid("get", {"order_id": "x", "anything": {"pattern": "^(a+)+$"}}) is None
        missing = env._invalid("get", {})
        assert missing is not None and missing.error is not None
        assert missing.error.message == "missing required argument 'order_id' for get"
    finally:
        env.close()
