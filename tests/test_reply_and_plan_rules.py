"""The offline generator's rules for training-grade dialogues (issue 16 part 2), on small
hand-made outputs: what a plan may not add (a read that re-finds someone already found,
or that shows nothing new) and how a reply says things (asked and new values first, event
dates as events, people by name, a message's text quoted, a mapping of records listed)."""

from __future__ import annotations

import random

from toolace_mt.generation.language import field_clauses, record_listing, reply_focus, speech
from toolace_mt.generation.plan.dialogue_facts import entity_ids, re_resolves, shown_values, tells_nothing_new
from toolace_mt.verifier.consistency import claimed_actions

CUSTOMER = {"customer_id": "C1009", "email": "tony@example.com", "first_name": "Tony", "last_name": "Fry",
            "orders": [{"order_id": "#W1127", "status": "delivered", "total": 317.97}]}


def test_a_look_up_by_other_details_of_someone_already_found_re_resolves() -> None:
    known = shown_values([CUSTOMER])
    found_by_email = {"customer_id": "C1009", "email": "tony@example.com", "zip": "66446"}
    assert len(entity_ids(found_by_email)) == 1  # one entity, by its id
    assert re_resolves({"email": "tony@example.com"}, found_by_email, known)
    assert re_resolves({"email": "tony@example.com"}, [found_by_email], known)  # a search that found one
    # named by its own id: a look-up of the entity, not a re-resolution
    assert not re_resolves({"customer_id": "C1009"}, found_by_email, known)
    # someone not found before
    assert not re_resolves({"email": "ann@example.com"}, {"customer_id": "C1010"}, known)
    # a listing of several is not one entity
    assert not re_resolves({"status": "open"}, [{"customer_id": "C1009"}, {"customer_id": "C1010"}], known)


def test_a_read_that_shows_only_what_was_shown_tells_nothing_new() -> None:
    known = shown_values([CUSTOMER])
    assert tells_nothing_new([{"order_id": "#W1127", "status": "delivered", "total": 317.97}], known)
    assert not tells_nothing_new([{"order_id": "#W1127", "delivered_on": "2026-07-10"}], known)
    assert not tells_nothing_new([], known)  # "no orders" is news


def test_a_whole_number_read_back_as_a_float_is_nothing_new() -> None:
    """A speed set to 80 that a read gives back as 80.0 was already shown: the read shows nothing."""
    known = shown_values([{"speed": 80, "distanceToNextVehicle": 134.39}])
    assert tells_nothing_new({"currentSpeed": 80.0}, known)
    assert not tells_nothing_new({"currentSpeed": 80.5}, known)
    assert shown_values([{"speed": 80.0}]) == shown_values([{"speed": 80}])


def test_event_dates_are_said_as_events() -> None:
    assert field_clauses.clause("placed_at", "2026-07-16T22:00:00") == "it was placed on July 16, 2026 at 22:00"
    assert field_clauses.clause("sent_at", "2026-06-11T15:46:00") == "it was sent on June 11, 2026 at 15:46"
    assert field_clauses.clause("expires_on", "2028-06-23") == "it expires on June 23, 2028"
    assert field_clauses.clause("customer_since", "2015-10-14") == "you've been a customer since October 14, 2015"
    assert field_clauses.clause("status", "no_longer_needed") == "the status is no longer needed"


def test_a_reply_tells_the_asked_and_new_values_first() -> None:
    order = {"order_id": "#W1", "status": "pending", "total": 25.99, "ship_city": "Leeds", "carrier": "UPS",
             "tracking_number": "1Z999"}
    focus = reply_focus.Focus(words={"tracking"}, shown={"#W1", "pending", "25.99", "Leeds"})
    said = speech.summary(order, "get_order", random.Random(1), limit=2, focus=focus)
    assert "1Z999" in said and "UPS" in said and "Leeds" not in said


def test_an_entity_whose_fields_were_all_shown_is_told_by_its_list() -> None:
    focus = reply_focus.Focus(shown={"C1009", "tony@example.com", "Tony", "Fry"})
    said = speech.summary(CUSTOMER, "get_customer", random.Random(2), focus=focus)
    assert "#W1127" in said and "delivered" in said


def test_list_entries_are_described_by_name_and_by_what_is_new() -> None:
    people = [{"passenger_id": "PAX-1", "first_name": "Jillian", "last_name": "Vance"},
              {"passenger_id": "PAX-2", "first_name": "Jonathan", "last_name": "Vance"}]
    listed = record_listing.listing(people, "find_passengers", random.Random(0))
    assert "Jillian Vance (PAX-1)" in listed and "Jonathan Vance (PAX-2)" in listed
    orders = [{"order_id": "#W1", "status": "delivered", "placed_at": "2026-07-06T19:47:00",
               "delivered_on": "2026-07-10", "total": 63.98}]
    focus = reply_focus.Focus(shown={"#W1", "delivered", "2026-07-06T19:47:00", "63.98"})
    assert "delivered on July 10, 2026" in record_listing.listing(orders, "list_customer_orders", random.Random(0),
                                                          focus=focus)
    stock = [{"product_id": "P1", "name": "Desk Lamp", "price": 63.99, "stock": 2}]
    assert "2 in stock" in record_listing.listing(stock, "search_products", random.Random(0),
                                                  focus=reply_focus.Focus({"stock"}))


def test_a_message_text_is_quoted_and_variants_are_listed() -> None:
    body = "Could we move the review to Thursday afternoon? The slides are not ready yet, sorry."
    said = speech.summary({"message_id": "MSG-1", "subject": "Review", "body": body}, "get_message",
                          random.Random(3))
    assert f'"{body}"' in said
    product = {"name": "Jigsaw Puzzle", "product_id": "1808611083",
               "variants": {"1008948180": {"item_id": "1008948180", "options": {"pieces": "1000", "theme": "art"},
                                           "price": 54.34, "available": False}}}
    told = speech.summary(product, "get_product_details", random.Random(4))
    assert "1008948180" in told and "1000, art" in told and "$54.34" in told


def test_another_partys_name_is_never_said_as_the_users_own() -> None:
    from toolace_mt.generation.language import wording as w

    assert w.mine("name") and w.mine("email") and not w.mine("payee name") and not w.mine("contact email")
    said = {w.value_clause(random.Random(s), "payee_name", "Dr. Chloe Foster") for s in range(200)}
    assert not [t for t in said if "my name" in t.lower() or "my payee name" in t.lower()]
    assert any("payee name" in t for t in said)


def test_the_same_look_up_of_list_values_is_asked_in_words() -> None:
    from toolace_mt.generation.language import wording as w

    asked = {w.same_for(random.Random(s), [["draw"], ["compare", "world"]]) for s in range(30)}
    assert all("[" not in t and "compare and world" in t for t in asked)


def test_a_line_of_text_a_list_holds_is_quoted_not_claimed() -> None:
    """display_log gives back the user's line "I have booked a table ...": read out bare, it is
    the assistant claiming a booking no write made."""
    said = speech.summary({"log": ["I have booked a table in Johnnybury for Saturday"]}, "display_log",
                          random.Random(1))
    assert '"I have booked a table in Johnnybury for Saturday"' in said, said
    assert claimed_actions(said) == []
