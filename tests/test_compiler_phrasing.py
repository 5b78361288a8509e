"""Issue 17, compiled wording and seed values: phrasing hints say the row a tool acts on
with its noun and key, cryptic parameter names by their description, the signed-in user
as "my"; seeded values follow the field's description when its name says nothing, PINs
are digits, a read named after a field it shows (get_flight_status) has that field."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sandbox import load_env
from toolace_mt.compiler.classify import classify
from toolace_mt.compiler.compile import read_specs
from toolace_mt.compiler.plan import EnvPlan
from toolace_mt.compiler.render import phrasing, render


def _plan(tmp_path: Path, tools: list[dict[str, Any]]) -> tuple[EnvPlan, Path]:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({"tools": tools}))
    return classify(read_specs([path])), path


def _fn(name: str, description: str, properties: dict, required: list[str]) -> dict:
    return {"type": "function", "function": {"name": name, "description": description, "parameters": {
        "type": "object", "properties": properties, "required": required}}}


PET_TOOLS = [
    _fn("add_pet", "Register a pet.", {"name": {"type": "string"}}, ["name"]),
    _fn("get_pet", "Get a pet by id.", {"pet_id": {"type": "integer"}}, ["pet_id"]),
    _fn("search_pets", "Find pets by name.", {"q": {"type": "string", "description": "Words of the name."}},
        ["q"]),
    _fn("send_note", "Send a note to a recipient.", {
        "to": {"type": "string", "description": "Recipient email address"},
        "num_days": {"type": "integer", "description": "The number of days to keep it"}}, ["to", "num_days"]),
]


def _hints(plan: EnvPlan, tool: str) -> list[str]:
    return phrasing(next(t for t in plan.tools if t.ident == tool), plan)


def test_a_keyed_tool_is_asked_for_by_its_noun_and_key(tmp_path: Path) -> None:
    plan, _ = _plan(tmp_path, PET_TOOLS)
    hints = _hints(plan, "get_pet")
    assert hints[0] == "Please get pet {pet_id}."
    assert all("by id" not in h and "pet id {pet_id}" not in h for h in hints)


def test_cryptic_names_are_said_by_their_description(tmp_path: Path) -> None:
    plan, _ = _plan(tmp_path, PET_TOOLS)
    note = _hints(plan, "send_note")[0]
    assert "recipient {to}" in note and "number of days {num_days}" in note
    assert not re.search(r"\bto \{to\}|num days", note)
    assert "matching {q}" in _hints(plan, "search_pets")[0]


def test_the_signed_in_user_is_said_as_me(tmp_path: Path) -> None:
    plan, _ = _plan(tmp_path, [
        _fn("login", "Log in.", {"username": {"type": "string"}, "password": {"type": "string"}},
            ["username", "password"]),
        _fn("list_my_orders", "List the signed-in user's orders.", {}, []),
        _fn("logout", "Log out the current user.", {}, []),
    ])
    assert _hints(plan, "list_my_orders")[0] == "Please list my orders."
    assert _hints(plan, "logout")[1] == "Could you log me out?"


def test_seed_values_follow_descriptions_and_a_named_field_is_shown(tmp_path: Path) -> None:
    plan, spec = _plan(tmp_path, [
        _fn("login", "Sign in.", {"member": {"type": "string"}, "pin": {"type": "string"}}, ["member", "pin"]),
        _fn("send_email", "Send an email.", {"to": {"type": "string", "description": "Recipient email address"},
                                             "body": {"type": "string"}}, ["to", "body"]),
        _fn("book_flight", "Book a flight.", {"flight_number": {"type": "string"},
                                              "passenger_name": {"type": "string"}}, ["flight_number"]),
        _fn("get_flight_status", "Get the status of a flight.", {"flight_number": {"type": "string"}},
            ["flight_number"]),
    ])
    module = tmp_path / "env.py"
    module.write_text(render(plan, [spec.name]))
    with load_env(module) as env:
        assert all(re.fullmatch(r"\d{4}", r["pin"]) for r in env.query("SELECT pin FROM users"))
        assert all("@" in r["to_value"] for r in env.query("SELECT to_value FROM emails"))
        flight = env.query("SELECT flight_number FROM flights LIMIT 1")[0]["flight_number"]
        status = env.call("get_flight_status", {"flight_number": flight})
        assert status.ok and status.result["status"] in ("scheduled", "on time", "delayed", "boarding",
                                                         "departed", "landed", "cancelled")
