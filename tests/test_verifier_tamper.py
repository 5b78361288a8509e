"""Tampered fixtures must fail with the right check ids, and only those.

Each test takes a fixture that passes every check (tests/test_verifier_fixtures.py),
breaks one thing, and asserts the exact set of failing checks plus what the failure
says and where it points. Edits are made on the record's JSON; variants that need real
tool outputs (an extra call, a hallucinated id) are re-executed with DialogueBuilder.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fixture_edits import Turn, rebuild

from sandbox import Environment, load_env
from toolace_mt.env_refs import EnvRefs
from toolace_mt.jsonl import RecordLine, read_records
from toolace_mt.record import Failure, Op, PlannedCall, Record, SubTask, Task
from toolace_mt.verifier import CHECK_IDS, TRAJECTORY_CHECK_IDS, EnvPool, Verifier

ROOT = Path(__file__).resolve().parent.parent
FIXTURES: dict[str, Record] = {
    line.record.id: line.record
    for env in ("retail", "travel", "banking", "calendar_mail")
    for line in read_records(ROOT / "fixtures" / "dialogues" / f"{env}.jsonl") if isinstance(line, RecordLine)
}



# These tampers target the replay and consistency checks; the trajectory checks (a tampered
# call often also feeds nothing, or skips a confirmation) have their own tamper tests in
# tests/test_trajectory_checks.py.
CORE_CHECKS = tuple(c for c in CHECK_IDS if c not in TRAJECTORY_CHECK_IDS)


@pytest.fixture(scope="module")
def verifier() -> Iterator[Verifier]:
    with Verifier(checks=CORE_CHECKS, pool=EnvPool(max_envs=6)) as verifier:
        yield verifier


def edited(record_id: str, change: Callable[[dict[str, Any]], None]) -> Record:
    """The fixture with `change` applied to its JSON form."""
    data = json.loads(FIXTURES[record_id].to_json())
    change(data)
    return Record.model_validate(data)


def failures(verifier: Verifier, record: Record) -> dict[str, list[Failure]]:
    found: dict[str, list[Failure]] = {}
    for failure in verifier.verify(record).failures:
        found.setdefault(failure.check, []).append(failure)
    return found


def rebuilt(verifier: Verifier, record_id: str, change: Callable[[list[Turn]], None], *,
            env: Environment | None = None, ops: list[Op] | None = None, task: Task | None = None) -> Record:
    """The fixture's turns, edited by `change`, executed for real."""
    return rebuild(verifier, FIXTURES[record_id], change, env=env, ops=ops, task=task)


def call_turn(data: dict[str, Any], name: str, nth: int = 0) -> int:
    """Index of the nth assistant turn calling `name`."""
    found = [i for i, m in enumerate(data["messages"]) if any(c["function"]["name"] == name
                                                                for c in m.get("tool_calls") or [])]
    return found[nth]


def output_of(data: dict[str, Any], call_id: str) -> int:
    return next(i for i, m in enumerate(data["messages"]) if m.get("tool_call_id") == call_id)


def arguments(record_id: str, name: str, nth: int = 0) -> dict[str, Any]:
    """The arguments of the fixture's nth call of `name`."""
    calls = [c for m in FIXTURES[record_id].messages for c in getattr(m, "tool_calls", None) or []
             if c.function.name == name]
    return json.loads(calls[nth].function.arguments)


def output(record_id: str, name: str, nth: int = 0) -> Any:
    """The recorded output of the fixture's nth call of `name`."""
    data = json.loads(FIXTURES[record_id].to_json())
    call = [c for m in data["messages"] for c in m.get("tool_calls") or [] if c["function"]["name"] == name][nth]
    return json.loads(data["messages"][output_of(data, call["id"])]["content"])


def unseen_order(verifier: Verifier, record_id: str, status: str = "pending") -> str:
    """A real order of the seeded store that the fixture never mentions."""
    record = FIXTURES[record_id]
    env = verifier.pool.fresh(record.env, record.seed)
    orders = env.query("SELECT order_id FROM orders WHERE status = ? ORDER BY order_id", [status])
    return next(o["order_id"] for o in orders if o["order_id"] not in record.to_json())


def test_fixtures_used_here_pass(verifier: Verifier) -> None:
    for record_id in ("retail-cancel-pending-order", "calendar-workshop-two-invites"):
        assert failures(verifier, FIXTURES[record_id]) == {}


# ---------------------------------------------------------------- arguments

def test_enum_argument_changed(verifier: Verifier) -> None:
    """A valid but different enum value: the output, the state and the plan disagree; it is
    still grounded (an enum value) and fits the schema."""
    def change(data: dict[str, Any]) -> None:
        call = data["messages"][call_turn(data, "cancel_order")]["tool_calls"][0]
        call["function"]["arguments"] = call["function"]["arguments"].replace("found_better_price", "other")

    record = edited("retail-cancel-pending-order", change)
    found = failures(verifier, record)
    assert set(found) == {"replay", "state", "judge"}
    [replay] = found["replay"]
    assert "call_4 cancel_order" in replay.message and "recorded output differs" in replay.message
    assert replay.message_index == 11  # the tool message holding the stale output
    assert any('cancel_reason: expected {"before": null, "after": "found_better_price"}, got {"before": null, '
               '"after": "other"}' in f.message for f in found["state"])
    assert any("collateral" in f.message for f in found["state"])
    assert "task_completion" in found["judge"][0].message


def test_id_argument_changed_to_one_never_shown(verifier: Verifier) -> None:
    """Another real order, never mentioned: also a hallucinated parameter."""
    other = unseen_order(verifier, "retail-cancel-pending-order")

    def change(data: dict[str, Any]) -> None:
        call = data["messages"][10]["tool_calls"][0]
        call["function"]["arguments"] = json.dumps({"order_id": other, "reason": "found_better_price"})

    found = failures(verifier, edited("retail-cancel-pending-order", change))
    assert set(found) == {"replay", "state", "grounding", "judge"}
    [grounding] = found["grounding"]
    assert f'order_id="{other}"' in grounding.message and grounding.message_index == 10
    assert found["replay"][0].message_index == 11


def test_argument_of_the_wrong_type(verifier: Verifier) -> None:
    """bags "2" instead of 2: the schema rejects it, so the env refused it and nothing changed."""
    def change(data: dict[str, Any]) -> None:
        call = data["messages"][call_turn(data, "add_checked_bags")]["tool_calls"][0]
        call["function"]["arguments"] = call["function"]["arguments"].replace('"bags": 2', '"bags": "2"')

    record = edited("travel-two-bookings-add-bags", change)
    found = failures(verifier, record)
    assert set(found) == {"schema", "replay", "state", "judge"}
    [schema] = found["schema"]
    turn = call_turn(json.loads(FIXTURES["travel-two-bookings-add-bags"].to_json()), "add_checked_bags")
    assert "add_checked_bags: bags: '2' is not of type 'integer'" in schema.message and schema.message_index == turn
    assert "InvalidArguments" in found["replay"][0].message


def test_arguments_that_are_not_json(verifier: Verifier) -> None:
    def change(data: dict[str, Any]) -> None:
        data["messages"][call_turn(data, "get_order")]["tool_calls"][0]["function"]["arguments"] = '{"order_id": '

    found = failures(verifier, edited("retail-cancel-tool-withheld", change))
    assert set(found) == {"schema", "replay", "judge"}  # a read: the state is unaffected
    assert "not a JSON object" in found["schema"][0].message and found["schema"][0].message_index == 2
    assert "cannot be executed" in found["replay"][0].message


# ---------------------------------------------------------------- outputs

def test_tool_output_edited_where_nothing_depends_on_it(verifier: Verifier) -> None:
    """Only replay: the edited field is used by no later argument and no assistant text."""
    def change(data: dict[str, Any]) -> None:
        output = json.loads(data["messages"][3]["content"])
        output["city"] = "Springfield"
        data["messages"][3]["content"] = json.dumps(output)

    found = failures(verifier, edited("retail-cancel-pending-order", change))
    assert set(found) == {"replay"}
    [replay] = found["replay"]
    assert replay.message_index == 3 and "call_1 find_customer_by_email" in replay.message
    assert "Springfield" in replay.message


def test_tool_output_edited_where_a_later_call_used_it(verifier: Verifier) -> None:
    """The id a later call takes from this output no longer appears: replay and grounding."""
    customer = output("retail-cancel-pending-order", "find_customer_by_email")["customer_id"]

    def change(data: dict[str, Any]) -> None:
        data["messages"][3]["content"] = data["messages"][3]["content"].replace(f'"customer_id":"{customer}"',
                                                                                '"customer_id":"C9999"')

    found = failures(verifier, edited("retail-cancel-pending-order", change))
    assert set(found) == {"replay", "grounding"}
    [grounding] = found["grounding"]
    assert grounding.message_index == 4 and f'customer_id="{customer}"' in grounding.message


def test_error_output_replaced_by_a_success(verifier: Verifier) -> None:
    """A recorded failure must be the same failure."""
    typo = arguments("retail-mistyped-order-number", "get_order")["order_id"]

    def change(data: dict[str, Any]) -> None:
        data["messages"][3]["content"] = json.dumps({"order_id": typo, "status": "pending"})

    found = failures(verifier, edited("retail-mistyped-order-number", change))
    assert set(found) == {"replay", "behaviour"}  # the error-simulation op now points at a success
    assert found["replay"][0].message_index == 3
    assert f"order {typo} not found" in found["replay"][0].message  # the real error is shown
    assert "no call of message 2 failed" in found["behaviour"][0].message


# ---------------------------------------------------------------- calls removed, swapped, added

def test_write_call_removed(verifier: Verifier) -> None:
    """The cancel turn and its output are gone: the state, the claim and the plan fail;
    every remaining output still replays."""
    def change(data: dict[str, Any]) -> None:
        del data["messages"][10:12]
        for op in data["provenance"]["ops"]:
            op["message_index"] -= 2

    found = failures(verifier, edited("retail-cancel-pending-order", change))
    assert set(found) == {"state", "consistency", "judge"}
    assert any("hash" in f.message for f in found["state"])
    assert "cancel_order" in found["consistency"][0].message and found["consistency"][0].message_index == 10


def test_call_removed_but_its_output_kept(verifier: Verifier) -> None:
    def change(data: dict[str, Any]) -> None:
        del data["messages"][2]["tool_calls"][1]  # get_product, whose tool message stays

    found = failures(verifier, edited("retail-parallel-lookup-then-order", change))
    assert set(found) == {"format", "judge"}
    [fmt] = found["format"]
    assert fmt.message_index == 4 and "'call_2'" in fmt.message
    assert "get_product" in found["judge"][0].message


def test_parallel_write_removed_shifts_later_generated_ids(verifier: Verifier) -> None:
    """Without the first invitation, the second gets its id: replay catches the output."""
    def change(data: dict[str, Any]) -> None:
        turn = call_turn(data, "invite_to_event")
        first = data["messages"][turn]["tool_calls"].pop(0)
        del data["messages"][output_of(data, first["id"])]

    first_id = output("calendar-workshop-two-invites", "invite_to_event")["invitation_id"]
    found = failures(verifier, edited("calendar-workshop-two-invites", change))
    assert set(found) == {"replay", "state", "consistency", "judge"}
    [replay] = found["replay"]
    assert "invite_to_event" in replay.message and f'"invitation_id":"{first_id}"' in replay.message.split("| real")[1]
    assert first_id.lower() in found["consistency"][0].message  # stated, but no output shows it any more


def test_two_calls_swapped(verifier: Verifier) -> None:
    """Two parallel invitations in the other order: each gets the other's id."""
    def change(data: dict[str, Any]) -> None:
        calls = data["messages"][call_turn(data, "invite_to_event")]["tool_calls"]
        calls.reverse()

    found = failures(verifier, edited("calendar-workshop-two-invites", change))
    assert set(found) == {"replay", "state", "judge"}
    assert len(found["replay"]) == 2 and {f.message_index for f in found["replay"]} == {8, 9}
    assert any("collateral" in f.message for f in found["state"])


def test_two_turns_swapped(verifier: Verifier) -> None:
    """The bookings before the profile exists: they really fail now, and use an id not yet shown."""
    passenger = output("travel-new-profile-two-legs", "create_passenger")["passenger_id"]

    def change(data: dict[str, Any]) -> None:
        messages = data["messages"]
        create, book = call_turn(data, "create_passenger"), call_turn(data, "book_flight")
        data["messages"] = [*messages[:create], *messages[book:book + 3], *messages[create + 2:book],
                            *messages[create:create + 2], *messages[book + 3:]]

    found = failures(verifier, edited("travel-new-profile-two-legs", change))
    assert set(found) == {"replay", "state", "grounding", "judge"}
    assert [f.message_index for f in found["replay"]] == [5, 6]
    assert all(f"passenger {passenger} not found" in f.message for f in found["replay"])
    assert [f.message_index for f in found["grounding"]] == [4, 4]  # one per call of the turn
    assert all(f'passenger_id="{passenger}"' in f.message for f in found["grounding"])


def test_extra_write_call_is_collateral_damage(verifier: Verifier) -> None:
    """Real output, real expected state: only the task's intended calls disagree."""
    other = arguments("travel-two-bookings-add-bags", "get_booking")["booking_id"]  # the trip left alone

    def change(turns: list[Turn]) -> None:
        turns.insert(-1, ("calls", [("add_checked_bags", {"booking_id": other, "bags": 1})]))

    record = rebuilt(verifier, "travel-two-bookings-add-bags", change)
    found = failures(verifier, record)
    assert set(found) == {"state"}
    [state] = found["state"]
    assert "collateral" in state.message and f'row changed that was not expected: {{"booking_id": "{other}"}}' \
        in state.message and "checked_bags: 0 -> 1" in state.message
    assert state.message_index == len(record.messages) - 1


def test_missing_intended_write_is_reported_too(verifier: Verifier) -> None:
    """The plan names a write that the dialogue never makes: nothing less may change either."""
    record = FIXTURES["retail-cancel-tool-withheld"]
    order = json.loads(record.messages[2].tool_calls[0].function.arguments)["order_id"]  # type: ignore[union-attr]
    task = Task(subtasks=[*record.task.subtasks, SubTask(goal="cancel", calls=[
        PlannedCall(name="cancel_order", arguments={"order_id": order})])])
    found = failures(verifier, record.model_copy(update={"task": task}))
    assert set(found) == {"state", "judge"}
    [state] = found["state"]
    assert f'orders: expected row changed but it was not: {{"order_id": "{order}"}}' in state.message
    assert 'status: "processing" -> "cancelled"' in state.message


# ---------------------------------------------------------------- grounding and consistency

def test_hallucinated_id_in_a_call(verifier: Verifier) -> None:
    """A real order no one mentioned, looked up with its real output: grounding only."""
    other = unseen_order(verifier, "retail-cancel-pending-order", status="delivered")

    def change(turns: list[Turn]) -> None:
        turns.insert(4, ("calls", [("get_order", {"order_id": other})]))

    record = rebuilt(verifier, "retail-cancel-pending-order", change,
                     ops=[Op(type="non_function_call", message_index=16)])
    found = failures(verifier, record)
    assert set(found) == {"grounding"}
    [grounding] = found["grounding"]
    assert grounding.message_index == 8 and f'order_id="{other}"' in grounding.message


def test_assistant_states_a_wrong_amount(verifier: Verifier) -> None:
    total = output("retail-cancel-pending-order", "cancel_order")["total"]

    def change(data: dict[str, Any]) -> None:
        text = data["messages"][12]["content"]
        assert f"${total:,.2f}" in text
        data["messages"][12]["content"] = text.replace(f"${total:,.2f}", f"${total + 54:,.2f}")

    found = failures(verifier, edited("retail-cancel-pending-order", change))
    assert set(found) == {"consistency"}
    [consistency] = found["consistency"]
    assert consistency.message_index == 12 and f"{total + 54:g}" in consistency.message


def test_assistant_states_a_wrong_date_and_seat(verifier: Verifier) -> None:
    """A day no output shows (the day after departure may be the arrival, which is grounded)."""
    booking = output("travel-two-bookings-add-bags", "get_booking")
    departure = dt.date.fromisoformat(booking["departure"][:10])
    wrong_day = departure + dt.timedelta(days=2)
    wrong_seat = booking["seat"][:-1] + ("D" if booking["seat"][-1] != "D" else "E")

    def change(data: dict[str, Any]) -> None:
        text = data["messages"][5]["content"]
        shown = f"{departure:%B} {departure.day}, {departure.year}"
        assert shown in text and f"seats {booking['seat']} " in text
        data["messages"][5]["content"] = text.replace(shown, f"{wrong_day:%B} {wrong_day.day}, {wrong_day.year}") \
            .replace(f"seats {booking['seat']} ", f"seats {wrong_seat} ")

    found = failures(verifier, edited("travel-two-bookings-add-bags", change))
    assert set(found) == {"consistency"}
    [consistency] = found["consistency"]
    assert wrong_day.isoformat() in consistency.message and wrong_seat.lower() in consistency.message
    assert consistency.message_index == 5


def test_assistant_claims_an_action_no_call_performed(verifier: Verifier) -> None:
    def change(data: dict[str, Any]) -> None:
        data["messages"][4]["content"] = "I've cancelled order #W1184 for you."

    found = failures(verifier, edited("retail-cancel-tool-withheld", change))
    assert set(found) == {"consistency"}
    assert "cancelled" in found["consistency"][0].message and found["consistency"][0].message_index == 4


# ---------------------------------------------------------------- env, seed, digest

def test_env_source_changed(verifier: Verifier, tmp_path: Path) -> None:
    source = tmp_path / "shop.py"
    shutil.copy(ROOT / "tool_envs" / "retail.py", source)
    with load_env(source, seed=0) as env:
        record = rebuilt(verifier, "retail-cancel-pending-order", lambda turns: None, env=env)
    assert record.env == "shop.py"  # portable: relative to the env's directory
    with Verifier(env_refs=EnvRefs(dirs=(tmp_path,))) as fresh:
        assert fresh.verify(record).passed
    source.write_text(source.read_text() + "\n# a later edit\n")
    with Verifier(env_refs=EnvRefs(dirs=(tmp_path,))) as fresh:
        found = failures(fresh, record)
    assert set(found) == {"replay"}
    [replay] = found["replay"]
    assert "env digest mismatch" in replay.message and "source changed" in replay.message


def test_env_digest_edited(verifier: Verifier) -> None:
    found = failures(verifier, edited("banking-savings-to-checking", lambda d: d.update(env_digest="0" * 64)))
    assert set(found) == {"replay"} and "env digest mismatch" in found["replay"][0].message


def test_seed_changed(verifier: Verifier) -> None:
    found = failures(verifier, edited("retail-cancel-pending-order", lambda d: d.update(seed=1)))
    assert set(found) == {"replay", "state"}
    assert found["replay"][0].message_index == 3  # the customer lookup already differs
    assert any("fails on a fresh env" in f.message or "hash" in f.message for f in found["state"])


# ---------------------------------------------------------------- format

def test_duplicate_tool_call_id(verifier: Verifier) -> None:
    def change(data: dict[str, Any]) -> None:
        data["messages"][2]["tool_calls"][1]["id"] = "call_1"
        data["messages"][4]["tool_call_id"] = "call_1"

    found = failures(verifier, edited("retail-parallel-lookup-then-order", change))
    assert set(found) == {"format"}
    assert any("'call_1' is used twice" in f.message and f.message_index == 2 for f in found["format"])


def test_missing_tool_message(verifier: Verifier) -> None:
    def change(data: dict[str, Any]) -> None:
        del data["messages"][3]
        for op in data["provenance"]["ops"]:
            op["message_index"] -= 1

    found = failures(verifier, edited("retail-cancel-tool-withheld", change))
    assert set(found) == {"format", "judge"}  # without its output the planned get_order did not succeed
    [fmt] = found["format"]
    assert "call_1" in fmt.message and "no tool message" in fmt.message and fmt.message_index == 3


def test_ending_on_a_tool_message(verifier: Verifier) -> None:
    found = failures(verifier, edited("retail-return-needs-order-number", lambda d: d["messages"].pop()))
    assert set(found) == {"format"}
    [fmt] = found["format"]
    assert "must end with an assistant text turn, not a tool message" in fmt.message and fmt.message_index == 9


def test_ending_on_unanswered_calls(verifier: Verifier) -> None:
    def change(data: dict[str, Any]) -> None:
        del data["messages"][9:]  # ends on the request_return call

    found = failures(verifier, edited("retail-return-needs-order-number", change))
    assert set(found) == {"format", "judge"}  # an unanswered call did not succeed: the plan is not done
    assert {f.message_index for f in found["format"]} == {8}
    assert any("never answered" in f.message for f in found["format"])
    assert any("must end with an assistant text turn" in f.message for f in found["format"])
    assert found["judge"][0].message.startswith("task_completion:")


def test_tool_message_before_its_call(verifier: Verifier) -> None:
    def change(data: dict[str, Any]) -> None:
        messages = data["messages"]
        messages[2], messages[3] = messages[3], messages[2]

    found = failures(verifier, edited("retail-cancel-tool-withheld", change))
    assert set(found) == {"format", "judge"}  # the get_order call has no answer, so it did not succeed
    assert [f.message_index for f in found["format"]] == [2, 4]
    assert "answers 'call_1', which is no call of the assistant turn just before it" in found["format"][0].message


def test_record_tool_schema_edited(verifier: Verifier) -> None:
    def change(data: dict[str, Any]) -> None:
        data["tools"][0]["function"]["description"] = "Something else."

    found = failures(verifier, edited("banking-lost-card-tool-withheld", change))
    assert set(found) == {"schema"} and "differs from the schema" in found["schema"][0].message


# ---------------------------------------------------------------- behaviour, one op type at a time

def set_op(data: dict[str, Any], position: int, **fields: Any) -> None:
    data["provenance"]["ops"][position].update(fields)


@pytest.mark.parametrize(("record_id", "fields", "expected"), [
    ("retail-return-needs-order-number", {"message_index": 4}, "the assistant turn 4 makes 1 call(s)"),
    ("retail-return-needs-order-number", {"value": "#W0999"}, "does not give '#W0999'"),
    ("retail-return-needs-order-number", {"answer_index": 1}, "answer_index must point at a later user message"),
    ("travel-two-bookings-add-bags", {"value": 3}, "does not give 3"),
    ("retail-cancel-tool-withheld", {"message_index": 2}, "the refusal turn must make no call"),
    ("retail-cancel-tool-withheld", {"tool": "get_order"}, "'get_order' is said to be withheld"),
    ("retail-mistyped-order-number", {"message_index": 6}, "no call of message 6 failed"),
    ("retail-parallel-lookup-then-order", {"message_index": 2}, "non-function-call turn: the assistant turn 2"),
    ("retail-cancel-pending-order", {"message_index": 8}, "must answer the user message right before it"),
    ("retail-cancel-pending-order", {"message_index": 99}, "outside the dialogue"),
])
def test_op_that_did_not_do_what_its_type_promises(verifier: Verifier, record_id: str, fields: dict[str, Any],
                                                   expected: str) -> None:
    position = 1 if record_id == "retail-cancel-tool-withheld" and "tool" not in fields else 0
    found = failures(verifier, edited(record_id, lambda d: set_op(d, position, **fields)))
    assert set(found) == {"behaviour"}
    [behaviour] = found["behaviour"]
    assert expected in behaviour.message
    index = fields.get("message_index", FIXTURES[record_id].provenance.ops[position].message_index)
    assert behaviour.message_index == (index if index < 99 else None)


def test_clarified_value_already_given(verifier: Verifier) -> None:
    order = FIXTURES["retail-return-needs-order-number"].provenance.ops[0].value

    def change(data: dict[str, Any]) -> None:
        data["messages"][1]["content"] += f" It was order {order}."

    found = failures(verifier, edited("retail-return-needs-order-number", change))
    assert set(found) == {"behaviour"}
    assert f"already gave '{order}' in message 1" in found["behaviour"][0].message


def test_clarified_value_used_before_the_answer(verifier: Verifier) -> None:
    """Calling with the order id before the user gave it: a behaviour and a grounding failure."""
    order = FIXTURES["retail-return-needs-order-number"].provenance.ops[0].value

    def change(turns: list[Turn]) -> None:
        turns.insert(1, ("calls", [("get_order", {"order_id": order})]))

    ops = [Op(type="clarification", message_index=4, answer_index=5, argument="order_id", value=order)]
    found = failures(verifier, rebuilt(verifier, "retail-return-needs-order-number", change, ops=ops))
    assert set(found) == {"behaviour", "grounding"}
    assert f"call_1 uses '{order}' before the user gave it" in found["behaviour"][0].message
    assert found["grounding"][0].message_index == 2


def test_withheld_tool_called(verifier: Verifier) -> None:
    record = FIXTURES["retail-cancel-tool-withheld"]
    order = json.loads(record.messages[2].tool_calls[0].function.arguments)["order_id"]  # type: ignore[union-attr]

    def change(turns: list[Turn]) -> None:
        turns.insert(2, ("calls", [("cancel_order", {"order_id": order})]))

    ops = [op.model_copy(update={"message_index": op.message_index + 2}) for op in record.provenance.ops]
    found = failures(verifier, rebuilt(verifier, "retail-cancel-tool-withheld", change, ops=ops))
    assert set(found) == {"schema", "state", "behaviour"}
    assert "not in the record's tools" in found["schema"][0].message
    assert "the withheld tool 'cancel_order' is called" in found["behaviour"][0].message
    assert any("collateral" in f.message for f in found["state"])


def test_error_never_recovered(verifier: Verifier) -> None:
    """The seat is taken and the assistant just says so: no corrected call follows."""
    def change(turns: list[Turn]) -> None:
        turns[2:] = [("assistant", "Sorry, that seat is already taken.")]  # keep the user turn and the failing call

    record = rebuilt(verifier, "travel-seat-taken-then-free-seat", change, task=Task())
    assert [m.role for m in record.messages] == ["system", "user", "assistant", "tool", "assistant"]
    found = failures(verifier, record)
    assert set(found) == {"behaviour"}
    assert "never followed by a corrected, successful one" in found["behaviour"][0].message


# ---------------------------------------------------------------- judge, one sub-question at a time

def test_judge_coherence_repeated_answer(verifier: Verifier) -> None:
    last = len(FIXTURES["banking-scheduled-rent-needs-amount"].messages) - 1  # "Have a nice day!"

    def change(data: dict[str, Any]) -> None:
        data["messages"][last]["content"] = data["messages"][last - 2]["content"]  # "Happy to help! ..."

    found = failures(verifier, edited("banking-scheduled-rent-needs-amount", change))
    assert set(found) == {"judge"}
    assert found["judge"][0].message.startswith("coherence:") and found["judge"][0].message_index == last


def test_judge_coherence_parroting_the_user(verifier: Verifier) -> None:
    def change(data: dict[str, Any]) -> None:
        data["messages"][14]["content"] = data["messages"][13]["content"]

    found = failures(verifier, edited("retail-cancel-pending-order", change))
    assert set(found) == {"judge"}
    assert "repeats the user's message" in found["judge"][0].message and found["judge"][0].message_index == 14


def test_judge_coherence_unanswered_user(verifier: Verifier) -> None:
    def change(data: dict[str, Any]) -> None:
        data["messages"].insert(2, {"role": "user", "content": "Hello? Are you there?"})
        for op in data["provenance"]["ops"]:
            op["message_index"] += 1
            op["answer_index"] += 1

    found = failures(verifier, edited("retail-return-needs-order-number", change))
    assert set(found) == {"judge"}
    assert "left without an assistant answer" in found["judge"][0].message and found["judge"][0].message_index == 1


def test_judge_faithfulness_failure_not_acknowledged(verifier: Verifier) -> None:
    def change(data: dict[str, Any]) -> None:
        data["messages"][4]["content"] = "Thanks! Could you give me the order number once more?"

    found = failures(verifier, edited("retail-mistyped-order-number", change))
    assert set(found) == {"judge"}
    [judge] = found["judge"]
    assert judge.message.startswith("faithfulness:") and "get_order" in judge.message and judge.message_index == 4


def test_judge_task_completion_planned_call_never_made(verifier: Verifier) -> None:
    record = FIXTURES["retail-cancel-tool-withheld"]
    task = Task(subtasks=[*record.task.subtasks, SubTask(goal="look at a product", calls=[
        PlannedCall(name="get_product", arguments={"product_id": "P2001"})])])
    found = failures(verifier, record.model_copy(update={"task": task}))
    assert set(found) == {"judge"}  # a read changes no state: only the judge notices
    assert found["judge"][0].message.startswith("task_completion:") and "get_product" in found["judge"][0].message
