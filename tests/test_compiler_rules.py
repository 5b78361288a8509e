"""Behaviour the compiler infers from a spec's words, on a marina nobody tuned for: bounds of
an object's numbers (fuel.litres), a give-up that empties who held the row (vacate a berth),
a state a later step requires (release an impounded boat, no fuelling while impounded), and
tools that act on one type of row (furl the sails of a sailboat, not of a motorboat)."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import load_env
from sandbox.environment import Environment
from toolace_mt.compiler.classify import classify
from toolace_mt.compiler.compile import read_specs
from toolace_mt.compiler.constraints import pattern_pool
from toolace_mt.compiler.plan import EnvPlan
from toolace_mt.compiler.render import render
from toolace_mt.generation.plan.values import NO_PART, NOT_JSON, json_part
from toolace_mt.generation.workbench import Workbench

BERTH = {"berthNumber": {"type": "integer", "description": "The berth's number."}}
BOAT_ID = {"boatId": {"type": "string", "description": "The boat's id."}}
BOAT = {"type": "object", "properties": {"boatId": {"type": "string"}, "kind": {
    "type": "string", "enum": ["sailboat", "motorboat"]}, "furled": {"type": "boolean"}}}


def _tool(name: str, description: str, inputs: dict, output: dict | None = None) -> dict:
    tool = {"name": name, "description": description,
            "inputSchema": {"type": "object", "properties": inputs, "required": list(inputs)}}
    return {**tool, "outputSchema": output} if output is not None else tool


TOOLS = [
    {"name": "list_berths", "description": "List the marina's berths.",
     "inputSchema": {"type": "object", "properties": {
         "unrentedOnly": {"type": "boolean", "description": "Only berths nobody rents."}}},
     "outputSchema": {"type": "object", "properties": {"berths": {"type": "array", "items": {
         "type": "object", "properties": {"berthNumber": {"type": "integer"},
                                          "renter": {"type": ["string", "null"],
                                                     "description": "Email of the owner renting it."},
                                          "assignedSince": {"type": ["string", "null"], "format": "date"}}}}}}},
    _tool("assign_berth", "Assign a vacant berth to a boat owner. Fails if the berth is already assigned.",
          {**BERTH, "ownerEmail": {"type": "string", "format": "email"}},
          {"type": "object", "properties": {"berthNumber": {"type": "integer"}, "renter": {"type": "string"}}}),
    _tool("vacate_berth", "Vacate a berth so it becomes free again.", BERTH,
          {"type": "object", "properties": {"berthNumber": {"type": "integer"},
                                            "renter": {"type": ["string", "null"]}}}),
    {"name": "list_boats", "description": "List the boats in the marina.",
     "inputSchema": {"type": "object", "properties": {}},
     "outputSchema": {"type": "object", "properties": {"boats": {"type": "array", "items": BOAT}}}},
    _tool("furl_sails", "Furl the sails of a boat.",
          {"boatId": {"type": "string", "description": "Id of the sailboat."}}, BOAT),
    _tool("impound_boat", "Put a boat in impound after a failed safety check; it cannot be fuelled until released.",
          {**BOAT_ID, "reason": {"type": "string", "description": "What the check found."}}, BOAT),
    _tool("release_boat", "Release an impounded boat to its owner.", BOAT_ID, BOAT),
    _tool("log_fuel", "Log fuel taken on by a boat.",
          {**BOAT_ID, "fuel": {"type": "object", "properties": {
              "litres": {"type": "number", "exclusiveMinimum": 0, "maximum": 400},
              "grade": {"type": "string", "enum": ["diesel", "petrol"]}}, "required": ["litres", "grade"]}},
          {"type": "object", "properties": {"fuelRef": {"type": "string"}, "boatId": {"type": "string"}}}),
]


@pytest.fixture(scope="module")
def marina(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EnvPlan, Environment]]:
    work = tmp_path_factory.mktemp("marina")
    spec = work / "marina.json"
    spec.write_text(json.dumps({"tools": TOOLS}))
    plan = classify(read_specs([spec]))
    module = work / "marina.py"
    module.write_text(render(plan, [spec.name]))
    with load_env(module, seed=5) as env:
        yield plan, env


def _boat(env: Environment, kind: str) -> str:
    return env.query("SELECT boatId FROM boats WHERE kind = ? AND status = 'open' LIMIT 1", [kind])[0]["boatId"]


def test_an_objects_number_is_held_to_its_bounds_and_said_in_the_parameters_words(marina) -> None:
    plan, env = marina
    hull = _boat(env, "motorboat")
    log = next(t for t in plan.tools if t.ident == "log_fuel")
    assert "litres more than 0 and at most 400" in render(plan, ["marina.json"]).split("def log_fuel")[1][:600]
    for litres in (0, 401.5):
        refused = env.call("log_fuel", {"boatId": hull, "fuel": {"litres": litres, "grade": "diesel"}})
        assert refused.error is not None and refused.error.message == (
            f"the fuel litres must be more than 0 and at most 400, got {litres}")
    assert env.call("log_fuel", {"boatId": hull, "fuel": {"litres": 120.5, "grade": "diesel"}}).ok
    assert log.kind == "create"


def test_giving_a_berth_up_empties_its_renter_and_renting_needs_it_empty(marina) -> None:
    plan, env = marina
    vacate = next(t for t in plan.tools if t.ident == "vacate_berth")
    assert vacate.clears[0] == "renter" and vacate.status_column is None  # no invented status
    rented = env.query("SELECT berthNumber, renter FROM berths WHERE renter IS NOT NULL LIMIT 1")[0]
    taken = env.call("assign_berth", {"berthNumber": rented["berthNumber"], "ownerEmail": "kim@example.org"})
    assert taken.error is not None and taken.error.message == (
        f"berth {rented['berthNumber']} already has a renter: {rented['renter']}")
    done = env.call("vacate_berth", {"berthNumber": rented["berthNumber"]})
    assert done.ok and done.result["renter"] is None
    assert env.query("SELECT assignedSince FROM berths WHERE berthNumber = ?", [rented["berthNumber"]])[0] == {
        "assignedSince": None}
    again = env.call("vacate_berth", {"berthNumber": rented["berthNumber"]})
    assert again.error is not None and again.error.message == f"berth {rented['berthNumber']} has no renter"
    free = env.call("list_berths", {"unrentedOnly": True}).result["berths"]
    assert rented["berthNumber"] in [b["berthNumber"] for b in free] and all(b["renter"] is None for b in free)
    assert {r["assignedSince"] for r in env.query("SELECT assignedSince FROM berths WHERE renter IS NULL")} == {None}
    assert env.call("assign_berth", {"berthNumber": rented["berthNumber"], "ownerEmail": "kim@example.org"}).ok
    since = env.query("SELECT assignedSince FROM berths WHERE berthNumber = ?", [rented["berthNumber"]])
    assert since[0]["assignedSince"] == env.now.date().isoformat()  # since when it is held: today


def test_release_needs_the_impounded_state_and_an_impounded_boat_takes_no_fuel(marina) -> None:
    plan, env = marina
    kinds = {t.ident: (t.kind, t.target_status, t.allowed_from) for t in plan.tools}
    assert kinds["impound_boat"] == ("transition", "impounded", [])
    assert kinds["release_boat"] == ("transition", "released", ["impounded"])
    hull = _boat(env, "sailboat")
    early = env.call("release_boat", {"boatId": hull})
    assert early.error is not None and early.error.message == (
        f"boat {hull} is open: only an impounded boat can be released")
    assert env.call("impound_boat", {"boatId": hull, "reason": "bilge pump broken"}).ok
    assert env.query("SELECT status, reason FROM boats WHERE boatId = ?", [hull])[0] == {
        "status": "impounded", "reason": "bilge pump broken"}
    refused = env.call("log_fuel", {"boatId": hull, "fuel": {"litres": 20, "grade": "petrol"}})
    assert refused.error is not None and refused.error.message == f"boat {hull} is impounded"
    assert env.call("release_boat", {"boatId": hull}).ok
    assert env.call("log_fuel", {"boatId": hull, "fuel": {"litres": 20, "grade": "petrol"}}).ok


def test_a_tool_for_one_type_of_row_refuses_the_others_and_their_seeds_lack_its_column(marina) -> None:
    _, env = marina
    motor = _boat(env, "motorboat")
    refused = env.call("furl_sails", {"boatId": motor})
    assert refused.error is not None and refused.error.message == f"boat {motor} is a motorboat, not a sailboat"
    assert {r["furled"] for r in env.query("SELECT furled FROM boats WHERE kind = 'motorboat'")} == {None}
    sail = env.query("SELECT boatId FROM boats WHERE kind = 'sailboat' AND NOT furled LIMIT 1")[0]["boatId"]
    assert env.call("furl_sails", {"boatId": sail}).ok


def test_an_amount_taken_from_the_referred_row_comes_out_of_its_column() -> None:
    biobank = Path(__file__).resolve().parent.parent / "fixtures" / "specs" / "fresh" / "openai_biobank.json"
    plan = classify(read_specs([biobank]))
    aliquot = next(t for t in plan.tools if t.ident == "record_aliquot")  # "the volume is taken from the specimen"
    assert (aliquot.stock_table, aliquot.stock_column, aliquot.stock_param, aliquot.quantity_param) == (
        "specimens", "volume_ml", "barcode", "volumeMl")
    source = render(plan, [biobank.name]).split("def record_aliquot")[1].split("\n@tool")[0]
    assert "insufficient volume: specimen {barcode} has {item['volumeMl'] or 0} left, {volumeMl} wanted" in source


def test_a_cancel_that_ends_something_keeps_its_status_and_empties_no_holder(tmp_path: Path) -> None:
    key = {"reservationId": {"type": "integer", "description": "The reservation."}}
    shown = {"type": "object", "properties": {"reservationId": {"type": "integer"},
                                              "guestEmail": {"type": ["string", "null"]}}}
    spec = tmp_path / "desk.json"
    spec.write_text(json.dumps({"tools": [
        _tool("update_reservation", "Change the guest of a reservation.",
              {**key, "guestEmail": {"type": "string", "format": "email"}}, shown),
        _tool("cancel_reservation", "Cancel a reservation, ending the reservation so the room becomes free again.",
              key, shown)]}))
    cancel = next(t for t in classify(read_specs([spec])).tools if t.ident == "cancel_reservation")
    assert (cancel.kind, cancel.target_status, cancel.clears) == ("transition", "cancelled", [])


def test_a_rota_keyed_by_day_lists_its_row_as_one_slot_of_real_plots(tmp_path: Path) -> None:
    garden = Path(__file__).resolve().parent.parent / "fixtures" / "specs" / "fresh" / "mcp_garden.json"
    module = tmp_path / "garden.py"
    module.write_text(render(classify(read_specs([garden])), [garden.name]))
    with load_env(module, seed=2) as env:
        day = env.now.date().isoformat()  # "The watering rota for a day": days around today, not WAT-1001
        slots = env.call("water_schedule", {"day": day}).result["slots"]
        plots = {r["plotNumber"] for r in env.query("SELECT plotNumber FROM plots")}
        assert len(slots) == 1 and slots[0]["from"] and slots[0]["plots"] and set(slots[0]["plots"]) <= plots
        vacant = env.call("plots_list", {"vacantOnly": True}).result["plots"]
        assert vacant and all(p["leaseholder"] is None and p["season"] is None for p in vacant)


def test_a_patterns_years_are_seeded_near_now() -> None:
    pool = pattern_pool(r"^20[0-9]{2}-(spring|autumn)$")
    assert len(pool) >= 6 and all(2024 <= int(season[:4]) <= 2028 for season in pool)
    assert all(re.fullmatch(r"BB\d{6}", code) for code in pattern_pool(r"^BB[0-9]{6}$"))  # no year: unchanged


def test_an_unknown_verb_that_returns_a_new_key_creates_in_the_first_said_state(tmp_path: Path) -> None:
    observatory = Path(__file__).resolve().parent.parent / "fixtures" / "specs" / "fresh" / "bfcl_observatory.json"
    plan = classify(read_specs([observatory]))
    queue = next(t for t in plan.tools if t.ident == "queue_observation")  # "Queue an observation" -> {"slot"}
    assert (queue.kind, queue.table, queue.writes) == ("create", "slots", True)
    module = tmp_path / "observatory.py"
    module.write_text(render(plan, [observatory.name]))
    with load_env(module, seed=4) as env:
        made = env.call("queue_observation", {"target": "M31", "coordinates": [10.68, 41.27], "exposure_s": 300.0,
                                              "filters": ["L", "Ha"]})
        assert made.ok and made.result["state"] == "queued"  # "queued, observing, done or scrubbed"
        assert env.query("SELECT target FROM slots WHERE slot = ?", [made.result["slot"]]) == [{"target": "M31"}]
        observing = env.call("telescope_status", {}).result["current_slot"]  # a role + a key: a real slot
        assert env.query("SELECT slot FROM slots WHERE slot = ?", [observing]) == [{"slot": observing}]


def test_what_only_a_transition_records_is_seeded_only_in_its_state_and_new_rows_lack_it(tmp_path: Path) -> None:
    shop = Path(__file__).resolve().parent.parent / "fixtures" / "specs" / "openai_shop.json"
    module = tmp_path / "shop.py"
    module.write_text(render(classify(read_specs([shop])), [shop.name]))
    with load_env(module, seed=3) as env:  # cancel_order(order_id, reason): a reason only on cancelled orders
        reasons = env.query("SELECT status, reason FROM orders")
        assert {r["reason"] for r in reasons if r["status"] != "cancelled"} == {None}
        assert any(r["reason"] for r in reasons if r["status"] == "cancelled")
        customer = env.query("SELECT customer_id FROM customers LIMIT 1")[0]["customer_id"]
        product = env.query("SELECT product_id FROM products WHERE stock > 0 LIMIT 1")[0]["product_id"]
        made = env.call("create_order", {"customer_id": customer, "product_id": product, "quantity": 1})
        assert made.ok and made.result["reason"] is None


def _body(schema: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _answer(schema: str) -> dict:
    return {"200": {"description": "ok", "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"}}}}}


KENNEL = {
    "openapi": "3.0.0", "info": {"title": "Kennel", "version": "1"},
    "paths": {
        "/dogs": {"post": {"operationId": "addDog", "summary": "Take a new dog in.", "requestBody": _body("Dog"),
                           "responses": _answer("Dog")},
                  "put": {"operationId": "updateDog", "summary": "Replace a dog's details (its id must exist).",
                          "requestBody": _body("Dog"), "responses": _answer("Dog")}},
        "/dogs/{dogId}": {"get": {"operationId": "getDogById", "summary": "One dog.", "parameters": [
            {"name": "dogId", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": _answer("Dog")}},
        "/keepers": {"post": {"operationId": "createKeeper", "summary": "Open a keeper account.",
                              "requestBody": _body("Keeper"), "responses": _answer("Keeper")}},
        "/keepers/{username}": {"get": {"operationId": "getKeeperByName", "summary": "One keeper.", "parameters": [
            {"name": "username", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": _answer("Keeper")}},
    },
    "components": {"schemas": {
        "Dog": {"type": "object", "required": ["name"], "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}}},
        "Keeper": {"type": "object", "properties": {
            "id": {"type": "integer"}, "username": {"type": "string"}, "firstName": {"type": "string"},
            "password": {"type": "string"}}},
    }},
}


def test_optional_body_ids_are_made_or_required_and_passwords_are_never_read_back(tmp_path: Path) -> None:
    spec = tmp_path / "kennel.json"
    spec.write_text(json.dumps(KENNEL))
    plan = classify(read_specs([spec]))
    params = {t.ident: {p.spec.name: p.spec.required for p in t.params} for t in plan.tools}
    assert "id" not in params["addDog"] and params["updateDog"]["id"] is True  # made here / names the dog
    assert params["createKeeper"]["username"] is True and "id" not in params["createKeeper"]
    module = tmp_path / "kennel.py"
    module.write_text(render(plan, [spec.name]))
    with load_env(module, seed=1) as env:
        made = env.call("addDog", {"name": "Rex"})
        assert made.ok and env.call("getDogById", {"dogId": made.result["id"]}).result["name"] == "Rex"
        for name in ("ana_k", "ben_k"):  # the same first name and password: nothing unique about them
            assert env.call("createKeeper", {"username": name, "firstName": "Sam", "password": "hunter22"}).ok
        again = env.call("createKeeper", {"username": "ana_k", "firstName": "Al"})
        assert again.error is not None and "already exists" in again.error.message
        assert env.call("getKeeperByName", {"username": "ben_k"}).result["password"] == "********"


def test_a_bodys_bare_id_of_the_row_it_acts_on_is_named_as_the_other_tools_name_the_key(tmp_path: Path) -> None:
    # updateDog's body `id` is the dog's key, which getDogById takes as `dogId`: named so (not the
    # reserved-name rename `id_value`), a dog id read elsewhere links to it by name
    spec = tmp_path / "kennel.json"
    spec.write_text(json.dumps(KENNEL))
    plan = classify(read_specs([spec]))
    update = next(t for t in plan.tools if t.ident == "updateDog")
    assert [p.ident for p in update.params if p.spec.name == "id"] == ["dogId"]
    module = tmp_path / "kennel.py"
    module.write_text(render(plan, [spec.name]))
    assert "parameter 'id' is 'dogId' here" in module.read_text()
    with load_env(module, seed=1) as env:
        made = env.call("addDog", {"name": "Rex"})
        changed = env.call("updateDog", {"dogId": made.result["id"], "name": "Max"})
        assert changed.ok and env.call("getDogById", {"dogId": made.result["id"]}).result["name"] == "Max"
        missing = env.call("updateDog", {"dogId": 987654, "name": "Max"})
        assert missing.error is not None and "not found" in missing.error.message


def test_a_bare_id_keeps_its_safe_rename_when_the_keys_name_is_taken_or_unspelled(tmp_path: Path) -> None:
    both = {**KENNEL, "components": {"schemas": {**KENNEL["components"]["schemas"], "Dog": {
        "type": "object", "required": ["name"], "properties": {
            "id": {"type": "integer"}, "dogId": {"type": "integer", "description": "The dog's kennel number."},
            "name": {"type": "string"}}}}}}
    spec = tmp_path / "kennel.json"
    spec.write_text(json.dumps(both))  # the body already has a dogId: the id cannot take its name
    update = next(t for t in classify(read_specs([spec])).tools if t.ident == "updateDog")
    idents = [p.ident for p in update.params]
    assert len(idents) == len(set(idents)) and "id" not in idents
    crates = [_tool("list_crates", "List the crates.", {}, {"type": "object", "properties": {"crates": {
                  "type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"},
                                                                              "size": {"type": "string"}}}}}}),
              _tool("delete_crate", "Delete a crate.", {"id": {"type": "integer"}})]
    spec = tmp_path / "crates.json"
    spec.write_text(json.dumps({"tools": crates}))  # no tool spells the key: its column's name
    delete = next(t for t in classify(read_specs([spec])).tools if t.ident == "delete_crate")
    assert [p.ident for p in delete.params] == ["crate_id"] and delete.key is not None


PETS = {
    "openapi": "3.0.0", "info": {"title": "Pets", "version": "1"},
    "paths": {
        "/pets": {"post": {"operationId": "addPet", "summary": "Put a pet up for sale.", "requestBody": _body("Pet"),
                           "responses": _answer("Pet")}},
        "/pets/{petId}": {"get": {"operationId": "getPetById", "summary": "One pet.", "parameters": [
            {"name": "petId", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": _answer("Pet")}},
        "/store/inventory": {"get": {"operationId": "getInventory",
                                     "summary": "How many pets there are in each sale status.",
                                     "responses": {"200": {"description": "status -> count", "content": {
                                         "application/json": {"schema": {
                                             "type": "object", "additionalProperties": {"type": "integer"}}}}}}}},
    },
    "components": {"schemas": {"Pet": {"type": "object", "required": ["name"], "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"},
        "status": {"type": "string", "enum": ["available", "pending", "sold"]}}}}},
}


def test_a_map_of_counts_by_a_column_counts_the_rows_it_names(tmp_path: Path) -> None:
    # getInventory names no entity; its description says what it counts and by what
    spec = tmp_path / "pets.json"
    spec.write_text(json.dumps(PETS))
    plan = classify(read_specs([spec]))
    inventory = next(t for t in plan.tools if t.ident == "getInventory")
    assert (inventory.kind, inventory.table, inventory.group_by) == ("stats", "pets", "status")
    assert all(not t.singleton for t in plan.tables.values())  # no one-row state table for it
    module = tmp_path / "pets.py"
    module.write_text(render(plan, [spec.name]))
    with load_env(module, seed=1) as env:
        before = env.call("getInventory").result
        rows = env.query("SELECT status FROM pets")
        assert before == {s: sum(r["status"] == s for r in rows) for s in {r["status"] for r in rows}}
        assert env.call("addPet", {"name": "Rex", "status": "sold"}).ok
        assert env.call("addPet", {"name": "Fido"}).ok  # no status: not counted under any
        after = env.call("getInventory").result
        assert after == {**before, "sold": before.get("sold", 0) + 1}


def test_a_search_by_a_list_of_tag_names_finds_the_rows_holding_any_of_them(tmp_path: Path) -> None:
    # GET /pets/findByTags: a search of the pets (no "find tags" table), matching a tag's name
    tagged = {**PETS, "paths": {**PETS["paths"], "/pets/findByTags": {"get": {
        "operationId": "findPetsByTags", "summary": "Pets carrying any of the given tags.",
        "parameters": [{"name": "tags", "in": "query", "required": True,
                        "schema": {"type": "array", "items": {"type": "string"}}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
            "type": "array", "items": {"$ref": "#/components/schemas/Pet"}}}}}}}}}}
    tagged["components"] = {"schemas": {"Pet": {**PETS["components"]["schemas"]["Pet"], "properties": {
        **PETS["components"]["schemas"]["Pet"]["properties"], "tags": {"type": "array", "items": {
            "type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}}}}}}
    spec = tmp_path / "tagged.json"
    spec.write_text(json.dumps(tagged))
    plan = classify(read_specs([spec]))
    search = next(t for t in plan.tools if t.ident == "findPetsByTags")
    assert search.table == "pets" and set(plan.tables) == {"pets"}
    module = tmp_path / "tagged.py"
    module.write_text(render(plan, [spec.name]))
    with load_env(module, seed=1) as env:
        made = env.call("addPet", {"name": "Rex", "tags": [{"id": 1, "name": "vaccinated"}, {"name": "calm"}]})
        assert env.call("addPet", {"name": "Fido", "tags": [{"name": "loud"}]}).ok
        found = env.call("findPetsByTags", {"tags": ["calm", "no-such-tag"]}).result
        assert [p["petId"] for p in found] == [made.result["id"]]
        assert env.call("findPetsByTags", {"tags": ["no-such-tag"]}).result == []


def test_a_part_of_a_json_text_column_is_proposed_not_the_whole_text() -> None:
    rng = random.Random(1)  # what compiled envs keep as JSON text: a slot's coordinates, a specimen's donor
    assert json_part('{"donorCode": "D-4471", "ageYears": 36}', "donorCode", "string", rng) == "D-4471"
    assert json_part("[10.68, 41.27]", "coordinates", "number", rng) in (10.68, 41.27)
    assert json_part('["L", "Ha"]', "filters", "string", rng) in ("L", "Ha")
    assert json_part('{"ageYears": 36}', "donorCode", "string", rng) is NO_PART
    assert json_part("[1, 2]", "tags", "string", rng) is NO_PART
    assert json_part('[{"id": 3, "name": "calm"}]', "tags", "string", rng) == "calm"  # a tag said by its name
    assert json_part("Not JSON [1]", "note", "string", rng) is NOT_JSON
    assert json_part("[broken", "note", "string", rng) is NOT_JSON


def test_a_nested_number_is_proposed_in_the_range_its_parent_says(tmp_path: Path) -> None:
    biobank = Path(__file__).resolve().parent.parent / "fixtures" / "specs" / "fresh" / "openai_biobank.json"
    module = tmp_path / "biobank.py"  # donor: "Who the specimen came from, age years between 18 and 99."
    module.write_text(render(classify(read_specs([biobank])), [biobank.name]))
    bench = Workbench(str(module), 1)
    try:
        rng = random.Random(5)
        donors = [bench.values.propose(bench.tools["catalogue_specimen"], rng).arguments["donor"] for _ in range(4)]
    finally:
        bench.close()
    assert all(18 <= d["ageYears"] <= 99 and re.fullmatch(r"D-\d{4}", d["donorCode"]) for d in donors)
