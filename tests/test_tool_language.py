"""Requests worded from tool descriptions, and secrets never said back."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sandbox import load_env
from toolace_mt.generation import tool_language as tl

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
