"""Requests never copy a description through a phrasing hint (a spec compiler writes hints
from descriptions), and a confirmation states the defaults the write will apply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolace_mt.cli import main
from toolace_mt.generation.draft import Call, Segment, Turn
from toolace_mt.generation.language.request_wording import request_text
from toolace_mt.generation.workbench import Workbench
from toolace_mt.verifier.user_language import described_runs, echoed_run

GARAGE = '''"""A garage that rents out its cars."""
from sandbox.authoring import Db, Fake, ToolError, tool

TABLES = "CREATE TABLE cars (car_id VARCHAR PRIMARY KEY, model VARCHAR NOT NULL, reserved BOOLEAN NOT NULL);"


def seed(db: Db, fake: Fake) -> None:
    db.insert("cars", [{"car_id": "CAR-%d" % i, "model": fake.word(), "reserved": False} for i in range(1, 7)])


@tool(phrasing=["Could you look up the model and availability of fleet car {car_id}?"])
def get_car(db: Db, car_id: str) -> dict:
    """Look up the model and availability of fleet car.

    Args:
        car_id: The car, like CAR-1.
    """
    car = db.one("SELECT * FROM cars WHERE car_id = ?", [car_id])
    if car is None:
        raise ToolError(f"car {car_id} not found")
    return car


@tool(writes=True, confirm=True, phrasing=["Please reserve car {car_id} for me."])
def reserve_car(db: Db, car_id: str, insurance: str = "basic") -> dict:
    """Reserve a car of the fleet.

    Args:
        car_id: The car to reserve.
        insurance: The insurance level: none, basic or full.
    """
    car = get_car(db, car_id)
    if car["reserved"]:
        raise ToolError(f"car {car_id} is already reserved")
    db.execute("UPDATE cars SET reserved = TRUE WHERE car_id = ?", [car_id])
    return {"car_id": car_id, "insurance": insurance, "reserved": True}
'''


def test_echoed_run_finds_a_copied_description_only() -> None:
    descriptions = ["Look up the model and availability of fleet car."]
    assert echoed_run("Could you look up the model and availability of fleet car CAR-1?", descriptions)
    assert echoed_run("What model is CAR-1, and is it free?", descriptions) is None
    runs = described_runs(descriptions)  # what a Workbench computes once for its env
    assert echoed_run("Could you look up the model and availability of fleet car CAR-1?", runs) == \
        echoed_run("Could you look up the model and availability of fleet car CAR-1?", descriptions)
    assert echoed_run("What model is CAR-1, and is it free?", runs) is None


def test_generated_requests_skip_echoing_hints_and_confirmations_state_defaults(tmp_path: Path, capsys) -> None:
    env = tmp_path / "garage.py"
    env.write_text(GARAGE, encoding="utf-8")
    out = tmp_path / "garage.jsonl"
    assert main(["generate", "--env", str(env), "-n", "6", "--seed", "3", "-o", str(out), "--json"]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    descriptions = [t["function"]["description"] for t in records[0]["tools"]]
    confirmed = 0
    for record in records:
        messages = record["messages"]
        for i, message in enumerate(messages):
            if message["role"] == "user":
                assert echoed_run(message["content"], descriptions) is None, message["content"]
            for call in message.get("tool_calls") or []:
                arguments = json.loads(call["function"]["arguments"])
                if call["function"]["name"] == "reserve_car" and "insurance" not in arguments:
                    asked = next(m["content"] for m in reversed(messages[:i])
                                 if m["role"] == "assistant" and not m.get("tool_calls"))
                    assert "basic" in asked, asked
                    confirmed += 1
    assert confirmed >= 1


ADDRESS = {"order_id": "#W9767156", "address1": "135 Cole Forges", "address2": "Suite 953", "city": "Xavierstad",
           "state": "PA", "country": "United States", "zip": "45391"}


@pytest.mark.parametrize("env, target, arguments", [
    # "Send a draft claim for review", no hint: "Kindly send a draft claim for me"
    (str(Path(__file__).resolve().parent.parent / "bench" / "fresh_envs" / "insurance_claims.py"), "submit_claim",
     {"member_number": "M-40191", "claim_number": "CLM-7024"}),
    # "Change the shipping address of a pending order", worded from the name: "change the shipping address of my order"
    ("tau_retail", "modify_pending_order_address", ADDRESS),
])
def test_a_request_never_copies_a_description(env: str, target: str, arguments: dict) -> None:
    bench = Workbench(env, 3)
    try:
        call = Call(target, arguments)
        for seed in range(300):
            request = Turn("user", "request", seed=seed, topic={"target": target, "follow_up": seed % 2 == 1})
            segment = Segment(goal="", target=target, stated=dict(arguments),
                              turns=[request, Turn("assistant", "calls", calls=[call])])
            text = request_text(bench, segment, request)
            assert echoed_run(text, bench.described_runs) is None, text
    finally:
        bench.close()
