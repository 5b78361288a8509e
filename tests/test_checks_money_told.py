"""`money_told` (found reading built-in and fresh envs' output in the audit): a write that
refunds or charges money is followed by a reply that says how much. Hand-written records
in several styles for what the rule must find and what it must leave alone."""

from __future__ import annotations

from typing import Any

import pytest
from handwritten import synthetic

from toolace_mt.record import Record
from toolace_mt.verifier import Dialogue
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.trajectory import findings

TOOLS: dict[str, dict[str, Any]] = {
    "cancel_booking": {"booking_id": {"type": "string"}},
    "add_checked_bags": {"booking_id": {"type": "string"}, "bags": {"type": "integer"}},
    "return_book": {"loan_id": {"type": "string"}},
    "settle_up": {"username": {"type": "string"}, "amount": {"type": "number"}},
    "get_booking": {"booking_id": {"type": "string"}},
    "place_order": {"item_id": {"type": "string"}},
}
POLICY = EnvPolicy(known=True, writes=frozenset({"cancel_booking", "add_checked_bags", "return_book", "settle_up",
                                                 "place_order"}))
CANCELLED = {"booking_id": "BK-51354", "flight_id": "FL1077", "cabin": "economy", "status": "cancelled",
             "bag_fees": 40.0, "refund_amount": 293.4}
CANCEL = [("user", "Please cancel booking BK-51354."),
          ("call", "cancel_booking", {"booking_id": "BK-51354"}, CANCELLED)]


def kinds(record: Record, policy: EnvPolicy = POLICY) -> dict[str, list[int | None]]:
    found: dict[str, list[int | None]] = {}
    for finding in findings(Dialogue(record), policy, checks=("money_told",)):
        found.setdefault(finding.kind, []).append(finding.message_index)
    return found


def test_a_refund_the_reply_leaves_out_is_found() -> None:
    record = synthetic([*CANCEL, ("assistant", "I've cancelled booking BK-51354. The flight ID is FL1077 and the "
                                               "cabin is economy.")], TOOLS)
    assert kinds(record) == {"untold_money": [1]}


def test_a_fee_charged_and_a_late_fee_left_out_are_found() -> None:
    record = synthetic([("user", "Add a bag to BK-1, and return loan L-9."),
                        ("call", "add_checked_bags", {"booking_id": "BK-1", "bags": 1},
                         {"booking_id": "BK-1", "checked_bags": 1, "fee_charged": 40.0, "seat": "9B"}),
                        ("call", "return_book", {"loan_id": "L-9"}, {"loan_id": "L-9", "lateFee": 2.5}),
                        ("assistant", "Done: the seat is 9B, and the book is back.")], TOOLS)
    assert kinds(record) == {"untold_money": [1, 3]}


@pytest.mark.parametrize("reply", [
    "Your booking is cancelled; **$293.40** will go back to your card.",
    "Cancelled. Refund: 293.4 USD.",
    "Done! You'll be refunded $293.40 within 5 days.",
])
def test_a_refund_told_in_any_style_is_fine(reply: str) -> None:
    assert kinds(synthetic([*CANCEL, ("assistant", reply)], TOOLS)) == {}


def test_a_refund_the_confirmation_stated_is_fine() -> None:
    record = synthetic([("user", "Please cancel booking BK-51354."),
                        ("assistant", "Cancelling BK-51354 refunds $293.40. Shall I go ahead?"),
                        ("user", "Yes."),
                        ("call", "cancel_booking", {"booking_id": "BK-51354"}, CANCELLED),
                        ("assistant", "It's cancelled.")], TOOLS)
    assert kinds(record) == {}


def test_standing_prices_zero_amounts_and_amounts_the_user_gave_are_not_owed() -> None:
    record = synthetic([("user", "Order MI-1, and I paid maya back 12.50."),
                        ("call", "place_order", {"item_id": "MI-1"},
                         {"order_id": "FD-1", "delivery_fee": 3.99, "total": 15.9, "refund_amount": 0}),
                        ("call", "settle_up", {"username": "maya.k", "amount": 12.5},
                         {"settlement": "ST-1", "amount_charged": 12.5}),
                        ("assistant", "Ordered, and the settlement is recorded.")], TOOLS)
    assert kinds(record) == {}


def test_a_refund_an_earlier_output_already_showed_was_not_made_by_this_write() -> None:
    refunded = {"booking_id": "BK-1", "status": "cancelled", "refund_amount": 80.0}
    record = synthetic([("user", "What's up with BK-1? Then cancel BK-2."),
                        ("call", "get_booking", {"booking_id": "BK-1"}, refunded),
                        ("assistant", "BK-1 was cancelled earlier."),
                        ("call", "cancel_booking", {"booking_id": "BK-2"}, {**refunded, "booking_id": "BK-2"}),
                        ("assistant", "BK-2 is cancelled too.")], TOOLS)
    assert kinds(record) == {}
    fresh = synthetic([("user", "Cancel BK-2."),
                       ("call", "get_booking", {"booking_id": "BK-2"}, {"booking_id": "BK-2", "refund_amount": 0,
                                                                         "fare": 80.0}),
                       ("assistant", "The fare was $80.00; cancel it?"), ("user", "Yes."),
                       ("call", "cancel_booking", {"booking_id": "BK-2"},
                        {"booking_id": "BK-2", "refund_amount": 80.0}),
                       ("assistant", "Cancelled.")], TOOLS)
    assert kinds(fresh) == {}  # the confirmation said $80.00


def test_reads_failed_writes_and_unknown_policy_judge_nothing() -> None:
    read = synthetic([("user", "What would BK-1 refund?"),
                      ("call", "get_booking", {"booking_id": "BK-1"}, {"booking_id": "BK-1", "refund_amount": 80.0}),
                      ("assistant", "It's a refundable fare.")], TOOLS)
    failed = synthetic([("user", "Cancel BK-1."),
                        ("call", "cancel_booking", {"booking_id": "BK-1"},
                         {"error": {"type": "ToolError", "message": "already departed", "refund_amount": 5}}),
                        ("assistant", "It has already departed.")], TOOLS)
    assert kinds(read) == {} and kinds(failed) == {}
    assert kinds(synthetic([*CANCEL, ("assistant", "Done.")], TOOLS), EnvPolicy.unknown()) == {}


def test_odd_output_shapes_are_read_without_error() -> None:
    record = synthetic([("user", "Cancel BK-1."),
                        ("call", "cancel_booking", {"booking_id": "BK-1"}, [{"refund_amount": 5}, None]),
                        ("call", "cancel_booking", {"booking_id": "BK-2"}, {"refund_amount": True, "penalty": "x"}),
                        ("assistant", "Done.")], TOOLS)
    assert kinds(record) == {}
