"""The user's side of the offline wording on envs without phrasing hints: requests say a
tool's task in a person's words (never a run of its description), values are said as a
person does (not as a form), names and ids are never a preference, a no is not cheered,
and a value is asked "again" only when a reply said it."""

from __future__ import annotations

import random
import re

import pytest

from sandbox import ToolSpec
from toolace_mt.generation.language import request_wording
from toolace_mt.generation.language import tool_language as tl
from toolace_mt.generation.language import user_phrases as up
from toolace_mt.generation.language import value_phrases as vp
from toolace_mt.verifier import small_talk, user_language

SEEDS = range(60)


def _tool(name: str, description: str, properties: dict | None = None, required: list[str] | None = None,
          writes: bool = False) -> ToolSpec:
    return ToolSpec(name=name, description=description, writes=writes,
                    parameters={"type": "object", "properties": properties or {}, "required": required or []})


# Descriptions in the style of unseen envs: relative clauses with no "that", possessives,
# the API's name for the caller, a description with no verb.
TOOLS = [
    _tool("update_delivery_address", "Change the street address orders are delivered to (same city).",
          {"street": {"type": "string", "description": "The new street address."}}, ["street"], True),
    _tool("sign_out", "Sign the current diner out.", writes=True),
    _tool("sign_in", "Sign the diner in; every account action needs it.",
          {"username": {"type": "string"}, "password": {"type": "string"}}, ["username", "password"], True),
    _tool("get_menu", "List a restaurant's menu items with prices and whether each is available now.",
          {"store_id": {"type": "string", "description": "The restaurant."}}, ["store_id"]),
    _tool("list_orders", "List the signed-in diner's orders, newest first, optionally only those with one status."),
    _tool("place_order", "Order a menu item from an open restaurant, delivered to the diner's address or for pickup.",
          {"item_id": {"type": "string"}}, ["item_id"], True),
    _tool("add_tip", "Add a tip for the courier to a delivery order; it is charged to the order's card.",
          {"order_id": {"type": "string"}, "amount": {"type": "number"}}, ["order_id", "amount"], True),
    _tool("list_holidays", "The company holidays of the year."),
    _tool("whos_out", "Colleagues in the logged-in employee's department with approved time off in a period."),
    _tool("cancel_time_off_request", "Cancel a request that is still pending or approved and not started.",
          {"request_id": {"type": "string"}}, ["request_id"], True),
    _tool("get_time_off_balances", "The logged-in employee's days available for each kind of leave."),
]


def _echo(text: str, description: str) -> set[tuple[str, ...]]:
    return user_language._runs(description) & user_language._runs(text)


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.name)
def test_a_request_never_repeats_its_description(tool: ToolSpec) -> None:
    for seed in SEEDS:
        text, _ = tl.request(tool, {"order_id": "FD-50001", "request_id": "TO-7001"}, random.Random(seed), "diner")
        assert text, tool.name
        assert not _echo(text, tool.description), (tool.name, text)
        assert not user_language._SELF_AS_API.search(text), text  # "the signed-in diner's", "the current diner"
        assert not (user_language._NO_VERB.search(text) or user_language._SELF_TWICE.search(text)), text


def test_the_api_name_for_the_caller_is_me() -> None:
    assert tl.spoken_task(TOOLS[1], "you", "diner") == "sign me out"
    assert tl.spoken_task(TOOLS[1], "me", "diner") == "sign out"
    assert tl.spoken_task(TOOLS[2], "you", "diner") == "sign me in"
    assert tl.spoken_task(TOOLS[4], "you", "diner") == "list my orders"
    assert tl.spoken_task(TOOLS[10], "you", "employee") == "get my days available"


def test_the_object_is_its_head_not_its_clause() -> None:
    assert tl.spoken_task(TOOLS[0]) == "change the street address"
    assert tl.spoken_task(TOOLS[3]) == "list the menu items"
    assert tl.spoken_task(TOOLS[5]) == "order a menu item"
    assert tl.spoken_task(TOOLS[6]) == "add a tip"
    assert tl.spoken_task(TOOLS[9]) == "cancel a request"


def test_a_description_without_a_verb_gets_one() -> None:
    assert tl.spoken_task(TOOLS[7]) == "get the company holidays"
    # not "colleague", and which ones: "get colleagues" alone asks for the whole department
    assert tl.spoken_task(TOOLS[8], "you", "employee") == "get colleagues with approved time off"


def test_a_request_names_its_referent_when_the_object_is_kept() -> None:
    said = {tl.request(TOOLS[9], {"request_id": "TO-7001"}, random.Random(seed))[0] for seed in SEEDS}
    assert any("request TO-7001" in text for text in said)


@pytest.mark.parametrize("chosen", [False, True])
def test_a_turn_of_values_is_no_form(chosen: bool) -> None:
    names = ["start date", "end date", "leave type", "order number", "reason", "username", "password"]
    pairs = [("start_date", "August 5, 2026"), ("end_date", "August 7, 2026"), ("leave_type", vp.EnumWords("sick")),
             ("reason", vp.EnumWords("other")), ("username", "mherman")]
    for seed in SEEDS:
        rng = random.Random(seed)
        form = vp.FormCount()
        text = " ".join(vp.value_sentences(rng, list(pairs), chosen=chosen, form=form))
        assert not user_language._form(text, names), text
        for value in ("August 5, 2026", "sick", "mherman"):
            assert value in text  # every value is still said


def test_without_a_count_values_may_read_like_a_form() -> None:
    """The count is what keeps a turn from being a form: without it the same values do."""
    names = ["start date", "end date", "leave type", "reason", "username"]
    pairs = [("start_date", "August 5, 2026"), ("end_date", "August 7, 2026"), ("leave_type", vp.EnumWords("sick")),
             ("reason", vp.EnumWords("other")), ("username", "mherman")]
    formed = sum(bool(user_language._form(" ".join(vp.value_sentences(random.Random(s), list(pairs))), names))
                 for s in range(200))
    counted = sum(bool(user_language._form(" ".join(vp.value_sentences(random.Random(s), list(pairs),
                                                                        form=vp.FormCount())), names))
                  for s in range(200))
    assert counted == 0 < formed


def test_a_name_or_id_is_never_a_pick() -> None:
    for seed in SEEDS:
        for param, value in (("username", "mirandadan6"), ("login", "mherman"), ("payee_name", "Mr. Bernard Chung"),
                             ("pin", "7534"), ("customer_id", "CUS-1112")):
            said = vp.value_clause(random.Random(seed), param, value, chosen=True)
            assert not small_talk._PICKED_NAME.search(said), said
            answer = up.answer(random.Random(seed), param, value)
            assert not small_talk._PREFERS.search(answer), answer


def test_a_choice_may_still_be_wished_for() -> None:
    said = {up.answer(random.Random(seed), "cuisine", vp.EnumWords("thai")) for seed in SEEDS}
    assert any(re.search(r"I'd (?:like|prefer|say)", text) for text in said)


def test_a_follow_up_after_a_no_does_not_cheer() -> None:
    for seed in range(200):
        lead = up.follow_up(random.Random(seed), after_no=True)
        assert not small_talk._CHEER.search(up.follow_up(random.Random(seed))), "unknown last reply"
        assert not small_talk._CHEER.search(lead), lead
    assert any(small_talk._CHEER.search(up.follow_up(random.Random(s), after_no=False)) for s in range(200))


def test_asking_again_has_a_reason_and_asking_first_has_no_repeat() -> None:
    for seed in SEEDS:
        again = up.recall(random.Random(seed), "total", said_before=True)
        assert small_talk._AGAIN.search(again), again
        fresh = up.recall(random.Random(seed), "total", said_before=False)
        assert not small_talk._REPEAT.search(fresh), fresh
        assert "total" in fresh


def test_an_unsupported_request_about_me_is_english() -> None:
    for seed in range(200):
        text = up.ask_unsupported(random.Random(seed), "tell me the latest football scores")
        assert not user_language._SELF_TWICE.search(text), text
        assert "football scores" in text


def test_asking_again_before_the_reply_is_worded_fits_both() -> None:
    for seed in SEEDS:
        for key in ("total", "refund_amount", "created_at", "from_account_id"):
            text = up.recall(random.Random(seed), key, said_before=None)
            assert small_talk._AGAIN.search(text) and not small_talk._REPEAT.search(text), text


def test_a_description_naming_no_thing_gives_no_task() -> None:
    """"Pay what is still owed": no object to say; the caller words the request otherwise."""
    tool = _tool("pay_account_line", "Pay what is still owed on one fine or fee.", writes=True)
    assert tl.spoken_task(tool) == ""
    assert tl.request(tool, {}, random.Random(1)) == ("", set())


def test_a_flag_is_wished_for_in_other_words_than_its_description() -> None:
    description = "True to activate the cruise control, False to deactivate."
    for seed in SEEDS:
        for value in (True, False):
            said = vp.flag_sentence(random.Random(seed), description, value)
            assert said and not _echo(said, description), said


def test_a_session_and_a_particle_are_said_as_people_do() -> None:
    assert tl.spoken_task(_tool("sign_out", "Sign the member out of the gym app.")) == "sign me out"
    assert tl.spoken_task(_tool("sign_in", "Sign in with a member number and PIN.")) == "sign me in"
    assert tl.spoken_task(_tool("sign_in", "Sign in with a member number and PIN."), "me") == "sign in"
    assert tl.spoken_task(_tool("checkIn", "Check the guest in for a reservation.")) == "check the guest in"
    assert tl.spoken_task(_tool("updateContact", "Update fields of a contact.")) == "update a contact"
    assert tl.spoken_task(_tool("createRepo", "Create a new GitHub repository.")) == "create a GitHub repository"


def test_an_include_flag_is_said_by_its_name_not_its_description() -> None:

    description = "Also list invitations to events that have already started."
    tool = _tool("list_invitations", "List invitations the owner received.",
                 {"include_past": {"type": "boolean", "description": description}})
    for seed in SEEDS:
        assert request_wording.flag_sentences(tool, [("include_past", False)], random.Random(seed)) == {}
        said = vp.value_clause(random.Random(seed), "include_past", False)
        assert "past" in said and not _echo(said, description), said
