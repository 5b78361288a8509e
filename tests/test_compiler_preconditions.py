"""Issue 17, transitions with the preconditions their descriptions state: "cancel a
confirmed reservation" is allowed only from confirmed, "a reservation that is checked in
cannot be cancelled" never from checked in; two-word actions (check_in) are transitions."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sandbox import load_env
from toolace_mt.compiler.classify import classify
from toolace_mt.compiler.compile import read_specs
from toolace_mt.compiler.render import render

STATUS = {"type": "string", "enum": ["confirmed", "checked_in", "cancelled"]}
KEY = {"reservation_id": {"type": "integer", "description": "The reservation."}}
TOOLS = [
    {"name": "create_reservation", "description": "Reserve a room for a guest.",
     "inputSchema": {"type": "object", "properties": {"guest_name": {"type": "string"}}, "required": ["guest_name"]},
     "outputSchema": {"type": "object", "properties": {"reservation_id": {"type": "integer"}, "status": STATUS}}},
    {"name": "cancel_reservation", "description": "Cancel a confirmed reservation. A reservation that is checked in "
                                                  "cannot be cancelled.",
     "inputSchema": {"type": "object", "properties": KEY, "required": ["reservation_id"]}},
    {"name": "check_in_reservation", "description": "Check the guest of a confirmed reservation in.",
     "inputSchema": {"type": "object", "properties": KEY, "required": ["reservation_id"]}},
]


def test_transitions_keep_the_preconditions_their_descriptions_state(tmp_path: Path) -> None:
    spec = tmp_path / "hotel.json"
    spec.write_text(json.dumps({"tools": TOOLS}))
    plan = classify(read_specs([spec]))
    kinds = {t.ident: (t.kind, t.target_status, t.allowed_from, t.forbidden_from) for t in plan.tools}
    assert kinds["check_in_reservation"] == ("transition", "checked_in", ["confirmed"], [])
    assert kinds["cancel_reservation"] == ("transition", "cancelled", ["confirmed"], ["checked_in"])
    module = tmp_path / "hotel.py"
    module.write_text(render(plan, [spec.name]))
    with load_env(module) as env:
        created = env.call("create_reservation", {"guest_name": "Ada Moss"})
        assert created.ok
        key = created.result["reservation_id"]
        assert env.query("SELECT status FROM reservations WHERE reservation_id = ?", [key])[0]["status"] == \
            "confirmed"
        assert env.call("check_in_reservation", {"reservation_id": key}).ok
        refused = env.call("cancel_reservation", {"reservation_id": key})
        assert refused.error is not None and "checked_in" in refused.error.message
        assert env.query("SELECT status FROM reservations WHERE reservation_id = ?", [key])[0]["status"] == \
            "checked_in"


def test_a_span_ends_after_it_starts(tmp_path: Path) -> None:
    spec = tmp_path / "stays.json"
    spec.write_text(json.dumps({"tools": [
        {"name": "book_stay", "description": "Book a stay.", "inputSchema": {"type": "object", "properties": {
            "guest": {"type": "string"}, "checkIn": {"type": "string", "format": "date"},
            "checkOut": {"type": "string", "format": "date"}}, "required": ["guest", "checkIn", "checkOut"]},
         "outputSchema": {"type": "object", "properties": {"stay_id": {"type": "integer"}}}},
        {"name": "get_stay", "description": "Get a stay.", "inputSchema": {"type": "object", "properties": {
            "stay_id": {"type": "integer"}}, "required": ["stay_id"]}}]}))
    module = tmp_path / "stays.py"
    module.write_text(render(classify(read_specs([spec])), [spec.name]))
    with load_env(module) as env:
        stays = env.query("SELECT checkIn, checkOut FROM stays")
        nights = [(date.fromisoformat(s["checkOut"]) - date.fromisoformat(s["checkIn"])).days for s in stays]
        assert nights and all(1 <= n <= 7 for n in nights)
        backwards = env.call("book_stay", {"guest": "Ada", "checkIn": "2026-05-10", "checkOut": "2026-05-08"})
        assert backwards.error is not None and "is before the check in" in backwards.error.message
        assert env.call("book_stay", {"guest": "Ada", "checkIn": "2026-05-10", "checkOut": "2026-05-12"}).ok
