"""Issue 17: what a spec says a value must be survives compiling (format, pattern, bounds in
the docstring and the body), seeds follow the described shape (a month as YYYY-MM, a
badge's pattern, listed values, a birth date years back), log/record verbs create rows,
a natural key shown by one-argument tools keys its entity, and helpers that helpers call
are kept."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from sandbox import load_env
from toolace_mt.compiler.classify import classify
from toolace_mt.compiler.compile import read_specs
from toolace_mt.compiler.constraints import pattern_example, pattern_pool, said
from toolace_mt.compiler.plan import EnvPlan, ToolPlan
from toolace_mt.compiler.render import render
from toolace_mt.compiler.spec_model import Field

ROOT = Path(__file__).resolve().parent.parent
TASKS = ROOT / "tests" / "data" / "plan" / "openai_tasks.json"
BIOBANK = ROOT / "fixtures" / "specs" / "fresh" / "openai_biobank.json"


def _plan(path: Path) -> EnvPlan:
    return classify(read_specs([path]))


def _tool(plan: EnvPlan, ident: str) -> ToolPlan:
    return next(t for t in plan.tools if t.ident == ident)


@pytest.fixture(scope="module")
def tasks_source() -> str:
    return render(_plan(TASKS), [TASKS.name])


def test_docstrings_keep_format_bounds_and_a_pattern_example(tasks_source: str) -> None:
    assert "dueDate: When the task is due, as YYYY-MM-DD." in tasks_source
    assert "amount: How much was spent, between 1 and 500." in tasks_source
    badge = re.search(r"badge: The member's badge number, e\.g\. (\S+)\.\n", tasks_source)
    assert badge is not None and re.fullmatch(r"EMP-[0-9]{4}", badge.group(1))
    assert "currency: ISO 4217 currency code, e.g. EUR.\n" in tasks_source  # already said: nothing added


def test_said_adds_only_what_the_description_lacks() -> None:
    assert said(Field("n", "integer", "How many.", minimum=1)) == "at least 1"
    assert said(Field("n", "number", "How much.", maximum=2.5)) == "at most 2.5"
    assert said(Field("n", "integer", "From 1 to 5.", minimum=1, maximum=5)) == ""
    assert said(Field("d", "string", "Day (YYYY-MM-DD).", format="date")) == ""
    assert said(Field("t", "string", "When.", format="date-time")) == "as YYYY-MM-DDTHH:MM:SS"


def test_a_pattern_is_checked_in_the_body(tasks_source: str) -> None:
    assert "import re\n" in tasks_source
    assert "if not re.fullmatch('^EMP-[0-9]{4}$', badge):" in tasks_source


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(\w*x)*y", r"(?=a)a", "a" * 201, ""])
def test_patterns_a_body_cannot_check_safely_are_left_out(pattern: str) -> None:
    assert pattern_example(pattern) is None
    assert pattern_pool(pattern) == []


def test_seeds_follow_the_described_shape(tasks_source: str) -> None:
    seed = tasks_source[tasks_source.index("def seed("):tasks_source.index("def distinct(")]
    assert '"priority": rng.choice([\'low\', \'normal\', \'urgent\'])' in seed  # "One of: low, normal, urgent."
    assert '"month": fake.word()' not in seed and "isoformat()[:7]" in seed  # "as YYYY-MM"
    pool = re.search(r'"badge": rng\.choice\((\[[^\]]*\])\)', seed)
    assert pool is not None
    assert all(re.fullmatch(r"EMP-[0-9]{4}", b) for b in re.findall(r"'([^']*)'", pool.group(1)))
    assert '"currency": fake.currency_code()' not in seed


def test_log_and_record_verbs_create_rows_of_their_noun() -> None:
    plan = _plan(TASKS)
    expense = _tool(plan, "log_expense")
    assert (expense.kind, expense.table, expense.writes) == ("create", "expenses", True)
    assert [c.references for c in plan.tables["expenses"].columns.values() if c.references] == ["tasks"]
    assert "amount" not in plan.tables["tasks"].columns  # an expense's amount is not the task's
    aliquot = _tool(_plan(BIOBANK), "record_aliquot")
    assert (aliquot.kind, aliquot.table) == ("create", "aliquots")


def test_a_natural_key_shown_by_one_argument_tools_keys_the_entity() -> None:
    plan = _plan(BIOBANK)
    assert plan.tables["specimens"].key == "barcode"
    assert _tool(plan, "lookup_specimen").kind == "get"
    assert _tool(plan, "destroy_specimen").kind == "delete"
    assert _tool(plan, "catalogue_specimen").kind == "create"  # "Catalogue a new specimen": a verb unknown
    reading = _tool(plan, "freezer_reading")  # a name with no verb reads; no device settings: a lookup
    assert reading.kind == "lookup"
    assert plan.tables[reading.table or ""].columns["temperature"].type == "number"  # "temperature reading"


@pytest.mark.slow
def test_the_compiled_tasks_module_seeds_valid_values_and_enforces_the_pattern(tmp_path: Path,
                                                                               tasks_source: str) -> None:
    module = tmp_path / "tasks.py"
    module.write_text(tasks_source)
    env = load_env(str(module), seed=3)
    try:
        today = env.now.date()
        months = [r["month"] for r in env.query("SELECT month FROM expenses")]
        assert months and all(re.fullmatch(r"\d{4}-\d{2}", m) for m in months)
        births = [dt.date.fromisoformat(r["birthDate"]) for r in env.query("SELECT birthDate FROM members")]
        assert all((today - b).days >= 18 * 365 for b in births)
        bad = env.call("register_member", {"name": "Ana Ruiz", "birthDate": "1990-02-03", "badge": "E-12"})
        assert not bad.ok and "EMP-" in bad.error.message
        good = env.call("register_member", {"name": "Ana Ruiz", "birthDate": "1990-02-03", "badge": "EMP-0042"})
        assert good.ok
    finally:
        env.close()


def test_helpers_called_only_by_helpers_are_kept() -> None:
    source = render(_plan(BIOBANK), [BIOBANK.name])
    assert "decoded(row, " in source  # a specimen's donor object is stored as JSON text
    assert "\ndef decoded(" in source


FRESH = ROOT / "fixtures" / "specs" / "fresh"


def test_namespaced_names_act_on_their_namespace_with_verbs_the_lexicon_lacks() -> None:
    plan = _plan(FRESH / "mcp_garden.json")
    assert (_tool(plan, "plots_lease").kind, _tool(plan, "plots_lease").table) == ("update", "plots")
    assert (_tool(plan, "plots_relinquish").kind, _tool(plan, "plots_relinquish").target_status) == (
        "transition", "relinquished")
    assert (_tool(plan, "harvests_byPlot").kind, _tool(plan, "harvests_byPlot").table) == ("search", "harvests")
    assert _tool(plan, "harvests_log").kind == "create"
    assert _tool(plan, "water_schedule").kind not in ("create", "setting")  # "The watering rota for a day"
    assert plan.tables["tools"].key == "tool_tag"  # tools.borrow(toolTag), tools.giveBack(toolTag)


def test_an_imperative_description_names_the_verb_and_a_numbered_noun_is_a_key() -> None:
    plan = _plan(FRESH / "bfcl_observatory.json")
    scrub = _tool(plan, "scrub_slot")
    assert (scrub.kind, scrub.table, scrub.target_status) == ("transition", "slots", "scrubbed")
    assert (scrub.status_column, scrub.forbidden_from) == ("state", ["done"])  # "already done cannot be scrubbed"
    assert (_tool(plan, "bump_priority").kind, _tool(plan, "bump_priority").table) == ("update", "slots")
    assert _tool(plan, "show_queue").table == "slots"  # its rows have a `slot`
    park = _tool(plan, "park_telescope")
    assert (park.kind, park.status_flag, park.target_status) == ("setting", True, "parked")
    source = render(plan, ["bfcl_observatory.json"])
    assert "rng.choice(['L', 'R', 'G', 'B', 'Ha', 'OIII'])" in source  # a frame's filter: one of the `filters`
    assert '"parked": False,' in source and "raise ToolError('the telescope is already parked')" in source


def test_openapi_delete_deletes_participles_are_english_and_that_is_clauses_are_preconditions() -> None:
    plan = _plan(FRESH / "openapi_permits.yaml")
    assert _tool(plan, "cancelInspection").kind == "delete"  # DELETE /inspections/{visitRef}
    assert _tool(plan, "withdrawPermit").target_status == "withdrawn"
    assert _tool(plan, "approvePermit").allowed_from == ["under_review"]  # "that is under review"
    source = render(plan, ["openapi_permits.yaml"])
    assert "'BP-2026-' + str(" in source  # ids in the style of the example and the pattern
    assert ".zfill(4)" in source[source.index("def next_permit_id"):]


def test_a_flag_stamp_is_set_with_the_flag_seeded_only_where_it_holds_and_orders_newest_first() -> None:
    source = render(_plan(FRESH / "mcp_music.json"), ["mcp_music.json"])
    assert 'if not row["liked"]:\n            row["likedAt"] = None' in source  # unliked tracks have no likedAt
    assert "SET liked = true, likedAt = ? WHERE trackId = ?" in source
    liked_list = source[source.index("def listLikedTracks"):]
    assert "ORDER BY likedAt DESC" in liked_list  # "newest first"


def test_a_listed_container_counts_its_members() -> None:
    source = render(_plan(FRESH / "mcp_music.json"), ["mcp_music.json"])
    listing = source[source.index("def listPlaylists"):source.index("def getPlaylist")]
    assert "'trackCount': db.scalar('SELECT count(*) FROM playlist_tracks WHERE playlistId = ?', " \
           "[r['playlistId']])" in listing


def test_free_text_seeds_say_what_they_are_not_random_words() -> None:
    from toolace_mt.compiler.plan import Column, Table
    from toolace_mt.compiler.seed_plan import value_expr
    table = Table(name="devices", entity="device", key="device_id")
    assert "living room" in value_expr(Column("room", "string", Field("room", "string", "The room it is in.")), table)
    assert value_expr(Column("bin", "string", Field("bin", "string", "Storage bin.")), table).startswith("fake.bothify")
    assert value_expr(Column("coach", "string", Field("coach", "string", "")), table) == "fake.name()"
    assert value_expr(Column("borrowed_by", "string", Field("borrowed_by", "string", "")), table) == "fake.name()"
    inspectors = Table(name="inspectors", entity="inspector", key="inspector_id")
    assert value_expr(Column("name", "string", Field("name", "string", "")), inspectors) == "fake.name()"
    assert value_expr(Column("district", "string", Field("district", "string", "")), inspectors) == "fake.city()"
    address = value_expr(Column("delivery_address", "string", Field("delivery_address", "string", "")), table)
    assert "fake.street_address()" in address and "fake.address()" not in address  # never an APO/FPO box
    listed = Field("state", "string", "Only slots in this state: queued, observing, done or scrubbed.")
    assert value_expr(Column("state", "string", listed), table) == \
        "rng.choice(['queued', 'observing', 'done', 'scrubbed'])"


def test_a_lone_since_bound_compares_the_date_of_the_event_it_names(tasks_source: str) -> None:
    plan = _plan(TASKS)
    since = next(p for p in _tool(plan, "search_tasks").params if p.spec.name == "since")
    assert (since.role, since.column) == ("min", "created_on")  # "Only tasks created on or after this date"
    source = render(plan, [TASKS.name])
    assert 'where.append("created_on >= ?")' in source and "ILIKE '%' || ? || '%'" not in source
    assert '"created_on": db.today.isoformat(),' in source  # a new task is created today


def test_borrowing_a_keyed_thing_creates_a_loan_of_it() -> None:
    borrow = _tool(_plan(FRESH / "mcp_garden.json"), "tools_borrow")
    assert (borrow.kind, borrow.table, borrow.writes) == ("create", "tool_loans", True)  # was a "find"


def test_a_contact_email_on_a_row_need_not_be_unique() -> None:
    source = render(_plan(FRESH / "openapi_permits.yaml"), ["openapi_permits.yaml"])
    apply = source[source.index("def applyForPermit"):source.index("def getPermit")]
    assert "already exists" not in apply  # one applicant may apply for several permits


def test_an_update_sets_the_field_its_output_shows_and_ref_fields_are_keys() -> None:
    plan = _plan(FRESH / "mcp_garden.json")
    lease = _tool(plan, "plots_lease")
    email = next(p for p in lease.params if p.spec.name == "gardenerEmail")
    assert email.column == "leaseholder"  # the output shows the new leaseholder, an email
    assert plan.tables["harvests"].key == "harvest_ref"  # harvestRef, "like H-2291"
    source = render(plan, ["mcp_garden.json"])
    assert "\"crop\": rng.choice(['courgette'])" in source  # the one example, not a random word
    assert "json.dumps([{'bed': " in source  # an array of objects is seeded as objects


def test_a_page_of_rows_tells_its_total_from_the_rows() -> None:
    source = render(_plan(FRESH / "openapi_hotel.json"), ["openapi_hotel.json"])
    assert "return {'hotels': rows, 'total': len(rows)}" in source  # was 'total': 0 beside a full list
