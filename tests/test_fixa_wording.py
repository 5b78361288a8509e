"""The assistant says values as a person does: a sign-in greets the user instead of reading
them their own username and name, their own profile is told without their name, whole
numbers have no ".0", yes/no fields are states ("it's open", "not available"), a
question for the cost gets the price, a count over a period is said with its period,
and an identifier is asked for, never offered as a choice."""

from __future__ import annotations

import random
import re
from typing import Any

from sandbox import CallResult, ToolSpec
from toolace_mt.generation.draft import Call, Segment, Turn
from toolace_mt.generation.language import (
    field_clauses,
    flag_wording,
    own_record,
    record_listing,
    reply_focus,
    reply_wording,
    speech,
    spoken_values,
)
from toolace_mt.generation.language import offline_wording as ow
from toolace_mt.generation.language.assistant_phrases import ask_templates
from toolace_mt.verifier.program_text import _FLOAT_WHOLE, _NAME_SAID
from toolace_mt.verifier.small_talk import _FOUND_OPENER, _ID_CHOICE


def _reply(tool: str, arguments: dict[str, Any], result: Any, writes: bool, seed: int = 0,
           focus: reply_focus.Focus | None = None, stated: dict[str, Any] | None = None, **kwargs: Any) -> str:
    call = Call(tool, arguments, result=CallResult(ok=True, result=result))
    reply = Turn("assistant", "reply", seed=seed, topic={"target": tool, "writes": writes})
    segment = Segment(goal="g", target=tool, stated=stated or {},
                      turns=[Turn("assistant", "calls", calls=[call]), reply])
    return reply_wording.reply_text(segment, reply, random.Random(seed), focus, **kwargs)


def _tool(name: str, params: list[str], writes: bool) -> ToolSpec:
    return ToolSpec(name=name, description="", parameters={
        "type": "object", "properties": {p: {"type": "string"} for p in params}, "required": params},
        writes=writes)


def test_a_sign_in_greets_the_user_and_reads_back_no_credential() -> None:
    output = {"diner_id": "DN3007", "first_name": "Miranda", "signed_in": True}
    for seed in range(40):
        text = _reply("sign_in", {"username": "mirandadan6", "password": "wkF9jzon3I"}, output, True, seed,
                      user_key="diner_id", sign_in=True)
        assert "Miranda" in text and "signed in" in text, text
        assert not _NAME_SAID.search(text), text  # never "the first name is Miranda"
        assert "mirandadan6" not in text and "wkF9jzon3I" not in text and "DN3007" not in text, text
        assert not _FOUND_OPENER.search(text), text
        assert "noted" not in text.casefold() and "recorded" not in text.casefold(), text


def test_a_log_in_named_by_a_noun_says_the_state_its_output_shows() -> None:
    output = {"employee_id": "E4012", "first_name": "Meagan", "logged_in": True}
    texts = {_reply("login", {"login": "mherman", "pin": "7534"}, output, True, seed, user_key="employee_id",
                    sign_in=True) for seed in range(30)}
    assert all("logged in" in t and "Meagan" in t and "mherman" not in t for t in texts), texts
    assert not any(_FOUND_OPENER.search(t) for t in texts)


def test_which_writes_sign_in() -> None:
    assert own_record.signs_in(_tool("login", ["login", "pin"], True), enables_others=True)
    assert own_record.signs_in(_tool("ticket_login", ["username"], True), enables_others=False)
    assert not own_record.signs_in(_tool("change_password", ["old_password", "new_password"], True), False)
    assert not own_record.signs_in(_tool("get_profile", [], False), True)
    assert not own_record.signs_in(_tool("add_to_cart", ["item_id"], True), enables_others=True)
    # a stateless sign-in: a read that takes a credential and is named for signing in
    assert own_record.signs_in(_tool("sign_in", ["username", "pin"], False), enables_others=False)
    assert not own_record.signs_in(_tool("find_user_by_email", ["email"], False), enables_others=False)


def test_a_read_that_signs_in_says_so_not_two_fields() -> None:
    """A help desk's sign_in(username, pin) returns the employee: "Hi Ann, you're signed in.",
    not "The department is Engineering and the office is Cardiff."."""
    output = {"employee_id": "E-3107", "full_name": "Ann Lee", "department": "Engineering", "office": "Cardiff"}
    for seed in range(20):
        text = _reply("sign_in", {"username": "alee4", "pin": "7745"}, output, False, seed,
                      user_key="employee_id", sign_in=True)
        assert "signed in" in text and "alee4" not in text and "7745" not in text, text


def test_the_users_own_profile_is_told_without_their_name() -> None:
    output = {"customer_id": "CUS-1095", "full_name": "Samuel Ortiz", "customer_since": "2023-11-10",
              "email": "samuel.ortiz@gmail.com", "phone": "543-222-1441"}
    for seed in range(30):
        text = _reply("get_customer", {"customer_id": "CUS-1095"}, output, False, seed, user_key="customer_id")
        assert "Samuel" not in text and text.strip(), text
    # asked about ("what name do you have on file?"), the name is the answer
    asked = _reply("get_customer", {"customer_id": "CUS-1095"}, output, False, 0,
                   reply_focus.Focus({"name", "file"}), user_key="customer_id")
    assert "Samuel Ortiz" in asked, asked
    # given to be found by ("find me by first name Collin"), it asks for no name
    found = {"customer_id": "C1016", "first_name": "Collin", "last_name": "Warren", "email": "c@example.com"}
    text = _reply("get_customer", {"customer_id": "C1016"}, found, False, 0, reply_focus.Focus({"name", "first"}),
                  stated={"first_name": "Collin"}, user_key="customer_id")
    assert "Collin" not in text, text


def test_a_record_pointing_at_the_user_keeps_its_own_name() -> None:
    payee = {"payee_id": "PAY-5218", "customer_id": "CUS-1093", "name": "Tabitha Wilkins"}
    assert not own_record.is_own(payee, "customer_id")
    text = _reply("get_payee", {"payee_id": "PAY-5218"}, payee, False, 0, user_key="customer_id")
    assert "Tabitha Wilkins" in text, text


def test_whole_numbers_have_no_trailing_zero() -> None:
    for text in (spoken_values.natural(3.0, "workdays"), field_clauses.clause("days_available", 2.0),
                 speech.summary([{"leave_type": "sick", "days_available": 3.0}], "get_balances", random.Random(0)),
                 speech.summary({"workdays": 3.0, "note": "x"}, "count", random.Random(0))):
        assert not _FLOAT_WHOLE.search(text), text
    assert spoken_values.natural(2.5, "days") == "2.5" and spoken_values.natural(25.0, "price") == "$25.00"


def test_yes_no_fields_are_said_as_states() -> None:
    said = {key: flag_wording.yes_no({key: False}) for key in ("is_open", "available", "open_now", "logged_in")}
    assert said == {"is_open": "No: it's not open.", "available": "No: it's not available.",
                    "open_now": "No: it's not open now.", "logged_in": "No: you're not logged in."}
    assert flag_wording.flag_state("has_wifi", True) == "it has wifi"
    assert flag_wording.flag_state("can_cancel", False) == "it can't cancel"
    for text in said.values():
        assert not re.search(r"\bthe [a-z ]+ is o(?:n|ff)\b", text), text
    logout = _reply("logout", {}, {"logged_in": False}, True, 0)
    assert "you're not logged in" in logout.casefold() and "No:" not in logout, logout


def test_an_asked_yes_no_is_told_in_each_entry() -> None:
    menu = [{"available": True, "item_id": "MI1", "name": "Pad Thai", "price": 18.73},
            {"available": False, "item_id": "MI2", "name": "Green Curry", "price": 18.74}]
    text = speech.summary(menu, "get_menu", random.Random(0), focus=reply_focus.Focus({"menu", "whether", "available"}))
    assert "Pad Thai (MI1), available" in text and "Green Curry (MI2), not available" in text, text
    plain = speech.summary(menu, "get_menu", random.Random(0), focus=reply_focus.Focus({"menu"}))
    assert "available" not in plain, plain


def test_a_question_for_the_cost_gets_the_price() -> None:
    product = {"active": False, "category": "clothing", "name": "Wool Sweater", "price": 105.99,
               "product_id": "P2046", "stock": 44}
    for seed in range(20):
        text = speech.summary(product, "get_product", random.Random(seed), known={"P2046"},
                              focus=reply_focus.Focus({"much", "does", "product", "cost"}))
        assert "$105.99" in text, text


def test_a_count_over_a_period_is_said_with_its_period() -> None:
    output = {"end_date": "2026-10-07", "start_date": "2026-10-06", "workdays": 2.0}
    text = speech.summary(output, "count_workdays", random.Random(0), known={"2026-10-06", "2026-10-07"},
                          focus=reply_focus.Focus({"count", "workdays"}))
    assert text == "There are 2 workdays from October 6, 2026 to October 7, 2026.", text


def test_an_identifier_is_asked_for_not_offered_as_a_choice() -> None:
    for label in ("customer ID", "PIN", "username", "card number", "email address"):
        for template in ask_templates(label):
            assert not _ID_CHOICE.search(template.format(label=label)), template
    assert any("would you like" in t for t in ask_templates("leave type"))  # a preference may be chosen
    for seed in range(30):
        assert not _ID_CHOICE.search(ow.ask_text(random.Random(seed), "customer_id"))
        # "one question" says a number (1) that no output shows: the consistency check drops it
        assert " one " not in ow.ask_text(random.Random(seed), "from_account_id")


def test_a_record_of_a_list_of_names_is_told_by_its_entries() -> None:
    assert record_listing.describe_item({"stock_list": ["FLET", "GRAN", "STOK"]}) == "FLET, GRAN and STOK"
    many = record_listing.describe_item({"stock_list": [f"S{i}" for i in range(8)]})
    assert many == "S0, S1, S2, S3, S4 and 3 more", many
    six = record_listing.describe_item({"stock_list": [f"S{i}" for i in range(6)]})
    assert six == "S0, S1, S2, S3, S4 and S5", six  # not "and 1 more": a count no output shows
    nested = record_listing.describe_item({"status": {"brakePedalForce": 0.0, "brakePedalStatus": "released"}})
    assert not _FLOAT_WHOLE.search(nested) and "released" in nested, nested


def test_a_mistyped_number_is_no_program_print() -> None:
    from toolace_mt.generation.plan.mistakes import _mistype
    assert _mistype(7.9, random.Random(0)) == 79 and isinstance(_mistype(7.9, random.Random(0)), int)
    assert _mistype(12.34, random.Random(0)) == 123.4


def test_a_writes_reply_does_not_tell_the_user_their_own_id() -> None:
    output = {"days": 3.0, "employee_id": "E4012", "end_date": "2026-08-07", "leave_type": "vacation", "note": "",
              "request_id": "TO-7068", "start_date": "2026-08-05", "status": "requested"}
    arguments = {"start_date": "2026-08-05", "end_date": "2026-08-07", "leave_type": "vacation"}
    for seed in range(20):
        text = _reply("request_time_off", arguments, output, True, seed, user_key="employee_id")
        assert "E4012" not in text and "TO-7068" in text, text


def test_several_look_ups_are_led_by_their_values_in_words() -> None:
    rows = [{"order_id": "FD-1", "status": "out_for_delivery", "store_name": "Watkins's Burgers"}]
    calls = [Call("list_orders", {"status": "out_for_delivery"}, result=CallResult(ok=True, result=rows)),
             Call("list_orders", {"status": "delivered"}, result=CallResult(ok=True, result=[]))]
    for seed in range(20):
        reply = Turn("assistant", "reply", seed=seed, topic={"target": "list_orders", "writes": False})
        segment = Segment(goal="g", target="list_orders", stated={},
                          turns=[Turn("assistant", "calls", calls=calls), reply])
        text = reply_wording.reply_text(segment, reply, random.Random(seed))
        assert "out_for_delivery" not in text and not text.split(". ", 1)[-1].startswith("Then"), text
