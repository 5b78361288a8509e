"""How parameters a person would not say by name are said: relations ("from_account_id" is
"from account ACC-1", never "the from account ID"), awkward names by their description's
noun phrase ("num_days" is "number of days"), and what the verifier's persona and
reply_style checks would call form talk never appears in those sentences."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from sandbox import ToolSpec
from toolace_mt.generation.language import field_clauses, speech
from toolace_mt.generation.language import tool_language as tl
from toolace_mt.generation.language import user_phrases as up
from toolace_mt.generation.language import value_phrases as vp
from toolace_mt.generation.language import wording as w
from toolace_mt.generation.language.offline_wording import ask_text


@pytest.mark.parametrize(("param", "found"), [
    ("from_account_id", ("from", "account")), ("to_account_id", ("to", "account")), ("toDate", ("to", "")),
    ("to_account_ids", ("to", "accounts")), ("for_user_id", ("for", "user")),
    ("account_id", None), ("from_balance_after", None), ("to", None), ("today", None)])
def test_a_relation_is_its_preposition_and_noun(param: str, found: tuple[str, str] | None) -> None:
    assert w.relation(param) == found


def test_a_relation_is_said_as_a_phrase_with_its_value() -> None:
    assert w.relation_phrase("from_account_id", "ACC-1") == "from account ACC-1"
    assert w.relation_phrase("to_date", "July 16, 2026") == "to July 16, 2026"
    assert w.relation_phrase("account_id", "ACC-1") is None


@pytest.mark.parametrize("param", ["from_account_id", "to_account_id", "from_date", "into_account_id"])
def test_no_user_or_assistant_sentence_names_a_relation_as_a_field(param: str) -> None:
    field = w.label(param).casefold()  # "from account id"
    for seed in range(200):
        rng = random.Random(seed)
        texts = [vp.value_clause(rng, param, "ACC-10074"), up.answer(rng, param, "ACC-10074"),
                 up.answer(rng, param, "ACC-10074", correction=True), ask_text(rng, param), up.recall(rng, param),
                 field_clauses.clause(param, "ACC-10074")]
        for text in texts:
            assert field not in text.casefold(), text
            assert " reads " not in text, text
        assert "ACC-10074" in texts[0] and "ACC-10074" in texts[1] and "ACC-10074" in texts[2]
        assert texts[3].rstrip().endswith("?")


def test_grouped_values_say_a_relation_alone() -> None:
    for seed in range(100):
        said = " ".join(w.value_sentences(random.Random(seed), [("to_account_id", "ACC-2"), ("amount", 12.5),
                                                                 ("memo", "rent money")]))
        assert "to account acc-2" in said.casefold() and "to account id" not in said.casefold(), said


def test_a_lookup_sentence_never_lists_a_relation_as_a_label() -> None:
    for seed in range(100):
        said = vp.lookup_sentence(random.Random(seed), [("from_account_id", "ACC-1"), ("customer_id", "C1")])
        assert "from account acc-1" in said.casefold() and "from account id" not in said.casefold(), said


def test_prose_joins_two_relations_into_one_clause() -> None:
    said = speech.prose([("from_account_id", "A-1"), ("to_account_id", "B-2")], random.Random(0))
    assert "from account A-1 to account B-2" in said


# -- awkward names from descriptions -------------------------------------------------------------

@pytest.mark.parametrize(("param", "awkward"), [
    ("to", True), ("num_days", True), ("format_value", True), ("q", True), ("minStars", True), ("n", True),
    ("location", False), ("memberId", False), ("isbn", False), ("days", False), ("unit", False)])
def test_awkward_names_are_abbreviations_bare_prepositions_and_letters(param: str, awkward: bool) -> None:
    assert tl.awkward_name(param) is awkward


@pytest.mark.parametrize(("description", "said"), [
    ("The number of days to forecast", "number of days"), ("The temperature unit to use.", "temperature unit"),
    ("Recipient email address", "recipient email address"), ("Lowest star rating.", "lowest star rating"),
    ("", None), ("e.g. 5", None), ("(internal) value", None), ("The name of", None),
    ("Whether to include past events", None), ("Optional filter on status", None)])
def test_a_description_gives_its_opening_noun_phrase(description: str, said: str | None) -> None:
    assert tl.described_name(description) == said


def _tool(name: str, properties: dict[str, Any]) -> ToolSpec:
    return ToolSpec(name=name, description="", writes=False,
                    parameters={"type": "object", "properties": properties})


def test_spoken_names_cover_only_awkward_parameters_with_a_description() -> None:
    tools = [_tool("forecast", {"num_days": {"type": "integer", "description": "The number of days to forecast"},
                                "location": {"type": "string", "description": "The city and state"},
                                "q": {"type": "string", "description": "Words in the title"},
                                "fmt": {"type": "string"}}),
             _tool("send_email", {"to": {"type": "string", "description": "Recipient email address"}})]
    assert tl.spoken_names(tools, keep=w.SPOKEN) == {"num_days": "number of days",
                                                     "to": "recipient email address"}


def test_a_phrase_with_of_counts_as_one_thing() -> None:
    assert not w.plural("number of days") and w.plural("days") and w.plural("copies available") is False
    for seed in range(50):
        text = vp.value_clause(random.Random(seed), "number of days", 20)
        assert "are 20" not in text and "20" in text, text


def test_search_words_are_said_as_a_wish() -> None:
    for seed in range(100):
        rng = random.Random(seed)
        for param in ("q", "keywords", "search_query"):
            text = vp.value_clause(rng, param, "spring")
            assert "spring" in text and f"the {param}" not in text.casefold() and " q " not in f" {text} ", text


def test_a_value_chosen_for_a_write_is_never_recalled() -> None:
    for seed in range(300):
        text = vp.value_clause(random.Random(seed), "seat", "12A", chosen=True)
        assert not any(m in text for m in ("Last I checked", "If memory serves", "My records say", "on file")), text
        assert "12A" in text
    recalled = {vp.value_clause(random.Random(seed), "order_id", "#W1", chosen=True) for seed in range(300)}
    assert any("Last I checked" in t or "If memory serves" in t or "on file" in t for t in recalled)  # an id is


def test_a_plural_label_of_one_value_is_singular_and_of_several_takes_are() -> None:
    for seed in range(200):
        one = vp.value_clause(random.Random(seed), "item_ids", ["5917587651"])
        many = vp.value_clause(random.Random(seed), "item_ids", ["1", "2"])
        assert "IDs" not in one and " are 5917587651" not in one, one
        assert not re.search(r"item IDs\b[^.]{0,24} is\b", many), many


def test_a_record_valued_parameter_of_several_words_is_never_said_as_a_form_field() -> None:
    address = "12 Oak Street, Riverton, OR 97007"
    texts = {vp.value_clause(random.Random(seed), "delivery address", address) for seed in range(40)}
    assert all(address in t for t in texts)
    assert not any(t.startswith("Delivery address:") for t in texts)  # the persona check's form filling
    items = {vp.value_clause(random.Random(seed), "item", {"product_id": "P2026", "colour": "red"})
             for seed in range(40)}
    assert "Item: product ID P2026, colour red." in items  # one word: a label, as people write it
    # a name with commas is a name, said as any value ("the company is Diaz, Owens and Randall")
    company = {vp.value_clause(random.Random(seed), "company", "Diaz, Owens and Randall") for seed in range(40)}
    assert not any(t.startswith(("Company:", "The company:")) for t in company)
