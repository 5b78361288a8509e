"""Requests worded from tool descriptions, and secrets never said back."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from sandbox import load_env
from toolace_mt.generation.language import tool_language as tl

ENVS = Path(__file__).resolve().parent.parent / "fixtures" / "envs"


@pytest.fixture(scope="module")
def tools():
    with load_env(ENVS / "ticket.py") as ticket, load_env(ENVS / "message.py") as message:
        yield {t.name: t for t in [*ticket.tools, *message.tools]}


def test_description_is_the_first_imperative_clause(tools) -> None:
    assert tl.description(tools["get_user_tickets"]) == "get all tickets created by the current user"
    assert tl.description(tools["get_ticket"]) == "get a specific ticket"  # "by its ID" said with the id


def test_bfcl_preamble_is_cut() -> None:
    spec = type("Spec", (), {"description": "This tool belongs to the Message API, which is used to manage "
                                            "users. Tool description: Send a message to a user."})()
    assert tl.description(spec) == "send a message to a user"


@pytest.mark.parametrize(("clause", "who", "said"), [
    ("log out the current user", "you", "log me out"),
    ("log out the current user", "me", "log out"),
    ("get the login status of the currently authenticated user", "you", "get my login status"),
    ("view all historical messages sent by the current user", "you", "view all historical messages sent by me"),
    ("authenticate a user for the ticket system", "you", "authenticate me for the ticket system"),
])
def test_first_person(clause: str, who: str, said: str) -> None:
    assert tl.first_person(clause, who) == said


def test_requests_name_the_referent_and_never_the_tool(tools) -> None:
    rng = random.Random(3)
    for _ in range(20):
        text, covered = tl.ask_sentence(tools["close_ticket"], rng, 12)
        assert covered and "ticket 12" in text and "close_ticket" not in text
    text, covered = tl.request(tools["send_message"], {"receiver_id": "USR004", "message": "hi"}, random.Random(1))
    assert "message" in text and "send_message" not in text
    text, _ = tl.ask_sentence(tools["ticket_login"], random.Random(2))
    assert "authenticate" in text and "ticket login" not in text.lower()


@pytest.mark.parametrize(("param", "secret"), [
    ("password", True), ("api_key", True), ("apiKey", True), ("card_pin", True), ("auth_token", True),
    ("client_secret", True), ("username", False), ("keyword", False), ("pinned_note", False), ("spin", False),
])
def test_secret_parameters(param: str, secret: bool) -> None:
    assert tl.is_secret(param) is secret


def test_secrets_are_left_out_and_redacted() -> None:
    arguments = {"username": "kelli68", "password": "Blue3733"}
    assert tl.without_secrets(arguments) == {"username": "kelli68"}
    assert tl.redact("password blue3733 is wrong for kelli68", tl.secret_values(arguments)) == (
        "password (hidden) is wrong for kelli68")


def test_a_parameter_takes_the_column_its_description_names() -> None:
    assert tl.described_columns("User name of the user.", ["user_id", "user_name", "name"]) == ["user_name"]
    assert tl.described_columns("The keyword to search for.", ["user_id", "user_name"]) == []


@pytest.mark.parametrize(("verb", "said"), [
    ("Sets", "Set"), ("Presses", "Press"), ("Displays", "Display"), ("Copies", "Copy"), ("Gets", "Get"),
    ("Releases", "Release"), ("Fixes", "Fix"), ("Access", "Access"), ("Close", "Close"), ("Focus", "Focus"),
])
def test_third_person_verbs_become_imperative(verb: str, said: str) -> None:
    assert tl.imperative(verb) == said


@pytest.mark.parametrize(("description", "usual", "inside"), [
    ("Position of the brake pedal, between 0 (not pressed) and 1 (fully pressed).", (5, 250), (0, 1)),
    ("The speed to set in m/h. The speed should be between 0 and 120 and a multiple of 5.", (5, 250), (5, 120)),
    ("Priority of the ticket, from 1 to 5.", (1, 3), None),  # the usual guesses fit: kept
    ("The amount to move.", (5, 250), None),
])
def test_numbers_in_the_described_range(description: str, usual: tuple[int, int], inside) -> None:
    rng = random.Random(4)
    for _ in range(20):
        value = tl.described_number(description, False, rng, usual)
        if inside is None:
            assert value is None
        else:
            assert inside[0] <= value <= inside[1]
            if "multiple of 5" in description:
                assert value % 5 == 0


def _tool(name: str, description: str) -> object:
    return type("Spec", (), {"name": name, "description": description, "parameters": {"properties": {}}})()


@pytest.mark.parametrize(("name", "description", "noun", "said"), [
    # a look-up whose description opens with what it returns, not a verb
    ("find_open_slots", "Start times on one day at which a therapist is free.", None, "get start times"),
    ("session_end_time", "When a session starting at a given time ends.", None, ""),
    # the env's noun for its users, with "member", is the user
    ("find_staff_by_email", "Find a staff member by their work email.", "staff", "find me"),
    ("list_expense_reports", "The staff member's own expense reports with their totals.", "staff",
     "get my expense reports"),
    # a contact clause ends the object at its subject, not one word into it
    ("cancel_ticket", "Cancel a ticket nobody has resolved yet.", None, "cancel a ticket"),
    ("renew_loan", "Renew a book someone else has not reserved.", None, "renew a book"),
    # a hyphenated modifier before a plural names what a look-up returns; a hyphenated verb stays a verb
    ("search_help_articles", "Self-help articles whose title has any of the given words (up to 5).", None,
     "get self-help articles"),
    ("re_send_invite", "Re-send an invitation to a guest.", None, "re-send an invitation"),
])
def test_spoken_task_from_descriptions_unlike_the_tuned_ones(name: str, description: str, noun: str | None,
                                                             said: str) -> None:
    assert tl.spoken_task(_tool(name, description), "you", noun) == said


def test_a_pronoun_goes_before_the_particle() -> None:
    tool = _tool("find_staff_by_email", "Find a staff member by their work email.")
    said = {tl.task(tool, random.Random(seed), "you", None, "staff")[0] for seed in range(60)}
    assert not any(p in s for s in said for p in ("down me", "up me", "out me")), said
    # a look-up of the user themselves pulls up their record: never "track me down", "locate me"
    assert all(re.search(r"\bmy (?:record|details)\b", s) for s in said), said


@pytest.mark.parametrize(("name", "said"), [
    ("plots_lease", "lease_plots"), ("tools.giveBack", "give_back_tools"), ("news_get", "get_news"),
    ("session_end_time", "session_end_time"), ("harvests_byPlot", "harvests_by_plot"),
    ("cancel_order", "cancel_order"), ("setCruiseControl", "set_cruise_control"),
])
def test_a_name_with_its_noun_first_is_said_verb_first(name: str, said: str) -> None:
    from toolace_mt.generation.language.task_phrases import snake

    assert snake(name) == said


def test_a_particle_after_the_verb_of_a_name_stays_with_it() -> None:
    from toolace_mt.generation.language.task_phrases import task_phrase

    said = {task_phrase("tools_giveBack", random.Random(seed)) for seed in range(20)}
    assert all(s.startswith("give back ") and s.endswith("tools") for s in said), said
