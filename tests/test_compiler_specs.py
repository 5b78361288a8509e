"""`envs compile`, the fast part: reading specs in every format, errors that name the file
and the place, hostile specs, and modules that compile under the sandbox's rules.

Compiling and probing in the sandbox takes seconds per spec: see test_compiler_compile.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox.restricted import compile_env
from toolace_mt.compiler.classify import classify
from toolace_mt.compiler.compile import read_specs
from toolace_mt.compiler.errors import SpecError
from toolace_mt.compiler.render import render

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "fixtures" / "specs"


def _write(tmp_path: Path, name: str, content: object) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def _tool(name: str, properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "function", "function": {"name": name, "description": f"Tool {name}.", "parameters": {
        "type": "object", "properties": properties, "required": required or []}}}


def _compiled(paths: list[Path]) -> tuple[str, object]:
    plan = classify(read_specs(paths))
    source = render(plan, [p.name for p in paths])
    compile_env(source, "compiled_env.py")  # RestrictedPython: raises SyntaxError on a rule it breaks
    return source, plan


# ---------------------------------------------------------------------------- formats


@pytest.mark.parametrize(("name", "fmt", "count"), [
    ("bfcl/ticket_api.json", "bfcl", 9), ("bfcl/message_api.json", "bfcl", 10),
    ("bfcl/trading_bot.json", "bfcl", 20), ("bfcl/vehicle_control.json", "bfcl", 22),
    ("openai_shop.json", "openai", 10), ("mcp_notes.json", "mcp", 9),
    ("openapi_clinic.yaml", "openapi", 9), ("openapi_library.json", "openapi", 6),
    ("mcp_issues.json", "mcp", 9), ("openai_travel.json", "openai", 5),
    ("fresh/openapi_warehouse.yaml", "openapi", 9), ("fresh/mcp_gym.json", "mcp", 9),
    ("fresh/openapi_hotel.json", "openapi", 11), ("fresh/mcp_kanban.json", "mcp", 11),
    ("fresh/openai_food.json", "openai", 10), ("fresh/bfcl_smart_home.json", "bfcl", 10),
])
def test_each_fixture_is_detected_and_compiles_under_the_sandbox_rules(name: str, fmt: str, count: int) -> None:
    specs = read_specs([SPECS / name])
    assert specs.formats == [fmt] and len(specs.tools) == count
    source, plan = _compiled([SPECS / name])
    assert f"# Compiled by `toolace-mt envs compile` from: {Path(name).name}" in source
    for tool in plan.tools:  # the header lists every tool with its kind
        assert f"#   {tool.ident}" in source and f"def {tool.ident}(db: Db" in source


def test_openai_list_and_object_forms_read_the_same(tmp_path: Path) -> None:
    tools = [_tool("get_order", {"order_id": {"type": "string", "description": "The order."}}, ["order_id"])]
    listed = read_specs([_write(tmp_path, "a.json", tools)])
    wrapped = read_specs([_write(tmp_path, "b.json", {"tools": tools})])
    assert [t.name for t in listed.tools] == [t.name for t in wrapped.tools] == ["get_order"]
    assert listed.tools[0].params[0].name == "order_id" and listed.tools[0].params[0].required


def test_mcp_reads_input_and_output_schemas(tmp_path: Path) -> None:
    spec = {"tools": [{"name": "get_note", "description": "Read a note.",
                       "inputSchema": {"type": "object", "properties": {"noteId": {"type": "string"}},
                                       "required": ["noteId"]},
                       "outputSchema": {"type": "object", "properties": {"title": {"type": "string"}}}}]}
    tool = read_specs([_write(tmp_path, "mcp.json", spec)]).tools[0]
    assert [p.name for p in tool.params] == ["noteId"] and tool.output.prop("title").type == "string"


def test_openapi_operations_take_path_query_and_body_parameters() -> None:
    specs = read_specs([SPECS / "openapi_clinic.yaml"])
    tools = {t.name: t for t in specs.tools}
    assert {p.name for p in tools["addPet"].params} == {"name", "species", "ownerId", "birthDate"}
    assert [p.name for p in tools["getPet"].params] == ["petId"] and tools["getPet"].params[0].required
    assert {p.name for p in tools["listOwners"].output.items.properties} >= {"id", "firstName", "pets"}  # allOf
    assert tools["cancelAppointment"].method == "post" and tools["cancelAppointment"].path.endswith("/cancel")


def test_bfcl_enums_in_descriptions_become_literals() -> None:
    source, _ = _compiled([SPECS / "bfcl" / "vehicle_control.json"])
    assert "def setHeadlights(db: Db, mode: Literal['on', 'off', 'auto']) -> Any:" in source
    assert '"""This tool belongs to the vehicle control system' in source  # the API sentence: the docstring


# ---------------------------------------------------------------------------- unreadable specs


@pytest.mark.parametrize(("content", "place", "message"), [
    ('{"tools": [1, 2', "line 1 column 16", "not valid JSON"),
    ("", "line 1", "the file is empty"),
    ('"just a string"', "/", "the top level is a str"),
    ({"swagger": "2.0", "paths": {}}, "/swagger", "Swagger 2.0 is not supported"),
    ({"openapi": "2.5", "paths": {}}, "/openapi", "only OpenAPI 3.x"),
    ({"openapi": "3.0.0", "paths": {}}, "/paths", "no operations"),
    ({"tools": [_tool("ok", {}), {"type": "function", "function": {"description": "x"}}]}, "/tools/1/function/name",
     "non-empty string 'name'"),
    ({"tools": [{"name": "t", "description": "x"}, {"name": "u", "inputSchema": {}}]}, "/tools/0",
     "has no 'inputSchema'"),
    ({"tools": [{"type": "function", "function": {"name": "t", "parameters": {"$ref": "#/nowhere"}}}]},
     "/tools/0/function/parameters", "$ref '#/nowhere' points to nothing"),
    ({"tools": [{"type": "function", "function": {"name": "t", "parameters": [1]}}]},
     "/tools/0/function/parameters", "must be an object"),
    ({"something": "else"}, "/", "not a tool spec"),
])
def test_an_unreadable_spec_names_the_file_and_the_place(tmp_path: Path, content: object, place: str,
                                                         message: str) -> None:
    path = _write(tmp_path, "spec.json", content)
    with pytest.raises(SpecError) as caught:
        read_specs([path])
    assert caught.value.file == str(path) and caught.value.place == place
    assert message in caught.value.message and str(caught.value).startswith(f"{path}: {place}: ")


def test_bad_json_lines_and_bad_yaml_give_their_line(tmp_path: Path) -> None:
    good = json.dumps({"name": "a", "description": "x", "parameters": {"type": "dict", "properties": {}}})
    path = _write(tmp_path, "funcs.json", f"{good}\n{good}\n{{\"name\": oops}}\n")
    with pytest.raises(SpecError) as caught:
        read_specs([path])
    assert caught.value.place == "line 3 column 10" and "not a JSON object" in caught.value.message
    path = _write(tmp_path, "api.yaml", "openapi: 3.0.0\npaths:\n  /a:\n    get: [unclosed\n")
    with pytest.raises(SpecError) as caught:
        read_specs([path])
    assert caught.value.place.startswith("line 5") and "neither JSON nor valid YAML" in caught.value.message


def test_a_missing_or_binary_file_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read the file"):
        read_specs([tmp_path / "nope.json"])
    binary = tmp_path / "blob.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SpecError, match="UTF-8"):
        read_specs([binary])


# ---------------------------------------------------------------------------- hostile specs


def test_deep_nesting_and_ref_cycles_do_not_crash(tmp_path: Path) -> None:
    deep: dict = {"type": "string"}
    for _ in range(300):
        deep = {"type": "object", "properties": {"x": deep}}
    cyclic = {"openapi": "3.0.0", "paths": {"/nodes/{nodeId}": {"get": {
        "operationId": "getNode", "parameters": [{"name": "nodeId", "in": "path", "schema": {"type": "string"}}],
        "responses": {"200": {"description": "n", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Node"}}}}}}}},
        "components": {"schemas": {"Node": {"type": "object", "properties": {
            "id": {"type": "string"}, "parent": {"$ref": "#/components/schemas/Node"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}}}}
    paths = [_write(tmp_path, "deep.json", [_tool("deep_tool", {"payload": deep})]),
             _write(tmp_path, "cyclic.json", cyclic)]
    _, plan = _compiled(paths)
    assert [t.ident for t in plan.tools] == ["deep_tool", "getNode"]
    too_deep = "[" * 100000 + "]" * 100000
    with pytest.raises(SpecError, match="nested too deeply"):
        read_specs([_write(tmp_path, "bomb.json", too_deep)])


def test_weird_names_become_safe_unique_identifiers(tmp_path: Path) -> None:
    spec = [
        _tool("class", {"from": {"type": "string", "description": "d"}, "_secret": {"type": "integer"},
                        "MA(5)": {"type": "number"}, "db": {"type": "string"}}, ["from", "_secret", "MA(5)", "db"]),
        _tool("my-tool", {"1st": {"type": "string"}}, ["1st"]),
        _tool("my_tool", {}),
        _tool("__init__", {"lambda": {"type": "boolean"}}, ["lambda"]),
        _tool("get_order", {"order_id": {"type": "string"}}, ["order_id"]),
        _tool("get_order", {"order_id": {"type": "string"}}, ["order_id"]),
    ]
    source, plan = _compiled([_write(tmp_path, "weird.json", spec)])
    idents = [t.ident for t in plan.tools]
    assert idents == ["class_value", "my_tool", "my_tool_2", "init", "get_order", "get_order_2"]
    params = [p.ident for p in plan.tools[0].params]
    assert params == ["from_value", "secret", "MA_5", "db_value"]
    assert "review: renamed from 'class'" in source and "review: parameter '_secret' is 'secret' here" in source
    assert not any(name.startswith("_") for name in idents + params)


def test_many_tools_and_huge_descriptions_are_capped(tmp_path: Path) -> None:
    tools = [_tool(f"get_thing_{i}", {"thing_id": {"type": "string", "description": "x" * 50000}}, ["thing_id"])
             for i in range(400)]
    specs = read_specs([_write(tmp_path, "many.json", tools)])
    assert len(specs.tools) == 300 and len(specs.tools[0].params[0].description) == 2000


def test_a_yaml_alias_bomb_stays_small(tmp_path: Path) -> None:
    # 12 levels of 9 aliases each: 9**11 schema nodes if expanded; the field budget stops it.
    lines = ["openapi: 3.0.0", "x-defs:", "  l0: &l0 {type: object, properties: {a: {type: string}}}"]
    for i in range(1, 12):
        refs = ", ".join(f"p{j}: *l{i - 1}" for j in range(9))
        lines.append(f"  l{i}: &l{i} {{type: object, properties: {{{refs}}}}}")
    lines += ["paths:", "  /a:", "    get:", "      operationId: getA", "      responses:", "        '200':",
              "          description: ok", "          content:", "            application/json:",
              "              schema: *l11"]
    specs = read_specs([_write(tmp_path, "bomb.yaml", "\n".join(lines))])
    assert [t.name for t in specs.tools] == ["getA"]
    assert _count(specs.tools[0].output) < 21000  # the budget (20000 fields) and the leaves left open


def _count(field: object) -> int:
    if field is None:
        return 0
    return 1 + _count(field.items) + sum(_count(p) for p in field.properties)
