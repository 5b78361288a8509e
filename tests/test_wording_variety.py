"""The offline backend's user language: many seeds word one request in many ways, every
value a call needs is still stated verbatim, and the filler around the values never holds
a number, an id or a date (user text is evidence the verifier grounds the assistant on)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.registry import builtin_names
from toolace_mt.generation.draft import Call, Segment, Turn
from toolace_mt.generation.language import request_wording
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.workbench import Workbench
from toolace_mt.stats import tokens
from toolace_mt.verifier.evidence import leaves, mentions

SEEDS = range(300)


@pytest.fixture(scope="module")
def retail() -> Iterator[Workbench]:
    bench = Workbench("retail", 1)
    yield bench
    bench.close()


def _segment(target: Call, stated: dict[str, Any], *lookups: Call) -> Segment:
    turns = [Turn("user", "request"), *[Turn("assistant", "calls", calls=[c]) for c in lookups],
             Turn("assistant", "calls", calls=[target])]
    return Segment(goal="g", target=target.name, stated=stated, turns=turns)


def _request(bench: Workbench, segment: Segment, seed: int, **topic: Any) -> str:
    return request_wording.request_text(bench, segment, Turn("user", "request", seed=seed, topic=topic))


def _trigrams(text: str) -> list[tuple[str, ...]]:
    toks = tokens(text)
    return [tuple(toks[i:i + 3]) for i in range(len(toks) - 2)]


def _shows_nothing(text: str) -> bool:
    found = mentions(text)
    return not (found.numbers or found.ids or found.dates or found.times or re.search(r"\d", text))


CANCEL = _segment(Call("cancel_order", {"order_id": "#W1184", "reason": "ordered_by_mistake"}),
                  {"order_id": "#W1184", "reason": "ordered_by_mistake", "first_name": "Brady",
                   "last_name": "Moore", "zip_code": "51261"},
                  Call("find_customer_by_name_zip", {"first_name": "Brady", "last_name": "Moore",
                                                     "zip_code": "51261"}))
ADDRESS = _segment(Call("update_shipping_address", {"order_id": "#W1218", "street": "268 Ortiz Loop Suite 133",
                                                    "city": "Ortegatown", "state": "VI", "zip_code": "35202"}),
                   {"order_id": "#W1218", "street": "268 Ortiz Loop Suite 133", "city": "Ortegatown",
                    "state": "VI", "zip_code": "35202", "email": "dale.shaffer58@gmail.com"},
                   Call("find_customer_by_email", {"email": "dale.shaffer58@gmail.com"}))
PLACE = _segment(Call("place_order", {"customer_id": "C1374", "items": [{"product_id": "P2006", "quantity": 3}],
                                      "payment_method": "paypal"}),
                 {"customer_id": "C1374", "items": [{"product_id": "P2006", "quantity": 3}],
                  "payment_method": "paypal"})
SEARCH = _segment(Call("search_products", {"query": "lamp", "in_stock_only": True}),
                  {"query": "lamp", "in_stock_only": True})


@pytest.mark.parametrize("segment", [CANCEL, ADDRESS, PLACE, SEARCH], ids=["cancel", "address", "place", "search"])
def test_many_seeds_word_one_request_in_many_ways(retail: Workbench, segment: Segment) -> None:
    texts = [_request(retail, segment, seed) for seed in SEEDS]
    assert len(set(texts)) >= 0.99 * len(texts)  # (the templates before this file: 294 of 300 for PLACE)
    grams = [g for t in texts for g in _trigrams(t)]
    # The same values said 300 times: the wording around them must vary, not only the values
    # (the templates before this file: 0.17 to 0.26; now 0.26 to 0.35).
    assert len(set(grams)) / len(grams) > 0.25
    openings = {" ".join(tokens(t)[:3]) for t in texts}
    assert len(openings) > 150  # (before: 75 to 90)


@pytest.mark.parametrize("segment", [CANCEL, ADDRESS, PLACE, SEARCH], ids=["cancel", "address", "place", "search"])
def test_every_stated_value_appears_verbatim(retail: Workbench, segment: Segment) -> None:
    for seed in SEEDS:
        text = _request(retail, segment, seed)
        for param, value in segment.stated.items():
            if isinstance(value, bool):
                continue  # said as yes/no
            for leaf in leaves(value):
                # an enum value in snake case is said in words ("ordered by mistake"), never as written
                snake = isinstance(leaf, str) and "_" in leaf and leaf.replace("_", "").isalpha()
                said = leaf.replace("_", " ") if snake else str(leaf)
                assert re.search(r"(?<!\w)" + re.escape(said) + r"(?!\w)", text), (param, leaf, text)
                if snake:
                    assert leaf not in text, text


def test_a_hidden_value_is_left_out_and_a_wrong_one_replaces_the_right_one(retail: Workbench) -> None:
    for seed in range(100):
        hidden = _request(retail, ADDRESS, seed, hidden="city")
        assert "Ortegatown" not in hidden and "35202" in hidden and "#W1218" in hidden
        wrong = _request(retail, ADDRESS, seed, wrong={"order_id": "#W1288"})
        assert "#W1288" in wrong and "#W1218" not in wrong and "268 Ortiz Loop Suite 133" in wrong


def test_the_same_seed_words_a_request_the_same_way(retail: Workbench) -> None:
    assert [_request(retail, CANCEL, s) for s in range(20)] == [_request(retail, CANCEL, s) for s in range(20)]


def _fillers(rng: random.Random, people: w.People) -> Iterator[str]:
    yield w.opener(rng)
    yield w.follow_up(rng)
    yield w.closer(rng, people)
    yield w.context(rng, people)
    yield w.chat(rng, people)
    yield w.recall(rng, "order_id")
    yield w.ask_unsupported(rng, rng.choice(w.UNSUPPORTED))
    yield w.ask_sentence(rng, rng.choice(["get_order", "cancel_pending_order", "invite_to_event", "calculate",
                                          "transfer_between_accounts", "find_customer_by_name_zip"]))


def test_no_filler_holds_a_number_an_id_or_a_date() -> None:
    """"One more thing" would ground a 1 in the assistant's text: filler has no number word."""
    people = w.People("Dawn", "Jesse", "Karina", "Ortegatown", "Sanders-James")
    for seed in range(2000):
        rng = random.Random(seed)
        for text in _fillers(rng, people):
            assert _shows_nothing(text), text
    fixed = [*w.GREETINGS, *w.PREFACES, *w.ACKS, *w.LEADS, *(lead for lead, _ in w.ASK_LEADS), *w.YOU_TAILS,
             *w.ME_TAILS, *w.THANKS, *w.THANKS_FOR, *w.OTHER_CLOSERS, *w.RELATIONS, *w.OCCASIONS, *w.WHEN,
             *w.DEADLINES, *w.CHAT_ACKS, *w.CHAT_COMMENTS, *w.CHAT_AFTER_NO, *w.UNSUPPORTED, *w.GROUP_PREFIXES,
             *w.ANSWER_LEADS, *w.CORRECTION_LEADS, *w.RECALL_LEADS, *w.UNSUPPORTED_LEADS]
    for text in fixed:
        assert _shows_nothing(text), text


def test_answers_and_corrections_state_the_value_verbatim() -> None:
    for seed in range(300):
        rng = random.Random(seed)
        for value in ("#W1038", "maria.ford93@yahoo.com", "store_credit", "2026-06-30"):
            assert value in w.answer(rng, "order_id", value)
            assert value in w.answer(rng, "order_id", value, correction=True)
        text = w.answer(rng, "refund_method", "store_credit")
        assert "Store_credit" not in text  # a value is never capitalised at a sentence start


def test_plural_labels_take_plural_verbs() -> None:
    texts = {w.value_clause(random.Random(s), "item_ids", ["#W1108-1", "#W1108-2"]) for s in range(300)}
    assert not [t for t in texts if re.search(r"\bIDs is\b|\bitems is\b|Here's the item", t)]
    assert any("are #W1108-1 and #W1108-2" in t for t in texts)


def test_label_variants_keep_the_most_specific_match() -> None:
    said = {w.said_label("from_account_id", random.Random(s)) for s in range(100)}
    assert said == {"from account ID", "source account"}
    assert {w.said_label("current zip_code", random.Random(s)) for s in range(100)} == {
        "current zip code", "current zip", "current ZIP code", "current postal code"}


# One env in the default run; the other four (about 2 s each) run with -m slow.
@pytest.mark.parametrize("env", [name if name == "retail" else pytest.param(name, marks=pytest.mark.slow)
                                 for name in builtin_names()])
def test_task_phrases_of_every_builtin_tool_read_as_english(env: str) -> None:
    bench = Workbench(env, 1)
    try:
        for tool in bench.tools.values():
            for seed in range(40):
                phrase = w.task_phrase(tool.name, random.Random(seed))
                assert not re.search(r"\b(my|the|this|a) (to|between|from|for|on|in|with|into|all)\b", phrase), phrase
                assert not re.search(r"\b(\w+) \1\b", phrase), phrase
                ref = w.referent(tool.name)
                if ref in tool.parameters.get("properties", {}):
                    assert "X1" in w.task_phrase(tool.name, random.Random(seed), "X1")
    finally:
        bench.close()


def test_a_request_that_names_the_user_is_not_signed_with_another_name(retail: Workbench) -> None:
    people = w.People("Dawn", "Jesse", "Karina", "Ortegatown", "Sanders-James")
    closers = {w.closer(random.Random(s), people, sign=False) for s in range(300)}
    assert not [c for c in closers if "Karina" in c]
    assert any("Karina" in w.closer(random.Random(s), people) for s in range(300))
    for seed in SEEDS:
        text = _request(retail, CANCEL, seed)
        assert not re.search(r"(Best|Cheers|Thanks|Regards|wishes|Warmly|soon|care), (?!Brady)[A-Z]\w+\.$", text), text


def test_a_recalled_field_named_my_is_said_without_a_double_article() -> None:
    texts = {w.recall(random.Random(s), "my_response") for s in range(200)}
    assert not [t for t in texts if "the my" in t] and any("response" in t for t in texts)


def test_an_id_is_never_said_as_a_choice() -> None:
    """"Put EV-2034 as the event ID" reads as if the user picked the id; paypal for the
    payment method is a choice, said as a preference, never dictated to a form ("Use paypal
    for the payment method", "Set the payment method to paypal": parameter talk)."""
    ids = {w.value_clause(random.Random(s), "event_id", "EV-2034") for s in range(300)}
    assert not [t for t in ids if re.match(r"(Put|Go with|Take|Pick|Set|Make|Let's use|I'd go with|I'd prefer)\b", t)]
    choices = {w.value_clause(random.Random(s), "payment_method", "paypal") for s in range(300)}
    assert any(t.startswith(("I'd prefer paypal", "I'd like the payment method to be paypal")) for t in choices)
    assert not [t for t in choices if re.match(r"(Use|Set|Put|Make|Take|Pick|Go with)\b", t)]


def test_search_words_and_counts_are_said_as_a_person_asks() -> None:
    """"Use candle for the search words, and 3 for the limit" is parameter talk."""
    said = {w.value_clause(random.Random(s), p, v) for s in range(100) for p, v in (("query", "candle"), ("limit", 3))}
    assert not [t for t in said if re.search(r"\b(?:search words|search term|query|limit)\b", t)]
    assert any("candle" in t for t in said) and any(" 3" in t or t.startswith("3") for t in said)


def test_a_relation_before_a_name_does_not_guess_its_gender() -> None:
    """Faker's first names are of either gender: "my sister Kevin" must not happen."""
    people = w.People("Kevin", "Jesse", "Karina", "Ortegatown", "Sanders-James")
    gendered = r"\b(sister|brother|mum|dad|aunt|uncle|niece|nephew|wife|husband|son|daughter|fianc\w+) Kevin\b"
    for seed in range(2000):
        assert not re.search(gendered, w.context(random.Random(seed), people))
