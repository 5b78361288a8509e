"""Issue 17, spec shapes of the third round of fresh specs: a record object holding a new
row's fields, a membership (add a track to a playlist), a POST to a sub-collection, a
credit on a row, enum spellings of targets, a flag set by a verb the lexicon lacks, a date
moved by days, `allOf` parts that only add `required`, ids in a style the description
shows and values a description lists in quotes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sandbox import load_env
from toolace_mt.compiler.classify import classify
from toolace_mt.compiler.compile import read_specs
from toolace_mt.compiler.plan import EnvPlan, ToolPlan
from toolace_mt.compiler.render import render

FRESH = Path(__file__).resolve().parent.parent / "fixtures" / "specs" / "fresh"


def _plan(name: str) -> EnvPlan:
    return classify(read_specs([FRESH / name]))


def _tool(plan: EnvPlan, ident: str) -> ToolPlan:
    return next(t for t in plan.tools if t.ident == ident)


def _module(tmp_path: Path, name: str) -> Path:
    out = tmp_path / (Path(name).stem + ".py")
    out.write_text(render(_plan(name), [name]))
    return out


def test_a_post_to_a_sub_collection_creates_a_row_of_it_and_a_credit_adjusts_the_balance() -> None:
    plan = _plan("openapi_billing.yaml")
    create = _tool(plan, "createSubscription")
    assert (create.kind, create.table) == ("create", "subscriptions")
    credit = _tool(plan, "addCustomerCredit")
    assert (credit.kind, credit.table, credit.adjust_column) == ("adjust", "customers", "balance")


def test_a_target_is_spelled_as_the_status_enum_and_listed_preconditions_are_read() -> None:
    plan = _plan("openapi_billing.yaml")
    cancel = _tool(plan, "cancelSubscription")
    assert cancel.target_status == "canceled"  # the enum's spelling, not "cancelled"
    assert sorted(cancel.allowed_from) == ["active", "paused", "trialing"]
    assert _tool(plan, "voidInvoice").target_status == "void"
    assert _tool(plan, "payInvoice").target_status == "paid"


def test_allof_parts_that_only_add_required_make_those_fields_required() -> None:
    create = _tool(_plan("openapi_billing.yaml"), "createCustomer")
    required = {p.spec.name for p in create.params if p.spec.required}
    assert required == {"name", "email"}


def test_ids_are_seeded_in_the_style_the_description_shows() -> None:
    source = render(_plan("mcp_music.json"), ["mcp_music.json"])  # "The track's id, like trk_2041."
    assert '"trackId": "trk_" + str(2041 + i)' in source


def test_values_a_description_lists_in_quotes_and_clock_times_are_seeded_as_said() -> None:
    source = render(_plan("bfcl_car_rental.json"), ["bfcl_car_rental.json"])
    assert "\"car_class\": rng.choice(['economy', 'compact', 'suv', 'luxury'])" in source
    assert '"opens": str(rng.randint(6, 10)).zfill(2)' in source  # "Opening time, HH:MM."
    assert '"daily_rate": round(rng.uniform(20.0, 300.0), 2)' in source  # "Price per day in dollars"


def test_tool_requests_speak_for_the_user_not_about_them() -> None:
    plan = _plan("bfcl_car_rental.json")
    source = render(plan, ["bfcl_car_rental.json"])
    assert "'Please log me in with my username {username} and password {password}.'" in source
    assert "'Please extend reservation {reservation_id} by {extra_days} days.'" in source
    assert "'Please list the tracks I have liked, newest first.'" in render(_plan("mcp_music.json"),
                                                                            ["mcp_music.json"])


def _one(env: Any, sql: str) -> dict[str, Any]:
    return env.query(sql)[0]


@pytest.mark.slow
def test_a_record_object_fills_the_new_rows_fields(tmp_path: Path) -> None:
    with load_env(_module(tmp_path, "openai_crm.json")) as env:
        contact = {"firstName": "Ada", "lastName": "Byron", "email": "ada@example.test", "phone": None,
                   "companyName": "Engines Ltd"}
        made = env.call("createContact", {"contact": contact})
        assert made.ok, made.error
        shown = env.call("getContact", {"contactId": made.result["contactId"]}).result
        assert (shown["firstName"], shown["companyName"], shown["phone"]) == ("Ada", "Engines Ltd", None)
        blank = env.call("createContact", {"contact": {**contact, "email": "x@example.test", "firstName": " "}})
        assert blank.error is not None and blank.error.message == "the first name cannot be empty"
        again = env.call("createContact", {"contact": contact})
        assert again.error is not None and "already exists" in again.error.message
        changed = env.call("updateContact", {"contactId": made.result["contactId"],
                                             "changes": {"lifecycleStage": "customer"}})
        assert changed.ok and changed.result["lifecycleStage"] == "customer"


@pytest.mark.slow
def test_adding_a_track_to_a_playlist_pairs_them_once_and_the_playlist_shows_it(tmp_path: Path) -> None:
    with load_env(_module(tmp_path, "mcp_music.json")) as env:
        playlist = env.call("createPlaylist", {"name": "Road trip"}).result["playlistId"]
        track = _one(env, "SELECT trackId FROM tracks ORDER BY trackId LIMIT 1")["trackId"]
        added = env.call("addTrackToPlaylist", {"playlistId": playlist, "trackId": track})
        assert added.ok and added.result == {"playlistId": playlist, "trackCount": 1}
        assert env.call("createPlaylist", {"name": "Other"}).ok  # no playlist row was made by the add
        assert [t["trackId"] for t in env.call("getPlaylist", {"playlistId": playlist}).result["tracks"]] == [track]
        twice = env.call("addTrackToPlaylist", {"playlistId": playlist, "trackId": track})
        assert twice.error is not None and twice.error.message == f"track {track} is already in playlist {playlist}"
        removed = env.call("removeTrackFromPlaylist", {"playlistId": playlist, "trackId": track})
        assert removed.ok and removed.result["trackCount"] == 0
        assert env.call("getPlaylist", {"playlistId": playlist}).result["tracks"] == []


@pytest.mark.slow
def test_a_like_sets_its_flag_and_the_liked_list_shows_only_liked_rows(tmp_path: Path) -> None:
    with load_env(_module(tmp_path, "mcp_music.json")) as env:
        track = _one(env, "SELECT trackId FROM tracks WHERE NOT liked ORDER BY trackId LIMIT 1")["trackId"]
        assert env.call("likeTrack", {"trackId": track}).result == {"trackId": track, "liked": True}
        again = env.call("likeTrack", {"trackId": track})
        assert again.error is not None and "already liked" in again.error.message
        liked = env.call("listLikedTracks", {"limit": 50}).result["tracks"]
        expected = {r["trackId"] for r in env.query("SELECT trackId FROM tracks WHERE liked")}
        assert track in expected and {t["trackId"] for t in liked} == expected
        assert all("liked" not in t for t in liked)


@pytest.mark.slow
def test_extending_a_reservation_moves_its_return_date_by_the_days(tmp_path: Path) -> None:
    module = _module(tmp_path, "bfcl_car_rental.json")
    module.write_text(module.read_text().replace("START_LOGGED_IN = False", "START_LOGGED_IN = True", 1))
    with load_env(module) as env:
        row = _one(env, "SELECT reservation_id, return_date FROM reservations WHERE status NOT IN "
                        "('cancelled', 'completed') ORDER BY reservation_id LIMIT 1")
        moved = env.call("extend_reservation", {"reservation_id": row["reservation_id"], "extra_days": 3})
        import datetime

        later = (datetime.date.fromisoformat(row["return_date"][:10]) + datetime.timedelta(days=3)).isoformat()
        assert moved.ok and moved.result["return_date"] == later
        too_far = env.call("extend_reservation", {"reservation_id": row["reservation_id"], "extra_days": 30})
        assert too_far.error is not None and "between 1 and 14" in too_far.error.message


def test_the_fresh_specs_are_valid_json_or_yaml_in_their_four_formats() -> None:
    formats = {name: read_specs([FRESH / name]).formats for name in
               ("openapi_billing.yaml", "mcp_music.json", "bfcl_car_rental.json", "openai_crm.json")}
    assert formats == {"openapi_billing.yaml": ["openapi"], "mcp_music.json": ["mcp"],
                       "bfcl_car_rental.json": ["bfcl"], "openai_crm.json": ["openai"]}
    assert json.loads((FRESH / "mcp_music.json").read_text())["result"]["tools"][0]["outputSchema"]


@pytest.mark.slow
def test_the_generator_finds_a_query_word_for_a_camel_case_search(tmp_path: Path) -> None:
    import random

    from faker import Faker

    from toolace_mt.generation.plan.catalog import Catalog
    from toolace_mt.generation.plan.values import ValueSource

    with load_env(_module(tmp_path, "openai_crm.json")) as env:
        tables = env.tables
        catalog = Catalog(env.name, {t.name: t for t in env.tools}, {},
                          {n: [c.name for c in t.columns] for n, t in tables.items()},
                          {n: t.primary_key for n, t in tables.items()})
        search = next(t for t in env.tools if t.name == "searchContacts")
        source = ValueSource(env, catalog, Faker())
        source.preload()
        words = {source._query_word(search, random.Random(seed)) for seed in range(8)}
        assert "" not in words
        for word in words:  # a word of a contact's name or company: the search finds that contact
            found = env.call("searchContacts", {"query": word})
            assert found.ok and found.result, word


def test_the_generator_reads_camel_case_ids_as_ids() -> None:
    from toolace_mt.generation.plan.value_keys import is_id

    assert is_id("noteId") and is_id("cardId") and is_id("playlistId")


@pytest.mark.slow
def test_paying_an_invoice_takes_its_amount_from_the_customers_balance(tmp_path: Path) -> None:
    with load_env(_module(tmp_path, "openapi_billing.yaml")) as env:
        short = _one(env, "SELECT i.invoiceId, i.customerId, i.amountDue, c.balance FROM invoices i JOIN customers c "
                          "USING (customerId) WHERE i.status = 'open' AND c.balance < i.amountDue LIMIT 1")
        refused = env.call("payInvoice", {"invoiceId": short["invoiceId"]})
        assert refused.error is not None and refused.error.message == (
            f"insufficient funds: customer {short['customerId']} has {short['balance']}, {short['amountDue']} is due")
        assert env.call("addCustomerCredit", {"customerId": short["customerId"], "amount": 500}).ok
        paid = env.call("payInvoice", {"invoiceId": short["invoiceId"]})
        assert paid.ok and paid.result["status"] == "paid"
        left = _one(env, f"SELECT balance FROM customers WHERE customerId = '{short['customerId']}'")["balance"]
        assert left == pytest.approx(short["balance"] + 500 - short["amountDue"])
        again = env.call("payInvoice", {"invoiceId": short["invoiceId"]})
        assert again.error is not None and "already paid" in again.error.message


def test_a_login_is_asked_for_in_the_first_person(tmp_path: Path) -> None:
    specs = Path(__file__).resolve().parent.parent / "fixtures" / "specs" / "bfcl"
    ticket = render(classify(read_specs([specs / "ticket_api.json"])), ["ticket_api.json"])
    assert "'Please log me in to the ticket system with username {username} and password {password}.'" in ticket
    message = render(classify(read_specs([specs / "message_api.json"])), ["message_api.json"])
    assert "'Please log me in with user id {user_id} to messeage application.'" in message


def test_two_values_between_which_a_tool_works_are_said_in_place() -> None:
    specs = Path(__file__).resolve().parent.parent / "fixtures" / "specs" / "bfcl"
    source = render(classify(read_specs([specs / "vehicle_control.json"])), ["vehicle_control.json"])
    assert "'Please estimate the distance between {cityA} and {cityB}.'" in source
