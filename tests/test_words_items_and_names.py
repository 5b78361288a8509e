"""How a user says things with a quantity (an order's lines), records named where a tool
takes their ids, a search's words, a new value of a "new_..." parameter and a number
they choose; and how a confirmation says an order's lines."""

from __future__ import annotations

import random
import re

from sandbox import CallResult, ToolSpec
from toolace_mt.generation.draft import Call, Segment, Turn
from toolace_mt.generation.language.confirm_wording import _details
from toolace_mt.generation.language.counted_items import counted, paired
from toolace_mt.generation.language.field_clauses import clause
from toolace_mt.generation.language.labels import show
from toolace_mt.generation.language.named_records import named_clause, named_things
from toolace_mt.generation.language.record_listing import describe_item
from toolace_mt.generation.language.reply_focus import Focus
from toolace_mt.generation.language.reply_wording import _claim, focus_of
from toolace_mt.generation.language.request_wording import _chosen_verb, _form_hint
from toolace_mt.generation.language.speech import summary
from toolace_mt.generation.language.spoken_values import moved_money, natural
from toolace_mt.generation.language.task_phrases import past_tense
from toolace_mt.generation.language.user_phrases import recall
from toolace_mt.generation.language.value_phrases import lookup_sentence, value_clause, value_sentences


def test_things_with_a_quantity_are_said_as_a_shopper_says_them() -> None:
    lines = [{"product": "Camping Tent (Navy)", "quantity": 3}, {"product": "Wall Clock (Grey)", "quantity": 1}]
    assert show(lines) == "3 of the Camping Tent (Navy) and 1 Wall Clock (Grey)"
    assert show([{"product_id": "P2047", "quantity": 1}, {"product_id": "P2016", "qty": 2}]) == \
        "1 unit of product P2047 and 2 units of product P2016"
    assert counted({"productId": "P9", "quantity": 25}) == "25 units of product P9"
    # anything else is no counted thing: a record of other fields, a bad count, a flag
    for value in ({"street": "1 Main St", "city": "Springfield"}, {"product": "Lamp", "quantity": 0},
                  {"product": "Lamp", "quantity": True}, {"product": "Lamp", "quantity": 2, "colour": "red"},
                  [{"product": "Lamp", "quantity": 1}, "x"], [], "Lamp"):
        assert counted(value) is None, value
    assert show({"street": "1 Main St", "city": "Springfield"}) == "street 1 Main St, city Springfield"


def test_a_request_for_an_orders_lines_never_reads_as_a_form() -> None:
    lines = [{"product": "Camping Tent (Navy)", "quantity": 3}]
    for seed in range(30):
        rng = random.Random(seed)
        said = value_clause(rng, "items", lines, chosen=True)
        assert "3 of the Camping Tent (Navy)" in said and "quantity" not in said and "items" not in said, said
        found = lookup_sentence(random.Random(seed), [("items", lines), ("email", "a@b.example")])
        assert "3 of the Camping Tent (Navy)" in found and "items 3" not in found, found
        sentences = " ".join(value_sentences(random.Random(seed), [("items", lines), ("payment_method", "paypal")],
                                             chosen=True))
        assert "items 3" not in sentences and "quantity" not in sentences, sentences


def test_a_confirmation_says_the_lines_of_an_order_with_the_names_the_dialogue_showed() -> None:
    said = _details({"customer_id": "C1", "items": [{"product_id": "P2017", "quantity": 2}],
                     "payment_method": "gift_card"}, "customer_id", known={"P2017": "Wall Clock (Grey)"})
    assert said == " for 2 units of product P2017 (Wall Clock (Grey)) with the payment method gift card"


def test_records_named_where_a_tool_takes_their_ids_are_said_as_the_named_things() -> None:
    assert named_things("item_ids", ["Air Purifier", "Smart Thermostat"]) == "the Air Purifier and the Smart Thermostat"
    assert named_things("item_ids", ["#W1-2"]) is None and named_things("item_ids", "4127323219") is None
    assert named_things("name", "Air Purifier") is None  # a name parameter takes a name: nothing to say apart
    for seed in range(20):
        said = named_clause(random.Random(seed), "item_ids", ["Air Purifier", "Smart Thermostat"])
        assert said is not None and "the Air Purifier and the Smart Thermostat" in said and "ID" not in said
        assert "the the" not in said and "items is" not in said, said
        one = value_clause(random.Random(seed), "product_id", "Laptop", chosen=True)
        assert "the Laptop" in one and "product ID" not in one and "rather" not in one, one
        found = lookup_sentence(random.Random(seed), [("item_ids", ["Jigsaw Puzzle"]), ("email", "a@b.example")])
        assert "IDs Jigsaw" not in found and "the Jigsaw Puzzle" in found, found


def test_a_searchs_words_are_quoted_as_what_to_search_for() -> None:
    for seed in range(20):
        said = value_clause(random.Random(seed), "query", "clock")
        assert '"clock"' in said and "I'm after clock" not in said, said


def test_a_new_value_of_a_new_parameter_is_no_change_twice() -> None:
    for seed in range(40):
        said = value_clause(random.Random(seed), "new_starts_at", "2026-09-15T10:00", chosen=True, changes=True)
        assert "needs to change" not in said and "new new" not in said, said


def test_a_chosen_number_or_reason_is_said_with_what_it_is() -> None:
    for seed in range(40):
        number = value_clause(random.Random(seed), "fuel_amount", 46.4, chosen=True)
        reason = value_clause(random.Random(seed), "reason", "ordered by mistake", chosen=True)
        for said in (number, reason):
            assert not said.startswith(("I'd prefer", "I'd rather have")), said


def test_fields_named_by_a_participle_a_date_of_an_event_or_a_question_are_said_as_phrases() -> None:
    assert clause("paid_by", "paula.s") == "it was paid by paula.s"
    assert clause("time_created", "2026-07-17T09:00:00") == "it was created on July 17, 2026 at 09:00"
    assert clause("what_happened", "Break-in, laptop stolen") == "what happened was Break-in, laptop stolen"
    assert clause("payout", 0) == "the payout is $0.00" and clause("deductible", 1000) == "the deductible is $1,000.00"
    assert clause("status", "open") == "the status is open"  # a plain noun stays one


def test_a_hint_that_gives_a_value_after_its_label_and_a_colon_is_a_form() -> None:
    assert _form_hint("I want to cancel {order_id}, reason: {reason}.")
    assert not _form_hint("Please cancel {order_id}, I no longer need it.")


def test_a_question_about_what_a_record_holds_asks_for_its_items() -> None:
    asked = Segment("g", "get_order", {"order_id": "#W1207"},
                    [Turn("user", "request", "Can you tell me what's in my order #W1207?")])
    plain = Segment("g", "get_order", {"order_id": "#W1207"},
                    [Turn("user", "request", "Can you tell me about my order #W1207?")])
    assert focus_of(asked, None).asked("items") and not focus_of(plain, None).asked("items")


def test_an_invite_to_a_thing_says_who_was_invited_to_what() -> None:
    said, told = _claim("invite_to_event", "invited",
                        Call("invite_to_event", {"event_id": "EV-2051", "contact_id": "C-1042"}))
    assert said == "I've invited contact C-1042 to event EV-2051." and told == {"C-1042", "EV-2051"}
    assert _claim("cancel_order", "cancelled", Call("cancel_order", {"order_id": "#W1", "reason": "other"}))[0] == \
        "I've cancelled order #W1."


def test_writes_named_by_less_common_verbs_say_what_they_did() -> None:
    assert [past_tense(t) for t in ("dispatchShipment", "quarantine_specimen", "lend_book", "deny_claim",
                                    "tools.giveBack")] == ["dispatched", "quarantined", "lent", "denied", "given back"]


def test_a_measure_named_with_its_unit_is_said_with_the_unit_after_the_number() -> None:
    assert clause("volumeMl", 1.51) == "the volume is 1.51 ml"
    assert clause("duration_minutes", 30) == "the duration is 30 minutes"
    assert clause("weight_g", 200) == "the weight is 200 g"
    for seed in range(20):
        said = value_clause(random.Random(seed), "volumeMl", 1.51, chosen=True)
        assert "1.51 ml" in said and "volume ml" not in said.lower(), said


def test_a_writes_reply_tells_the_money_it_refunded_or_charged() -> None:
    cancelled = {"booking_id": "BK-51354", "flight_id": "FL1077", "cabin": "economy", "status": "cancelled",
                 "refund_amount": 293.4, "seat": "9B"}
    bags = {"booking_id": "BK-1", "seat": "9B", "flight_id": "FL1046", "checked_bags": 2, "fee_charged": 40.0}
    for seed in range(10):
        said = summary(cancelled, "cancel_booking", random.Random(seed), arguments={"booking_id": "BK-51354"},
                       known={"BK-51354"})
        assert "$293.40" in said, said
        assert "$40.00" in summary(bags, "add_checked_bags", random.Random(seed),
                                   arguments={"booking_id": "BK-1", "bags": 1}, known={"BK-1"})
    assert moved_money("refund_amount", 1.5) and moved_money("lateFee", 5) and not moved_money("delivery_fee", 5)
    assert not moved_money("refund_amount", 0) and not moved_money("total", 10)


def test_a_record_is_told_by_its_headline_and_a_question_by_what_it_asks() -> None:
    account = {"account_id": "ACC-1", "account_type": "checking", "balance": 11332.61, "sent_today": 0}
    assert "$11,332.61" in summary(account, "get_account", random.Random(0))
    assert clause("sent_today", 0) == "the amount sent today is 0"
    transfer = {"transfer_id": "TRF-1", "from_account": "ACC-10073", "created_at": "2026-06-10T11:44:00",
                "status": "completed"}
    assert "completed" in describe_item(transfer, Focus({"status"}, shown={"completed"}))
    for seed in range(40):  # a fact the user states is no question
        assert not value_clause(random.Random(seed), "species", "dog").startswith("Could")


def test_a_count_of_things_is_said_as_the_things_counted() -> None:
    assert _details({"booking_id": "BK-1", "bags": 1}, "booking_id") == " with 1 bag"
    assert _details({"booking_id": "BK-1", "bags": 3}, "booking_id") == " with 3 bags"
    said = {value_clause(random.Random(seed), "bags", 2, chosen=True) for seed in range(30)}
    assert any("2 bags" in t for t in said) and not any("the bags" in t.lower() for t in said), said


def test_a_writes_reply_tells_what_it_came_to_not_the_users_choices_read_back() -> None:
    order = {"order_id": "#W1241", "customer_id": "C1077", "payment_method": "gift_card", "status": "pending",
             "total": 42.99}
    said = summary(order, "place_order", random.Random(1), arguments={"customer_id": "C1077", "payment_method":
                   "gift_card", "items": [{"product_id": "P2017", "quantity": 1}]}, known={"C1077"},
                   references=frozenset({"order_id", "customer_id"}))
    assert "#W1241" in said and "$42.99" in said and "gift card" not in said, said
    tipped = {"order_id": "FD-50050", "store_id": "ST114", "item_id": "MI2056", "tip": 25.59, "total": 78.32}
    said = summary(tipped, "add_tip", random.Random(1), arguments={"order_id": "FD-50050", "amount": 23.59},
                   known={"FD-50050"})
    assert said == "The tip is $25.59 and the total is $78.32.", said


def test_a_request_worded_with_one_choices_verb_says_the_verb_the_user_chose() -> None:
    tool = ToolSpec(name="decide_expense_report", writes=True,
                    description="Approve a report waiting for this approver, or return it to the submitter.",
                    parameters={"type": "object", "properties": {
                        "report_code": {"type": "string"},
                        "decision": {"type": "string", "enum": ["approve", "return"]}}})
    assert _chosen_verb(tool, "Could you approve a report?", {"decision": "return", "report_code": "ER-5008"}) == \
        ("Could you return a report?", {"decision"})
    # the request says the chosen verb already: the decision is not stated again ("... decision approve")
    assert _chosen_verb(tool, "Approve a report, please.", {"decision": "approve"}) == \
        ("Approve a report, please.", {"decision"})


def test_lines_in_the_users_own_words_are_quoted_one_by_one() -> None:
    lines = ["Could we move our retrospective to Sunday", "Please remind Cory about the tyres"]
    for seed in range(10):
        said = value_clause(random.Random(seed), "messages", lines, chosen=True)
        assert '"Could we move our retrospective to Sunday" and "Please remind Cory about the tyres"' in said, said
        assert "Messages Could" not in lookup_sentence(random.Random(seed), [("messages", lines)])


def test_an_item_and_its_quantity_given_apart_are_said_as_one_counted_thing() -> None:
    assert paired([("item_id", "MI2031"), ("fulfilment", "delivery"), ("quantity", 3)]) == \
        [("fulfilment", "delivery"), ("items", [{"item_id": "MI2031", "quantity": 3}])]
    assert paired([("item_id", "A"), ("seat_id", "B"), ("quantity", 3)]) == \
        [("item_id", "A"), ("seat_id", "B"), ("quantity", 3)]  # which one it counts is not known
    assert _details({"store_id": "ST1", "item_id": "MI2031", "quantity": 3, "fulfilment": "delivery"},
                    "store_id") == " for 3 units of item MI2031 with the fulfilment delivery"


def test_a_recall_of_a_plural_label_asks_in_the_plural() -> None:
    for seed in range(20):
        for said in (recall(random.Random(seed), "checked_bags"), recall(random.Random(seed), "bag_fees", None)):
            assert not re.search(r"\bwas the (?:checked bags|bag fees)\b|what's the|were it\b|were that\b", said), said


def test_an_output_that_only_says_it_worked_is_not_read_out() -> None:
    sent = {"message": "Message sent to 'USR009' successfully.", "message_id": 61, "sent_status": True}
    said = summary(sent, "send_message", random.Random(0), arguments={"receiver_id": "USR009", "message": "Hi there"})
    assert "successfully" not in said and "61" in said, said
    assert summary({"message": "User Joy logged in successfully."}, "login", random.Random(0)) == ""
    note = {"note_id": "N1", "body": "Remember to water the plants on Friday"}  # a text that is news is quoted
    assert '"Remember to water the plants on Friday"' in summary(note, "get_note", random.Random(0))


def test_a_code_in_a_list_line_is_said_with_what_it_is() -> None:
    assert describe_item({"shipment_id": 1017, "quantity": 58, "store_code": "GN-1117"}) == \
        "1017, quantity 58, store code GN-1117"
    assert describe_item({"name": "Desk Lamp", "date": "2026-07-01T10:00:00"}) == "Desk Lamp, July 1, 2026 at 10:00"


def test_a_parameter_named_by_a_question_is_no_noun_in_the_users_words() -> None:
    for seed in range(20):
        said = value_clause(random.Random(seed), "what_happened", "Storm blew tiles off the roof", chosen=True)
        assert "what happened: Storm blew tiles off the roof." in said.lower().replace("storm", "Storm"), said
        assert "the what" not in said.lower() and not said.startswith("What happened:"), said


def test_an_entry_without_a_name_is_headed_by_its_kind() -> None:
    assert describe_item({"cabin": "premium_economy", "seats_total": 12, "price": 264.37}) == \
        "premium economy, 12 seats total, $264.37"


def test_a_request_naming_the_record_asks_about_the_record_not_a_field_named_like_it() -> None:
    flight = {"flight_id": "FL1003", "flight_number": "TA508", "aircraft": "B787", "status": "scheduled"}

    def asking(text: str, output: object) -> Segment:
        call = Call("get_flight" if isinstance(output, dict) else "search_flights", {},
                    result=CallResult(ok=True, result=output))
        return Segment("g", call.name, {}, [Turn("user", "request", text), Turn("assistant", "call", calls=[call])])

    pulled = asking("Would you please pull up my flight?", flight)
    status = asking("What's the status of my flight?", flight)
    assert not focus_of(pulled, None).asked("flight_number") and focus_of(status, None).asked("status")
    searched = asking("I need to look for the flights.", [flight])  # a list's noun asks which ones, by number
    assert focus_of(searched, None).asked("flight_number")
    assert "the status is scheduled" in summary(flight, "get_flight", random.Random(0),
                                                  focus=focus_of(pulled, None))


def test_a_code_the_user_gives_is_no_question_or_wish_and_money_owed_is_money() -> None:
    for seed in range(30):
        said = value_clause(random.Random(seed), "barcode", "BB004541", chosen=True)
        assert not said.startswith(("Could", "I'd rather", "I'd prefer")), said
    assert past_tense("destroy_specimen") == "destroyed" and past_tense("relocate_specimen") == "relocated"
    assert natural(153.89, "they_owe_you") == "$153.89" and natural(3, "power") == "3"


def test_a_recall_of_an_events_date_asks_when_it_happened() -> None:
    assert all("time created" not in recall(random.Random(seed), "time_created") for seed in range(10))
    assert "when was it created" in recall(random.Random(1), "time_created").lower()


def test_a_measure_in_a_group_of_values_keeps_its_unit_after_the_number() -> None:
    for seed in range(20):
        said = " ".join(value_sentences(random.Random(seed), [("barcode", "BB002530"), ("volumeMl", 0.63)]))
        assert "0.63 ml" in said and "volume ml" not in said.lower(), said
        found = lookup_sentence(random.Random(seed), [("volumeMl", 0.5), ("rack", "R-1")])
        assert "0.5 ml" in found and "volume ml" not in found.lower(), found
