"""Issue 17, rules found by compiling specs written fresh (fixtures/specs/fresh): devices
change state (on/off, locked both ways), a cart or menu means its items, a rating updates
the order it rates (only a delivered one), an assignment names a member's username."""

from __future__ import annotations

from pathlib import Path

from sandbox import load_env
from toolace_mt.compiler.classify import classify
from toolace_mt.compiler.compile import read_specs
from toolace_mt.compiler.render import render

FRESH = Path(__file__).resolve().parent.parent / "fixtures" / "specs" / "fresh"


def _module(tmp_path: Path, name: str) -> tuple[Path, dict[str, str]]:
    plan = classify(read_specs([FRESH / name]))
    out = tmp_path / "env.py"
    out.write_text(render(plan, [name]))
    return out, {t.ident: f"{t.kind} {t.table}" for t in plan.tools}


def test_devices_turn_on_and_off_and_locks_lock_both_ways(tmp_path: Path) -> None:
    module, kinds = _module(tmp_path, "bfcl_smart_home.json")
    assert kinds["turn_on_device"] == "transition devices" and kinds["set_brightness"] == "update devices"
    with load_env(module) as env:
        device = env.query("SELECT device_id FROM devices WHERE power = 'off' LIMIT 1")[0]["device_id"]
        assert env.call("turn_on_device", {"device_id": device}).result == {"power": "on"}
        again = env.call("turn_on_device", {"device_id": device})
        assert again.error is not None and "already on" in again.error.message
        assert env.call("turn_off_device", {"device_id": device}).result == {"power": "off"}
        door = env.query("SELECT device_id FROM devices WHERE type_value = 'lock' AND NOT locked LIMIT 1")[0][
            "device_id"]
        assert env.call("lock_door", {"device_id": door}).result == {"locked": True}
        assert env.call("unlock_door", {"device_id": door}).result == {"locked": False}
        refused = env.call("unlock_door", {"device_id": door})
        assert refused.error is not None and "already unlocked" in refused.error.message
        light = env.query("SELECT device_id FROM devices WHERE type_value = 'light' LIMIT 1")[0]["device_id"]
        assert env.call("set_brightness", {"device_id": light, "brightness": 40}).ok
        assert env.query("SELECT brightness FROM devices WHERE device_id = ?", [light])[0]["brightness"] == 40
        thermostat = env.query("SELECT device_id FROM devices WHERE type_value = 'thermostat' LIMIT 1")[0]
        refused = env.call("lock_door", {"device_id": thermostat["device_id"]})
        assert refused.error is not None and refused.error.message.endswith("is a thermostat, not a lock")


def test_a_cart_holds_items_and_a_rating_updates_a_delivered_order(tmp_path: Path) -> None:
    module, kinds = _module(tmp_path, "openai_food.json")
    assert kinds["add_to_cart"] == "create cart_items" and kinds["remove_from_cart"] == "delete cart_items"
    assert kinds["get_menu"] == "search menu_items" and kinds["rate_order"] == "update orders"
    with load_env(module) as env:
        item = env.query("SELECT menu_item_id FROM menu_items LIMIT 1")[0]["menu_item_id"]
        line = env.call("add_to_cart", {"menu_item_id": item, "quantity": 2})
        assert line.ok
        assert env.call("remove_from_cart", {"cart_item_id": line.result["cart_item_id"]}).ok
        delivered = env.query("SELECT order_id FROM orders WHERE status = 'delivered' LIMIT 1")[0]["order_id"]
        pending = env.query("SELECT order_id FROM orders WHERE status = 'pending' LIMIT 1")[0]["order_id"]
        assert env.call("rate_order", {"order_id": delivered, "stars": 5}).ok
        refused = env.call("rate_order", {"order_id": pending, "stars": 4})
        assert refused.error is not None and "only a delivered order" in refused.error.message
        assert all(" ending in " in r["name"] for r in env.query("SELECT name FROM payment_methods"))


def test_a_card_is_assigned_to_a_members_username(tmp_path: Path) -> None:
    module, kinds = _module(tmp_path, "mcp_kanban.json")
    assert kinds["assign_card"] == "update cards" and kinds["list_members"] == "list members"
    with load_env(module) as env:
        card = env.query("SELECT cardId FROM cards LIMIT 1")[0]["cardId"]
        member = env.query("SELECT username FROM members LIMIT 1")[0]["username"]
        assert env.call("assign_card", {"cardId": card, "username": member}).result["assignee"] == member
        unknown = env.call("assign_card", {"cardId": card, "username": "nobody-here"})
        assert unknown.error is not None and "not found" in unknown.error.message
        assert len(env.query("SELECT * FROM members")) > 1
