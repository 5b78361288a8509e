"""The offline backend's language has no holes and no parroting: a reply after a tool that
returned nothing says it was done or noted (never "The result is ."), a value template
never gets an empty slot, free-text argument values (a memo, a summary, a title) are
short plausible phrases the user states verbatim, and no assistant text of a dialogue
repeats another word for word (the judge drops a dialogue whose reply repeats the last)."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
from faker import Faker

from sandbox import CallResult
from sandbox.registry import builtin_names
from toolace_mt.cli import main
from toolace_mt.generation.draft import Call, Draft, Segment, Turn
from toolace_mt.generation.language import offline_wording as ow
from toolace_mt.generation.language import reply_wording, request_wording
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.labels import show
from toolace_mt.generation.language.value_phrases import EnumWords
from toolace_mt.generation.plan.values import Choice, free_text, text_kind
from toolace_mt.generation.workbench import Workbench
from toolace_mt.verifier.evidence import mentions, normalise

# A hole where a value should be: "The result is .", "Note: .", "the  memo", "memo , please", "()".
HOLE = re.compile(r"\b(?:is|are|be|was|as|of|for|to|with)\s+[.,;:!?](?!\w)|:\s*[.,;]|\s[,;:.!?](?!\w)|\(\s*\)|  ")
FREE_TEXT_PARAMS = ["memo", "note", "reason", "cancel_reason", "summary", "thought", "title", "subject", "body",
                    "message", "description", "comment", "subject_line"]


def _shows_nothing(text: str) -> bool:
    found = mentions(text)
    return not (found.numbers or found.ids or found.dates or found.times or re.search(r"\d", text))


# -- free-text values -------------------------------------------------------------------------

def test_free_text_parameters_are_recognised_by_name() -> None:
    assert [text_kind(p) for p in ("memo", "cancel_reason", "subject_line", "summary", "thought", "body")] == [
        "memo", "reason", "subject", "summary", "thought", "body"]
    assert text_kind("message_id") is None and text_kind("order_id") is None and text_kind("zip") is None
    assert text_kind("name") is None and text_kind("query") is None  # Faker names, search words: not free text
    assert text_kind("current memo") == "memo"  # a said label (a second value of a parameter)


@pytest.mark.parametrize("param", FREE_TEXT_PARAMS)
def test_free_text_is_a_short_phrase_without_numbers(param: str) -> None:
    fake = Faker("en_US", use_weighting=False)
    values = [free_text(param, random.Random(seed), fake) for seed in range(1500)]
    for value in values:
        assert len(value.split()) >= 3, value  # a whole value like "hope" is found inside other texts
        assert _shows_nothing(value), value  # no digit, id, date or number word ("ten", "two")
        assert "," not in value and value == value.strip() and "  " not in value, value
        assert not value.endswith((".", "!", "?")), value
    assert len(set(values)) > 0.3 * len(values)  # varied, not a handful of fixed sentences
    again = [free_text(param, random.Random(seed), fake) for seed in range(50)]
    assert again == values[:50]  # deterministic from the rng


@pytest.fixture(scope="module")
def calendar() -> Iterator[Workbench]:
    bench = Workbench("calendar_mail", 1)
    yield bench
    bench.close()


@pytest.fixture(scope="module")
def banking() -> Iterator[Workbench]:
    bench = Workbench("banking", 1)
    yield bench
    bench.close()


_SLOW = pytest.mark.slow  # one case per env in the default run (about 1.6-2 s each)


@pytest.mark.parametrize(("env", "tool", "param"), [
    ("tau", "think", "thought"), pytest.param("tau", "transfer_to_human_agents", "summary", marks=_SLOW),
    ("banking", "pay_payee", "memo"), pytest.param("banking", "transfer_between_accounts", "memo", marks=_SLOW),
    ("calendar", "create_event", "title"), pytest.param("calendar", "create_event", "description", marks=_SLOW),
    pytest.param("calendar", "cancel_event", "reason", marks=_SLOW),
    pytest.param("calendar", "send_message", "subject", marks=_SLOW),
    pytest.param("calendar", "send_message", "body", marks=_SLOW)])
def test_value_source_proposes_phrases_for_free_text(env: str, tool: str, param: str,
                                                     request: pytest.FixtureRequest) -> None:
    """The old values were one random word ("Take establish as the summary") or lorem
    ipsum ("Left in effect discover", with number words: "ten", "hundred")."""
    bench: Workbench = request.getfixturevalue(env)
    spec = bench.tools[tool]
    schema = spec.parameters["properties"][param]
    for seed in range(200):
        choice = Choice()
        value = bench.values.value(spec, param, schema, random.Random(seed), {}, choice)
        assert choice.sources[param] == "fresh"
        assert isinstance(value, str) and len(value.split()) >= 3 and _shows_nothing(value), value


def _segment(target: Call, stated: dict[str, Any]) -> Segment:
    return Segment(goal="g", target=target.name, stated=stated,
                   turns=[Turn("user", "request"), Turn("assistant", "calls", calls=[target])])


def _said(value: str, text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(normalise(value)) + r"(?!\w)", normalise(text)) is not None


def test_requests_state_free_text_verbatim(tau: Workbench, calendar: Workbench, banking: Workbench) -> None:
    fake = Faker("en_US", use_weighting=False)
    cases = [
        (tau, lambda r: {"thought": free_text("thought", r, fake)}, "think"),
        (tau, lambda r: {"summary": free_text("summary", r, fake)}, "transfer_to_human_agents"),
        (calendar, lambda r: {"title": free_text("title", r, fake), "start": "2026-06-14T08:30",
                              "end": "2026-06-14T10:00", "description": free_text("description", r, fake)},
         "create_event"),
        (calendar, lambda r: {"contact_id": "C-1043", "subject": free_text("subject", r, fake),
                              "body": free_text("body", r, fake)}, "send_message"),
        (calendar, lambda r: {"event_id": "EV-2012", "reason": free_text("reason", r, fake)}, "cancel_event"),
        (banking, lambda r: {"from_account_id": "ACC-10054", "to_account_id": "ACC-10055", "amount": 366.91,
                             "memo": free_text("memo", r, fake)}, "transfer_between_accounts"),
    ]
    for bench, make, tool in cases:
        for seed in range(120):
            stated = make(random.Random(seed))
            text = request_wording.request_text(bench, _segment(Call(tool, stated), stated),
                                                Turn("user", "request", seed=seed))
            for param, value in stated.items():
                assert _said(show(value), text), (param, value, text)  # a date and time as a person writes it
            assert not HOLE.search(text), text
            assert text.rstrip()[-1] in ".!?\"", text  # a hint ending in its value ends a sentence too
            assert "Let me think: " not in text or re.search(r"Let me think: [^.]+\.", text), text


# -- no empty slots ---------------------------------------------------------------------------

def _reply(result: Any, tool: str = "think", writes: bool = False, seed: int = 0,
           arguments: dict[str, Any] | None = None) -> str:
    call = Call(tool, arguments or {"thought": "maybe check the order first"},
                result=CallResult(ok=True, result=result))
    reply = Turn("assistant", "reply", seed=seed, topic={"target": tool, "writes": writes})
    segment = Segment(goal="g", target=tool, stated={}, turns=[Turn("assistant", "calls", calls=[call]), reply])
    return reply_wording.reply_text(segment, reply, random.Random(seed))


@pytest.mark.parametrize("result", ["", None, "   ", {}])
def test_a_tool_that_returned_nothing_gets_a_reply_without_a_hole(result: Any) -> None:
    texts = {_reply(result, seed=seed) for seed in range(200)}
    for text in texts:
        assert text.strip() and not HOLE.search(text) and "result is" not in text, text
    assert len(texts) > 3
    written = _reply(result, tool="cancel_event", writes=True, arguments={"event_id": "EV-2012"})
    assert "I've cancelled event EV-2012." in written and not HOLE.search(written)


def test_replies_with_results_have_no_hole() -> None:
    order = {"order_id": "#W1", "status": "pending", "user_id": "ana_1", "note": "",
             "address": {"address1": "1 Elm St", "address2": "", "city": "Austin", "zip": "78705"},
             "payment_history": [{"payment_method_id": "paypal_1", "amount": 10.5}]}
    for seed in range(200):
        for result in ("Transfer successful", 42.5, "mei_garcia_1676", [], [{"order_id": "#W1"}], order,
                       {"description": "Bring notes."}):
            text = _reply(result, tool="get_order_details", seed=seed, arguments={"order_id": "#W1"})
            assert not HOLE.search(text) and ".." not in text, text


def test_a_write_states_what_it_set() -> None:
    """Two writes on one order used to read the same ("order ID: #W1; user ID: ...;
    status: pending"): a write says what it did, not the record's fields."""
    order = {"order_id": "#W1", "status": "pending", "user_id": "ana_1",
             "address": {"address1": "1 Elm St", "city": "Austin"},
             "payment_history": [{"payment_method_id": "paypal_9"}]}
    for seed in range(50):
        text = _reply(order, tool="modify_pending_order_payment", writes=True, seed=seed,
                      arguments={"order_id": "#W1", "payment_method_id": "paypal_9"})
        # the id it set was said in the confirmation; read back as a field it is an id readout
        assert "I've modified order #W1." in text and "payment method ID is paypal_9" not in text, text


def test_a_create_tells_the_key_of_what_it_made_whatever_its_name() -> None:
    """A new report's key is `report_code` (no `_id`): other tools take it, so the reply
    tells it first, not only the purpose and cost center the user just gave."""
    made = {"report_code": "ER-5075", "staff_number": "SN-204", "purpose": "Team training week",
            "cost_center": "CC-200 Sales", "state": "draft"}
    arguments = {"staff_number": "SN-204", "purpose": "Team training week", "cost_center": "CC-200 Sales"}
    for seed in range(30):
        call = Call("start_expense_report", arguments, result=CallResult(ok=True, result=made))
        reply = Turn("assistant", "reply", seed=seed, topic={"target": call.name, "writes": True})
        segment = Segment(goal="g", target=call.name, stated={},
                          turns=[Turn("assistant", "calls", calls=[call]), reply])
        text = reply_wording.reply_text(segment, reply, random.Random(seed), user_key="staff_number",
                             references=frozenset({"report_code", "staff_number", "purpose", "cost_center"}))
        assert "ER-5075" in text, text
        assert "SN-204" not in text, text  # the user's own key is no news


def test_a_write_that_made_a_record_tells_its_key_whatever_its_verb() -> None:
    """applyForPermit is no create by its verb, but its output keys a new permit by a number
    it was not given: the reply tells BP-2026-0172 (the verifier's write_outcome asks it)."""
    made = {"permitNumber": "BP-2026-0172", "applicantEmail": "ann@example.org", "workType": "demolition",
            "estimatedCost": 7400.0, "state": "submitted"}
    arguments = {"applicantEmail": "ann@example.org", "workType": "demolition", "estimatedCost": 7400.0}
    for seed in range(30):
        call = Call("applyForPermit", arguments, result=CallResult(ok=True, result=made))
        reply = Turn("assistant", "reply", seed=seed, topic={"target": call.name, "writes": True})
        segment = Segment(goal="g", target=call.name, stated={},
                          turns=[Turn("assistant", "calls", calls=[call]), reply])
        text = reply_wording.reply_text(segment, reply, random.Random(seed),
                             references=frozenset({"permitNumber", "estimatedCost", "workType"}))
        assert "BP-2026-0172" in text, text


def test_a_value_for_a_new_record_is_never_said_as_a_change() -> None:
    """A new order's payment method does not "need to change to" anything; a seat changed is "the new seat"."""
    made = {" ".join(w.value_sentences(random.Random(seed), [("payment method", "credit card")], chosen=True))
            for seed in range(300)}
    assert not any(re.search(r"change to|new payment|going forward", t, re.I) for t in made), made
    changed = {" ".join(w.value_sentences(random.Random(seed), [("payment method", "credit card")], chosen=True,
                                          changes=True)) for seed in range(300)}
    assert any(re.search(r"change to|new payment|going forward", t, re.I) for t in changed), changed


def test_a_refusal_of_a_request_about_the_user_has_no_help_you_before_it(tau: Workbench) -> None:
    segment = Segment(goal="g", target="get_order_details", stated={}, turns=[])
    for request in ("help me with my crossword", "walk me through my tax return"):
        said = {ow.turn_text(tau, segment, Turn("assistant", "refusal", seed=seed, topic={"request": request}))
                for seed in range(40)}
        assert not any("help you help" in t or "help you walk" in t for t in said), said
        assert any(request.replace("me", "you").replace("my", "your") in t for t in said), said


@pytest.mark.parametrize("purpose", ["Site inspection trip", "Customer visit in Denver"])
def test_a_short_name_of_a_thing_is_said_with_its_field_not_as_a_sentence(purpose: str) -> None:
    report = {"report_code": "ER-5051", "purpose": purpose, "cost_center": "CC-100 Engineering", "state": "draft"}
    for seed in range(30):
        text = _reply(report, tool="withdraw_expense_report", writes=True, seed=seed,
                      arguments={"report_code": "ER-5051"})
        assert f". {purpose}." not in text and not text.startswith(f"{purpose}."), text


def test_look_ups_by_day_are_headed_by_the_day_in_words() -> None:
    read = [Call("get_energy_usage", {"date": day}, result=CallResult(ok=True, result={
        "date": day, "kwh": kwh, "cost": cost})) for day, kwh, cost in
        (("2026-08-05", 99.1, 19.34), ("2026-07-21", 80.5, 15.2))]
    reply = Turn("assistant", "reply", seed=1, topic={"target": "get_energy_usage", "writes": False})
    segment = Segment(goal="g", target="get_energy_usage", stated={},
                      turns=[Turn("assistant", "calls", calls=read), reply])
    text = reply_wording.reply_text(segment, reply, random.Random(1))
    assert "- August 5, 2026:" in text and "2026-08-05" not in text, text
    caps = [Call("get_policy_cap", {"category": c}, result=CallResult(ok=True, result={
        "category": c, "cap_per_item": cap})) for c, cap in (("airfare", 1500.0), ("conference_fees", 2500.0))]
    segment.turns[0] = Turn("assistant", "calls", calls=caps)
    segment.target = reply.topic["target"] = "get_policy_cap"
    text = reply_wording.reply_text(segment, reply, random.Random(1))
    assert "- conference fees:" in text and "conference_fees" not in text, text


def test_the_users_own_record_with_a_preference_pointing_elsewhere_is_still_theirs() -> None:
    """A patient's row holds `preferred_pharmacy_id`: it is still the patient's own record,
    so the reply does not read them their own name."""
    patient = {"patient_id": "PT1050", "given_name": "Darius", "family_name": "Mcdowell",
               "birth_date": "1971-10-14", "phone": "555-0101", "preferred_pharmacy_id": "PH08"}
    for seed in range(30):
        call = Call("update_preferred_pharmacy", {"patient_id": "PT1050", "pharmacy_id": "PH08"},
                    result=CallResult(ok=True, result=patient))
        reply = Turn("assistant", "reply", seed=seed, topic={"target": call.name, "writes": True})
        segment = Segment(goal="g", target=call.name, stated={},
                          turns=[Turn("assistant", "calls", calls=[call]), reply])
        text = reply_wording.reply_text(segment, reply, random.Random(seed), user_key="patient_id")
        assert "Mcdowell" not in text, text


def test_a_look_ups_choice_from_a_list_is_no_wish() -> None:
    """get_policy_cap(category=meals): "I'd rather have meals" wishes for what a look-up asks about."""
    read = {" ".join(w.value_sentences(random.Random(seed), [("category", EnumWords("meals"))])) for seed in range(200)}
    assert not any(re.search(r"rather|prefer|I'd like|I want", t) for t in read), read
    wished = {" ".join(w.value_sentences(random.Random(seed), [("category", EnumWords("meals"))], chosen=True))
              for seed in range(200)}
    assert any(re.search(r"rather|prefer|I'd like|I want", t) for t in wished), wished


def test_a_records_reason_in_words_is_quoted() -> None:
    """An order's `reason` is its text: told as said, not left out for fields already shown."""
    order = {"order_id": "O-5004", "customer_id": "C-2014", "quantity": 1, "status": "pending",
             "reason": "Gift for my sister, please wrap it nicely."}
    for seed in range(20):
        text = _reply(order, tool="get_order", seed=seed, arguments={"order_id": "O-5004"})
        assert '"Gift for my sister, please wrap it nicely."' in text, text


def test_value_templates_never_get_an_empty_slot() -> None:
    for seed in range(300):
        rng = random.Random(seed)
        for param in ("memo", "address2", "nickname", "order_id"):
            for text in (w.value_clause(rng, param, ""), w.answer(rng, param, ""),
                         w.answer(rng, param, "", correction=True),
                         *w.value_sentences(rng, [(param, ""), ("city", "Austin"), ("state", "TX")])):
                assert text.strip() and not HOLE.search(text), text
        assert w.lookup_sentence(rng, [("address2", "")]) == ""
        text = w.lookup_sentence(rng, [("address2", ""), ("zip", "78705")])
        assert "78705" in text and not HOLE.search(text), text
    assert w.fill_phrasing("Put {title} on my calendar.", {"title": ""}) is None
    assert w.listed([("address2", ""), ("zip", "78705")]) == "zip 78705"


def test_free_text_is_said_whole_and_alone() -> None:
    value = "Michelle's share of the water bill"
    for seed in range(300):
        for text in w.value_sentences(random.Random(seed), [("memo", value), ("amount", 12.5), ("city", "Austin")]):
            if value in text:
                assert "12.5" not in text and "Austin" not in text, text  # not grouped with other values
        assert value in w.answer(random.Random(seed), "memo", value)


def test_an_empty_error_message_leaves_no_hole(tau: Workbench) -> None:
    failing = Call("get_order_details", {"order_id": "#W0"}, expect_ok=False,
                   result=CallResult(ok=False, error={"type": "ToolError", "message": ""}))
    segment = Segment(goal="g", target="get_order_details", stated={},
                      turns=[Turn("assistant", "calls", calls=[failing])])
    for seed in range(30):
        text = ow.turn_text(tau, segment, Turn("assistant", "error_reply", seed=seed, topic={"param": "order_id"}))
        assert not HOLE.search(text), text


def test_a_name_searched_for_is_never_said_as_the_users_own(banking: Workbench) -> None:
    """Asked for the name to search customers by, the user does not say "my name is" it;
    asked for the name that finds their own record, they may."""
    def answers(output: Any) -> set[str]:
        found = Call("find_customers", {"name": "Terry Guzman"}, result=CallResult(ok=True, result=output))
        segment = Segment(goal="g", target="find_customers", stated={},
                          turns=[Turn("assistant", "calls", calls=[found])])
        return {ow.turn_text(banking, segment, Turn("user", "answer", seed=seed,
                                                   topic={"param": "name", "value": "Terry Guzman"}))
                for seed in range(300)}
    searched = answers([])
    assert all("Terry Guzman" in t and "my name" not in t.casefold() for t in searched), searched
    own = answers({"customer_id": "CUS-1035", "full_name": "Terry Guzman", "email": "t@g.com"})
    assert any("my name is Terry Guzman" in t for t in own), own


def test_a_look_up_after_a_search_tells_the_text_only_it_holds() -> None:
    """The search showed each message's subject, sender and date; reading two messages
    tells their bodies, or the look-ups were for nothing."""
    found = {"message_id": "MSG-1", "subject": "Invoice for May", "contact_name": "Kathleen Compton",
             "sent_at": "2026-07-05T08:55:00"}
    body = ("Please pay the May invoice by Friday. The bank details are on page two of the attachment. Thanks for "
            "the quick turnaround on the last one, and say hello to the team in Leeds from all of us here.")
    read = [Call("get_message", {"message_id": "MSG-1"}, result=CallResult(ok=True, result={**found, "body": body})),
            Call("get_message", {"message_id": "MSG-2"}, result=CallResult(ok=True, result={
                "message_id": "MSG-2", "subject": "Lunch", "sent_at": "2026-07-06T12:00:00",
                "body": "See you at noon."}))]
    search = Call("search_messages", {"query": "invoice"}, result=CallResult(ok=True, result=[found]))
    reply = Turn("assistant", "reply", seed=3, topic={"target": "get_message", "writes": False})
    segment = Segment(goal="g", target="get_message", stated={},
                      turns=[Turn("assistant", "calls", calls=[search]), Turn("assistant", "calls", calls=read), reply])
    text = reply_wording.reply_text(segment, reply, random.Random(3), reply_wording.focus_of(segment, None))
    assert 'saying "Please pay the May invoice by Friday. The bank details are on page two of the attachment. ..."' \
        in text, text  # its first sentences
    assert "saying" not in text.split("MSG-2")[1], text  # MSG-2's subject and date are news enough


def test_a_confirmation_leaves_out_the_users_own_id(banking: Workbench) -> None:
    """Who asks is no value of the write: "add a payee with the name Joe Hartman ...", not
    "... with the customer ID CUS-1001"; the other values are all stated."""
    add = Call("add_payee", {"customer_id": "CUS-1001", "name": "Joe Hartman", "bank_name": "Farley Bank",
                             "account_number": "3084958221"})
    for seed in range(20):
        confirm = Turn("assistant", "confirm", seed=seed)
        segment = Segment(goal="g", target="add_payee", stated={},
                          turns=[confirm, Turn("assistant", "calls", calls=[add])])
        text = ow.turn_text(banking, segment, confirm)
        assert "CUS-1001" not in text and "Joe Hartman" in text and "3084958221" in text, text


# -- no repeated assistant text ---------------------------------------------------------------

def _two_replies(result: Any) -> tuple[Segment, Turn, Turn]:
    call = Call("find_user_id_by_email", {"email": "a@b.c"}, result=CallResult(ok=True, result=result))
    first = Turn("assistant", "reply", seed=5, topic={"target": call.name, "writes": False})
    second = Turn("assistant", "reply", seed=5, topic={"target": call.name, "writes": False})
    segment = Segment(goal="g", target=call.name, stated={},
                      turns=[Turn("assistant", "calls", calls=[call]), first, second])
    return segment, first, second


@pytest.mark.parametrize("result", ["mei_garcia_1676", "", {"user_id": "mei_garcia_1676"}])
def test_an_assistant_text_never_repeats_another_of_its_sub_task(tau: Workbench, result: Any) -> None:
    segment, first, second = _two_replies(result)
    first.text = ow.turn_text(tau, segment, first)
    second.text = ow.turn_text(tau, segment, second)  # same seed, same fact: worded again
    assert second.text != first.text and second.text.strip()
    assert ow.turn_text(tau, segment, second) == second.text  # still a function of the dialogue


def test_an_assistant_text_never_repeats_another_of_the_dialogue(tau: Workbench) -> None:
    """With the draft, texts of other sub-tasks are avoided too (two sub-tasks that show
    the same fact)."""
    one, first, _ = _two_replies("mei_garcia_1676")
    two, other, _ = _two_replies("mei_garcia_1676")
    one.turns.pop()
    two.turns.pop()
    draft = Draft(system="s", segments=[one, two])
    first.text = ow.turn_text(tau, one, first, draft)
    other.text = ow.turn_text(tau, two, other)  # without the draft: its own sub-task only
    assert other.text == first.text
    other.text = ow.turn_text(tau, two, other, draft)
    assert other.text != first.text


# -- generated dialogues of every env ---------------------------------------------------------

@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for env in builtin_names():
        path = tmp_path_factory.mktemp("language") / f"{env}.jsonl"
        assert main(["generate", "--env", env, "-n", "30", "--seed", "3", "-o", str(path)]) == 0
        out[env] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return out


@pytest.mark.parametrize("env", builtin_names())
@pytest.mark.slow
def test_generated_dialogues_have_no_holes_and_no_repeats(generated: dict[str, list[dict[str, Any]]],
                                                          env: str) -> None:
    for record in generated[env]:
        texts = [m["content"] for m in record["messages"] if m["role"] == "assistant" and m.get("content")]
        for text in texts:
            assert not HOLE.search(text), (record["id"], text)
        assert len(texts) == len(set(texts)), (record["id"], texts)
        for message in record["messages"]:
            if message["role"] == "user":
                assert not re.search(r"\b(?:is|are|be)\s+[.,;:](?!\w)|:\s*[.,;]", message["content"]), message


@pytest.mark.parametrize("env", builtin_names())
@pytest.mark.slow
def test_generated_free_text_is_a_phrase_the_user_said(generated: dict[str, list[dict[str, Any]]],
                                                       env: str) -> None:
    """A free-text argument no tool output gave is a multi-word phrase without digits that
    a user turn states verbatim."""
    for record in generated[env]:
        schemas = {t["function"]["name"]: t["function"]["parameters"]["properties"] for t in record["tools"]}
        seen_user, seen_tool = [], []
        for message in record["messages"]:
            if message["role"] == "user":
                seen_user.append(message["content"])
            elif message["role"] == "tool":
                seen_tool.append(message["content"])
            for call in message.get("tool_calls") or []:
                name, arguments = call["function"]["name"], json.loads(call["function"]["arguments"])
                for param, value in arguments.items():
                    schema = schemas.get(name, {}).get(param, {})
                    if text_kind(param) is None or "enum" in schema or not isinstance(value, str):
                        continue
                    if any(_said(value, t) for t in seen_tool):
                        continue  # taken from an output (an earlier event's description)
                    if param in ("thought", "expression"):  # an internal tool's input: the assistant's own
                        assert not any(_said(value, t) for t in seen_user), (record["id"], param, value)
                        continue
                    assert len(value.split()) >= 3 and not re.search(r"\d", value), (record["id"], param, value)
                    assert _shows_nothing(value), (record["id"], param, value)
                    assert any(_said(value, t) for t in seen_user), (record["id"], param, value)


def test_a_recalled_fact_is_told_as_the_output_shows_it_now(banking: Workbench) -> None:
    """A chat question planted on one execution ("what's the stock?") is answered from the
    target's output after a later edit re-executed the sub-task (seen: 'The stock is 78'
    when the re-executed output said 80, and the verifier dropped the dialogue)."""
    target = Call("get_customer", {"customer_id": "CUS-1001"},
                  result=CallResult(ok=True, result={"customer_id": "CUS-1001", "city": "Newtown"}))
    # A look-up of the same tool earlier in the sub-task (a producer) is not the target.
    lookup = Call("get_customer", {"customer_id": "CUS-1002"},
                  result=CallResult(ok=True, result={"customer_id": "CUS-1002", "city": "Lookupville"}))
    reply = Turn("assistant", "chat_reply", seed=3, topic={"recall": "city", "value": "Oldtown"})
    segment = Segment(goal="g", target="get_customer", stated={}, turns=[
        Turn("user", "request"), Turn("assistant", "calls", calls=[lookup]), Turn("assistant", "calls", calls=[target]),
        Turn("user", "chat", topic={"recall": "city", "value": "Oldtown"}), reply])
    for seed in range(20):
        reply.seed = seed
        text = ow.turn_text(banking, segment, reply)
        assert "Newtown" in text and "Oldtown" not in text and "Lookupville" not in text, text
