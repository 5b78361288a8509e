"""Tool names that do not open with their verb are still said as a person says them:
`settle_up` -> "settle up", `ticket_login` -> "log me in", `session_end_time` -> a
look-up of the session end time; a write named for the field it changes is confirmed as
"change the urgency of ticket INC-20592 to medium"."""

from __future__ import annotations

import random

import pytest

from toolace_mt.generation.language.confirm_wording import _set_field
from toolace_mt.generation.language.task_phrases import task_phrase


@pytest.mark.parametrize(("tool", "said"), [
    ("settle_up", "settle up"),
    ("ticket_login", "log me in"),
    ("sign_in", "sign me in"),
    ("ticket_logout", "log me out"),
])
def test_a_verb_with_its_particle_is_said_whole(tool: str, said: str) -> None:
    assert {task_phrase(tool, random.Random(seed)) for seed in range(6)} == {said}


def test_a_name_with_no_verb_is_a_look_up() -> None:
    phrases = {task_phrase("session_end_time", random.Random(seed)) for seed in range(8)}
    assert all(p.endswith("session end time") and not p.startswith("session") for p in phrases), phrases


def test_a_verb_and_particle_before_a_thing_keep_the_verb() -> None:
    phrases = {task_phrase("check_in_reservation", random.Random(seed)) for seed in range(8)}
    assert all(p.startswith("check in ") for p in phrases), phrases  # never "verify in my reservation"


def test_a_write_named_for_the_field_it_sets_says_which_record_and_the_new_value() -> None:
    arguments = {"employee_id": "E1", "ticket_id": "INC-20592", "urgency": "medium"}
    assert _set_field("change_urgency", arguments, "employee_id") == (
        "change the urgency of ticket INC-20592 to medium", "ticket_id")
    assert _set_field("set_status", {"task_id": "T-1", "status": "in_progress"}, None)[0] == \
        "set the status of task T-1 to in progress"
    assert _set_field("cancel_ticket", {"ticket_id": "INC-1", "reason": "duplicate"}, None) is None
    assert _set_field("update_address", {"order_id": "#W1", "address": {"city": "Leeds"}}, None) is None


def test_a_records_number_or_code_is_asked_as_its_record() -> None:
    """People know a group by its name: "Which group do you mean?", not "the group code?"."""
    import toolace_mt.generation.language.wording  # noqa: F401  (the language's import order)
    from toolace_mt.generation.language.offline_wording import ask_text

    for seed in range(6):
        asked = ask_text(random.Random(seed), "group_code", record_key=True)
        assert "group" in asked and "code" not in asked, asked
        assert "zip code" in ask_text(random.Random(seed), "zip_code")


def test_a_reply_tells_no_number_beside_its_record() -> None:
    """A claim's policy number, a booking's flight id: neither asked nor made by the call."""
    import toolace_mt.generation.language.wording  # noqa: F401
    from toolace_mt.generation.language import speech
    from toolace_mt.generation.language.reply_focus import Focus

    claim = {"amount_claimed": 319.57, "claim_number": "CLM-7056", "policy_number": "POL-88058",
             "status": "decided"}
    focus = Focus({"claim", "number"}, set())  # "the claim number is CLM-7056"
    assert "POL-88058" not in speech.summary(claim, "get_claim", random.Random(0), focus=focus)
    booking = {"booking_id": "BK-1", "checked_bags": 2, "fee_charged": 40.0, "flight_id": "FL1063"}
    said = speech.summary(booking, "add_checked_bags", random.Random(0), arguments={"booking_id": "BK-1", "bags": 1})
    assert "FL1063" not in said and "$40.00" in said, said


def test_a_write_on_the_record_it_was_given_tells_no_new_number_beside_it() -> None:
    """submit_claim on claim CLM-7024 made nothing: the policy number in its output is no news;
    book_flight made a booking: its booking id is."""
    import toolace_mt.generation.language.wording  # noqa: F401
    from toolace_mt.generation.language import speech

    claim = {"amount_claimed": 3826.92, "claim_number": "CLM-7024", "policy_number": "POL-88022",
             "status": "submitted"}
    said = speech.summary(claim, "submit_claim", random.Random(0),
                          arguments={"member_number": "M-1", "claim_number": "CLM-7024"})
    assert "POL-88022" not in said and "submitted" in said, said
    booked = {"booking_id": "BK-52360", "flight_number": "FL-101", "passenger_id": "P-1", "status": "confirmed"}
    assert "BK-52360" in speech.summary(booked, "book_flight", random.Random(0),
                                        arguments={"flight_number": "FL-101", "passenger_id": "P-1"})


def test_finding_the_users_own_record_is_said_as_found_not_its_number_read_out() -> None:
    """"Pull up my record" finds {first_name, last_name, member_number}: "I've found your
    record, Sue.", never "the member number is M-40128" (their own id, read back)."""
    import toolace_mt.generation.language.wording  # noqa: F401
    from sandbox import CallResult
    from toolace_mt.generation.draft import Call, Segment, Turn
    from toolace_mt.generation.language import reply_wording

    found = {"first_name": "Sue", "last_name": "Hopkins", "member_number": "M-40128"}
    for seed in range(10):
        call = Call("find_policyholder", {"email": "sue@example.net"}, result=CallResult(ok=True, result=found))
        reply = Turn("assistant", "reply", seed=seed, topic={"target": "find_policyholder", "writes": False})
        segment = Segment(goal="g", target="find_policyholder", stated={},
                          turns=[Turn("assistant", "calls", calls=[call]), reply])
        text = reply_wording.reply_text(segment, reply, random.Random(seed), None, user_key="member_number")
        assert "found your record, Sue" in text and "M-40128" not in text, text
