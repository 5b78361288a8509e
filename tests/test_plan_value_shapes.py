"""Values fit what a parameter's schema and description say: past or future dates,
months as YYYY-MM, ISO codes, values listed in words, patterns and examples, bounds."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

import pytest

from toolace_mt.generation.plan.value_shapes import (
    example_of,
    fit_number,
    from_pattern,
    listed_options,
    make,
    round_as_said,
    shape_of,
    timing,
)
from toolace_mt.generation.workbench import Workbench

TODAY = dt.date(2026, 7, 1)
TEAM_TASKS = Path(__file__).resolve().parent / "data" / "plan" / "team_tasks.py"


@pytest.mark.parametrize("param, description, when", [
    ("birthDate", "The member's date of birth.", "past"),
    ("date_of_birth", "Date of birth as YYYY-MM-DD; not in the future.", "past"),
    ("since", "Only items created on or after this date.", "past"),
    ("from_date", "Start of the range; cannot be in the future.", "past"),
    ("dueDate", "When it is due.", "future"),
    ("date", "Departure day as YYYY-MM-DD.", "future"),
    ("scheduled_date", "A future date to send the payment on.", "future"),
    ("start_date", "First day of the range, YYYY-MM-DD.", None),
    ("end_date", "Last day of the range (inclusive).", None),
])
def test_a_dates_timing_comes_from_its_name_and_description(param: str, description: str, when: str | None) -> None:
    assert timing(param, description) == when


@pytest.mark.parametrize("description, options", [
    ("How urgent it is, one of low, normal or urgent.", ("low", "normal", "urgent")),
    ("One of: open, closed, pending.", ("open", "closed", "pending")),
    ('Allowed values: "asc", "desc".', ("asc", "desc")),
    ("Either celsius or fahrenheit (default celsius).", ("celsius", "fahrenheit")),
    ("The status to filter by; all when empty.", ()),
    ("One of the customer's saved payees, like PAY-5001.", ()),
])
def test_values_a_description_lists(description: str, options: tuple[str, ...]) -> None:
    assert listed_options(description) == options


def test_examples_are_read_from_descriptions() -> None:
    assert example_of("The badge number, e.g. EMP-0042.") == "EMP-0042"
    assert example_of('IATA code of the airport, like "JFK".') == "JFK"
    assert example_of("Words to look for, like headphones") is None  # a plain word is no shape
    assert example_of('Street and house number, like "12 Oak Street Apt 4".') is None  # a phrase is none
    assert example_of("The sector (e.g., 'Technology').") == "Technology"


@pytest.mark.parametrize("pattern", [r"^EMP-[0-9]{4}$", r"[A-Z]{3}", r"(INV|CRN)-\d{2,5}", r"^[a-z]+@[a-z]+\.com$",
                                     r"[^0-9]{2}x?", r"\w{3,}"])
def test_values_made_from_a_pattern_match_it(pattern: str) -> None:
    rng = random.Random(4)
    for _ in range(20):
        made = from_pattern(pattern, rng)
        assert made is not None and re.fullmatch(pattern, made), (pattern, made)


@pytest.mark.parametrize("pattern", [r"(?=x)a", r"(a)\1", "a" * 300, r"(((((((((((((((a)))))))))))))))", "[z-a]",
                                     r"(?:){1000000}", r"a{99999}"])
def test_patterns_it_cannot_follow_give_nothing(pattern: str) -> None:
    assert from_pattern(pattern, random.Random(1)) is None


@pytest.mark.parametrize("param, schema, description, check", [
    ("birthDate", {}, "The date of birth (YYYY-MM-DD).",
     lambda v: (TODAY - dt.date.fromisoformat(v)).days >= 18 * 365),
    ("since", {}, "The first day to include (YYYY-MM-DD); it cannot be in the future.",
     lambda v: dt.date.fromisoformat(v) < TODAY),
    ("dueDate", {"format": "date"}, "When it is due.", lambda v: dt.date.fromisoformat(v) > TODAY),
    ("month", {}, "The month it is billed to, as YYYY-MM; it cannot be in the future.",
     lambda v: re.fullmatch(r"\d{4}-\d{2}", v) and v <= "2026-07"),
    ("currency", {}, "ISO 4217 currency code.", lambda v: re.fullmatch(r"[A-Z]{3}", v)),
    ("badge", {"pattern": "^EMP-[0-9]{4}$"}, "The badge.", lambda v: re.fullmatch(r"EMP-\d{4}", v)),
    ("badge", {}, "The badge number, e.g. EMP-0042.", lambda v: re.fullmatch(r"EMP-\d{4}", v)),
    ("start", {"format": "date-time"}, "When it starts.",
     lambda v: re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", v)),
    ("slot", {}, "The time, HH:MM.", lambda v: re.fullmatch(r"\d{2}:\d{2}", v)),
])
def test_made_values_fit_their_shape(param: str, schema: dict, description: str, check) -> None:
    shape = shape_of(param, schema, description)
    assert shape is not None
    rng = random.Random(7)
    for _ in range(10):
        made = make(shape, param, rng, TODAY)
        assert made is not None and check(made), (param, made)


def test_numbers_are_kept_inside_schema_bounds() -> None:
    rng = random.Random(2)
    assert fit_number(3, {"minimum": 1, "maximum": 5}, rng, True) == 3
    assert 10 <= fit_number(250.0, {"minimum": 10, "maximum": 20}, rng, False) <= 20
    assert fit_number(0, {"exclusiveMinimum": 0, "maximum": 3}, rng, True) in (1, 2, 3)
    assert fit_number(7, {"minimum": 5, "maximum": 1}, rng, True) == 7  # contradictory bounds: left alone


@pytest.fixture(scope="module")
def team_bench():
    bench = Workbench(str(TEAM_TASKS), 0)
    yield bench
    bench.close()


def _proposals(bench: Workbench, tool: str, count: int = 12) -> list[dict]:
    rng = random.Random(5)
    return [bench.values.propose(bench.tools[tool], rng, optional_rate=1.0).arguments for _ in range(count)]


def test_proposals_on_a_fresh_env_fit_its_validations(team_bench) -> None:
    """team_tasks validates every format: the proposals' calls succeed."""
    for tool in ("add_member", "log_expense", "list_expenses", "create_task"):
        results = [team_bench.trial(tool, arguments) for arguments in _proposals(team_bench, tool)]
        failed = [r.error.message for r in results if not r.ok and r.error is not None]
        assert len(failed) <= len(results) // 4, (tool, failed)


def test_listed_values_and_past_filters_are_proposed(team_bench) -> None:
    today = team_bench.env.now.date()
    assert {a["priority"] for a in _proposals(team_bench, "create_task") if "priority" in a} <= {
        "low", "normal", "urgent"}
    assert all(dt.date.fromisoformat(a["since"]) <= today for a in _proposals(team_bench, "list_expenses"))
    assert all(dt.date.fromisoformat(a["dueDate"]) > today for a in _proposals(team_bench, "create_task"))


@pytest.mark.parametrize("param, description, kind", [
    ("to", "Recipient email address", "email"),
    ("contact", "The e-mail of the person to invite.", "email"),
    ("homepage", "Website of the shop.", "url"),
    ("name", "Name of the contact whose email address changes.", None),
    ("body", "Body of the email.", None),
])
def test_what_a_description_opens_with_says_the_shape(param: str, description: str, kind: str | None) -> None:
    shape = shape_of(param, {}, description)
    assert (shape.kind if shape is not None else None) == kind


def test_a_value_no_row_holds_is_made_as_what_the_parameter_is(team_bench) -> None:
    """No random word as an address or a phone number ("the recipient email address is visit")."""
    from toolace_mt.generation.plan.value_keys import Choice

    read = team_bench.tools["list_expenses"]
    rng = random.Random(3)
    for param, schema, check in [
        ("to", {"type": "string", "description": "Recipient email address"},
         lambda v: re.fullmatch(r"\S+@\S+\.\w+", v)),
        ("backupPhone", {"type": "string"}, lambda v: sum(c.isdigit() for c in v) >= 7),
        ("shipping_city", {"type": "string"}, lambda v: v[:1].isupper()),
    ]:
        for _ in range(5):
            made = team_bench.values.value(read, param, schema, rng, {}, Choice())
            assert isinstance(made, str) and check(made), (param, made)


def test_a_setting_write_is_never_proposed_to_set_what_the_record_already_holds() -> None:
    """set_thermostat(21.5) when it is 21.5, set_brightness(L-1, 40) when it is 40, set_mode(heat)
    when it heats: no change."""
    bench = Workbench(str(Path(__file__).resolve().parent / "data" / "plan" / "home_settings.py"), 0)
    try:
        rng = random.Random(4)
        lamps = {r["lamp_id"]: r["brightness"] for r in bench.env.query("SELECT * FROM lamps")}
        for _ in range(25):
            target = bench.values.propose(bench.tools["set_thermostat"], rng).arguments
            assert target.get("target_temperature") != 21.5, target
            lamp = bench.values.propose(bench.tools["set_brightness"], rng).arguments
            assert lamp["brightness"] != lamps[lamp["lamp_id"]], lamp
            assert bench.values.propose(bench.tools["set_mode"], rng).arguments["mode"] != "heat"
    finally:
        bench.close()


def test_values_taken_from_rows_agree_with_each_other() -> None:
    """A lodging line item is paid to a hotel, not to Uber: the merchant comes from a row of
    the category already chosen."""
    bench = Workbench(str(Path(__file__).resolve().parent / "data" / "plan" / "expense_lines.py"), 0)
    try:
        paid: dict[str, set[str]] = {}
        for row in bench.env.query("SELECT category, merchant FROM line_items"):
            paid.setdefault(row["category"], set()).add(row["merchant"])
        rng = random.Random(6)
        for _ in range(20):
            line = bench.values.propose(bench.tools["add_line_item"], rng).arguments
            assert line["merchant"] in paid[line["category"]], line
    finally:
        bench.close()


def test_a_search_word_comes_from_the_text_its_description_mentions() -> None:
    """search_messages(keyword): no name or title column, so a word of a message; it finds one."""
    bench = Workbench(str(Path(__file__).resolve().parent / "data" / "plan" / "message_search.py"), 0)
    try:
        rng = random.Random(2)
        for _ in range(8):
            keyword = bench.values.propose(bench.tools["search_messages"], rng).arguments["keyword"]
            found = bench.trial("search_messages", {"keyword": keyword})
            assert found.ok and found.result["results"], keyword
    finally:
        bench.close()


def test_a_number_from_a_wide_range_is_one_a_person_says() -> None:
    """1402191.41 for "between 500 and 2000000" is said as no one says it; 1400000 is."""
    assert round_as_said(1402191.41) == 1400000 and round_as_said(56789) == 57000
    assert round_as_said(1234.5) == 1200 and round_as_said(999.99) == 999.99 and round_as_said(12) == 12
