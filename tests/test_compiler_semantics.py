"""Issue 17, compiled semantics by general rules: a boolean flag sets the state its name
says, levels stay within a stated capacity, undoing a create gives back what it took
(stock, money), a free-form `changes` object gets the editable fields, 'the signed-in
member's' tools act on the user's own row. Modules are rendered without probing and run
in the sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sandbox import load_env
from toolace_mt.compiler.classify import classify
from toolace_mt.compiler.compile import read_specs
from toolace_mt.compiler.render import render

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "fixtures" / "specs"


def _module(tmp_path: Path, spec: Path | dict[str, Any], name: str = "env") -> Path:
    if isinstance(spec, dict):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(spec))
        spec = path
    source = render(classify(read_specs([spec])), [spec.name])
    out = tmp_path / f"{name}.py"
    out.write_text(source)
    return out


def _fn(name: str, description: str, properties: dict, required: list[str], output: dict | None = None) -> dict:
    tool: dict[str, Any] = {"name": name, "description": description,
                            "inputSchema": {"type": "object", "properties": properties, "required": required}}
    if output is not None:
        tool["outputSchema"] = output
    return tool


@pytest.mark.slow
def test_a_boolean_flag_sets_the_state_its_name_says(tmp_path: Path) -> None:
    with load_env(_module(tmp_path, SPECS / "bfcl" / "vehicle_control.json")) as env:
        locked = env.query("SELECT lockStatus FROM state")[0]["lockStatus"] == "locked"
        first = env.call("lockDoors", {"unlock": locked, "door": ["driver"]})  # unlock=True unlocks
        assert first.ok and first.result["lockStatus"] == ("unlocked" if locked else "locked")
        second = env.call("lockDoors", {"unlock": not locked, "door": ["driver"]})
        assert second.ok and second.result["lockStatus"] == ("locked" if locked else "unlocked")
        again = env.call("lockDoors", {"unlock": not locked, "door": ["driver"]})
        assert again.error is not None and "already " in again.error.message


@pytest.mark.slow
def test_a_level_is_seeded_within_its_capacity_and_cannot_pass_it(tmp_path: Path) -> None:
    with load_env(_module(tmp_path, SPECS / "bfcl" / "vehicle_control.json")) as env:
        level = env.query("SELECT fuelLevel FROM state")[0]["fuelLevel"]
        assert 0 <= level <= 50 * 0.6  # "The fuel tank can hold up to 50 gallons", with room to fill
        over = env.call("fillFuelTank", {"fuelAmount": 50})
        assert over.error is not None and "above the capacity of 50" in over.error.message
        assert env.call("fillFuelTank", {"fuelAmount": 50 - level}).result == {"fuelLevel": 50}


@pytest.mark.slow
def test_cancelling_an_order_puts_its_stock_back(tmp_path: Path) -> None:
    with load_env(_module(tmp_path, SPECS / "openai_shop.json")) as env:
        product = env.query("SELECT product_id, stock FROM products WHERE stock >= 2 ORDER BY product_id LIMIT 1")[0]
        customer = env.query("SELECT customer_id FROM customers LIMIT 1")[0]["customer_id"]
        order = env.call("create_order", {"customer_id": customer, "product_id": product["product_id"],
                                          "quantity": 2}).result
        stock = env.query("SELECT stock FROM products WHERE product_id = ?", [product["product_id"]])
        assert stock[0]["stock"] == product["stock"] - 2
        assert env.call("cancel_order", {"order_id": order["order_id"]}).ok
        stock = env.query("SELECT stock FROM products WHERE product_id = ?", [product["product_id"]])
        assert stock[0]["stock"] == product["stock"]
        twice = env.call("cancel_order", {"order_id": order["order_id"]})
        assert twice.error is not None and "already cancelled" in twice.error.message
        stock = env.query("SELECT stock FROM products WHERE product_id = ?", [product["product_id"]])
        assert stock[0]["stock"] == product["stock"]  # not restocked twice


@pytest.mark.slow
def test_a_buy_order_is_paid_from_the_balance_and_refunded_on_cancel(tmp_path: Path) -> None:
    with load_env(_module(tmp_path, SPECS / "bfcl" / "trading_bot.json")) as env:
        def balance() -> float:
            return env.query("SELECT balance FROM accounts")[0]["balance"]

        assert env.call("trading_login", env.query("SELECT username, password FROM users LIMIT 1")[0]).ok
        start = balance()
        symbol = env.query("SELECT symbol FROM stocks LIMIT 1")[0]["symbol"]
        poor = env.call("place_order", {"order_type": "Buy", "symbol": symbol, "price": start, "amount": 2})
        assert poor.error is not None and "insufficient funds" in poor.error.message
        price = round(start / 10, 2)
        order = env.call("place_order", {"order_type": "Buy", "symbol": symbol, "price": price, "amount": 3})
        assert order.ok and balance() == pytest.approx(start - 3 * price, abs=0.02)
        sell = env.call("place_order", {"order_type": "Sell", "symbol": symbol, "price": price, "amount": 3})
        assert sell.ok and balance() == pytest.approx(start - 3 * price, abs=0.02)  # a sale is not charged
        assert env.call("cancel_order", {"order_id": order.result["order_id"]}).ok
        assert balance() == pytest.approx(start, abs=0.02)
        types = {r["order_type"] for r in env.query("SELECT order_type FROM orders")}
        assert types <= {"Buy", "Sell"}  # seeded from "Type of the order (Buy/Sell)"


WAREHOUSE = SPECS / "fresh" / "openapi_warehouse.yaml"


@pytest.mark.slow
def test_a_free_form_changes_object_gets_the_editable_fields(tmp_path: Path) -> None:
    with load_env(_module(tmp_path, WAREHOUSE)) as env:
        [tool] = [t for t in env.openai_tools() if t["function"]["name"] == "updateItem"]
        changes = tool["function"]["parameters"]["properties"]["changes"]
        assert {"name", "bin", "category"} <= set(changes["properties"])
        assert changes["properties"]["category"]["enum"] == ["tools", "garden", "kitchen", "lighting"]
        sku = env.query("SELECT sku FROM items LIMIT 1")[0]["sku"]
        assert env.call("updateItem", {"sku": sku, "changes": {"bin": "Z-99"}}).ok
        assert env.call("getItem", {"sku": sku}).result["bin"] == "Z-99"
        bad = env.call("updateItem", {"sku": sku, "changes": {"colour": "red"}})
        assert bad.error is not None and "'colour' was unexpected" in bad.error.message  # the schema says which


@pytest.mark.slow
def test_a_shipment_takes_stock_by_its_described_column_and_cancel_returns_it(tmp_path: Path) -> None:
    with load_env(_module(tmp_path, WAREHOUSE)) as env:
        item = env.query("SELECT sku, on_hand FROM items WHERE on_hand >= 1 LIMIT 1")[0]
        made = env.call("createShipment", {"sku": item["sku"], "quantity": 1, "storeCode": "ST-12"})
        assert made.ok
        assert env.query("SELECT on_hand FROM items WHERE sku = ?", [item["sku"]])[0]["on_hand"] == item["on_hand"] - 1
        assert env.call("cancelShipment", {"shipmentId": made.result["shipmentId"]}).ok
        assert env.query("SELECT on_hand FROM items WHERE sku = ?", [item["sku"]])[0]["on_hand"] == item["on_hand"]


@pytest.mark.slow
def test_the_signed_in_members_tools_act_on_their_own_row(tmp_path: Path) -> None:
    with load_env(_module(tmp_path, SPECS / "fresh" / "mcp_gym.json")) as env:
        me, pin = env.query("SELECT member_number, pin FROM member_profiles LIMIT 1")[0].values()
        assert env.call("sign_in", {"member_number": me, "pin": pin}).ok
        changed = env.call("update_phone", {"phone": "555-0100"})
        assert changed.ok and changed.result == {"member_number": me, "phone": "555-0100"}
        assert env.call("get_member_profile", {}).result["phone"] == "555-0100"
        assert env.call("sign_out", {}).ok
        locked = env.call("update_phone", {"phone": "555-0199"})
        assert locked.error is not None and "log in first" in locked.error.message


def test_a_path_parameter_keys_its_collection_and_a_booking_is_its_own_entity(tmp_path: Path) -> None:
    warehouse = classify(read_specs([WAREHOUSE]))
    assert warehouse.tables["items"].key == "sku"
    gym = classify(read_specs([SPECS / "fresh" / "mcp_gym.json"]))
    kinds = {t.ident: (t.kind, t.table) for t in gym.tools}
    assert kinds["book_class"] == ("create", "bookings") and kinds["sign_out"][0] == "logout"
    assert gym.tables["bookings"].columns["class_id"].references == "classes"
