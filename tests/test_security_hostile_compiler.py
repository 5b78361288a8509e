"""Red team, round 2: hostile spec text must never become code in a compiled env module,
and a hostile spec file must fail with a SpecError naming the problem.

The injection probes render the module (no sandbox run) and look at its tokens: no name
that the spec smuggled in (written in full-width letters, which Python reads as ASCII
names) may appear as code, and the module must parse and pass the sandbox's compile.
"""

from __future__ import annotations

import ast
import io
import json
import os
import socket
import subprocess
import sys
import threading
import tokenize
import unicodedata
from pathlib import Path

import pytest

from sandbox.restricted import compile_env
from toolace_mt.compiler.classify import classify
from toolace_mt.compiler.compile import read_specs
from toolace_mt.compiler.errors import SpecError
from toolace_mt.compiler.names import human
from toolace_mt.compiler.render import clean, render

MARK = "ＩＮＪＥＣＴＥＤ"  # full-width: Python reads it as the name INJECTED; names.words() sees no letters


def _code_names(source: str) -> set[str]:
    """The names the module uses as code (not in strings or comments), as Python reads them."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {unicodedata.normalize("NFKC", t.string) for t in tokens if t.type == tokenize.NAME}


def _render(tmp_path: Path, spec: object, name: str = "spec.json") -> str:
    path = tmp_path / name
    path.write_text(spec if isinstance(spec, str) else json.dumps(spec), encoding="utf-8")
    source = render(classify(read_specs([path])), [path.name])
    source.encode("utf-8")  # a lone surrogate would fail here, and the module could not be written
    compile_env(source, "compiled_env.py")  # parses, and breaks no sandbox rule
    return source


def _spec(name: str = "get_order", param: str = "order_id", description: str = "Gets an order.",
          extra: dict | None = None) -> list[dict]:
    properties = {param: {"type": "string"}, "order_id": {"type": "string", "description": "The order."},
                  **(extra or {})}
    return [{"type": "function", "function": {"name": name, "description": description, "parameters": {
        "type": "object", "properties": properties, "required": [param, "order_id"]}}},
        {"type": "function", "function": {"name": "get_order_status", "description": "Gets an order's status.",
                                          "parameters": {"type": "object", "properties": {
                                              "order_id": {"type": "string"}}, "required": ["order_id"]}}}]


# -------------------------------------------------------------- names that are code

# Names with no ASCII letter or digit: before round 2, human() returned such a name as it
# was, into docstrings, messages and f-strings of the module.
CODE_NAMES = [
    f'"""\n    {MARK}()\n    """',  # closes the tool's docstring, runs a statement in the tool
    f"'+{MARK}()+'",  # inside a '...' message literal
    f'"+{MARK}()+"',
    f"'}}+{MARK}()+{{'",  # inside an f-string
    f"\n{MARK}()\n",  # a line of its own: module level
    f"\u2028{MARK}()\u2028",
    f"\\\n{MARK}()",  # a line continuation
]


@pytest.mark.parametrize("name", CODE_NAMES)
def test_a_parameter_name_made_of_quotes_and_fullwidth_letters_stays_text(tmp_path: Path, name: str) -> None:
    source = _render(tmp_path, _spec(param=name, extra={"amount": {"type": "integer", "minimum": 1, "maximum": 5}}))
    assert "INJECTED" not in _code_names(source)
    assert MARK not in source.split('TABLES = """')[1]  # not even as text in the code after the header


@pytest.mark.parametrize("name", CODE_NAMES)
def test_a_tool_name_made_of_quotes_and_fullwidth_letters_stays_text(tmp_path: Path, name: str) -> None:
    source = _render(tmp_path, _spec(name=name))
    assert "INJECTED" not in _code_names(source)


def test_a_bounded_parameter_without_letters_gets_a_plain_label_in_its_message(tmp_path: Path) -> None:
    source = _render(tmp_path, _spec(extra={"'": {"type": "integer", "minimum": 1, "maximum": 5}}))
    assert "the value must be between 1 and 5" in source  # the label of a name with no words
    assert human("'") == "value" and human(f"{MARK}()") == "value" and human("fanSpeed") == "fan speed"


@pytest.mark.parametrize("text", [
    f'x"""\n{MARK}()\n"""', f"x'''\n{MARK}()\n'''", f"x\\\n{MARK}()", f"a\r{MARK}()", f"a\x0c{MARK}()",
    f"a\x0b{MARK}()", f"a\x85{MARK}()", f"a\u2028{MARK}()", f"a\u2029{MARK}()", "a\x00b", "a\ud800b", 'ends in "',
    '""""', "\\N{LATIN SMALL LETTER A}", "{0.__class__}",
])
def test_descriptions_defaults_enums_and_examples_stay_text(tmp_path: Path, text: str) -> None:
    extra = {"note": {"type": "string", "description": text, "default": text},
             "kind": {"type": "string", "enum": [text, "plain"], "description": text},
             "ref": {"type": "string", "examples": [text, "R-1"]},
             "shape": {"type": "object", "description": text, "properties": {"a": {"type": "string",
                                                                                   "description": text}}}}
    spec = _spec(description=text, extra=extra)
    spec[0]["function"]["parameters"]["description"] = text
    source = _render(tmp_path, spec)
    assert "INJECTED" not in _code_names(source)
    assert "\x00" not in source and "\u2028" not in source and "\x85" not in source and "\r" not in source


@pytest.mark.parametrize("text", ["a\nb", "a\r\nb", "a\u2028b", "a\x00b", 'a"""b', "a\\", "a\ud800b", "a\x1cb"])
def test_clean_gives_one_line_without_backslash_or_triple_quote(text: str) -> None:
    cleaned = clean(text)
    assert cleaned.isprintable() and "\\" not in cleaned and '"""' not in cleaned
    cleaned.encode("utf-8")


def test_a_spec_file_name_with_a_line_break_stays_in_the_header_comment(tmp_path: Path) -> None:
    path = tmp_path / f"tools\n{MARK}()\n#.json"
    path.write_text(json.dumps(_spec()), encoding="utf-8")
    source = render(classify(read_specs([path])), [path.name])
    compile_env(source, "compiled_env.py")
    assert "INJECTED" not in _code_names(source)
    assert source.startswith(f"# Compiled by `toolace-mt envs compile` from: tools {MARK}() #.json\n")


def test_a_status_value_with_a_line_break_stays_in_the_header_comment(tmp_path: Path) -> None:
    spec = [{"type": "function", "function": {"name": "lock_door", "description": "Locks the door.", "parameters": {
        "type": "object", "properties": {"door_id": {"type": "string"}, "status": {
            "type": "string", "enum": [f"lock\n{MARK}()\n#", "open"]}}, "required": ["door_id"]}}},
        {"type": "function", "function": {"name": "get_door", "description": "Gets a door.", "parameters": {
            "type": "object", "properties": {"door_id": {"type": "string"}}, "required": ["door_id"]}}}]
    source = _render(tmp_path, spec)
    assert "INJECTED" not in _code_names(source)


# -------------------------------------------------------------- numbers JSON has not

@pytest.mark.parametrize(("text", "message"), [
    ('{"type": "number", "default": NaN}', "NaN is not a JSON number"),
    ('{"type": "number", "maximum": Infinity}', "Infinity is not a JSON number"),
    ('{"type": "number", "minimum": -Infinity}', "-Infinity is not a JSON number"),
    ('{"type": "number", "maximum": 1e400}', "the number 1e400 is out of range"),
    ('{"type": "integer", "maximum": ' + "9" * 5000 + "}", "an integer of 5000 digits is out of range"),
    ('{"type": "integer", "maximum": ' + "9" * 400 + "}", "an integer of 400 digits is out of range"),
])
def test_numbers_json_does_not_have_fail_as_a_spec_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "spec.json"
    path.write_text('[{"type": "function", "function": {"name": "get_item", "parameters": {"type": "object", '
                    '"properties": {"item_id": ' + text + "}}}}]")
    with pytest.raises(SpecError, match="not valid JSON") as caught:
        read_specs([path])
    assert message in str(caught.value) and caught.value.file == str(path)


@pytest.mark.parametrize(("value", "message"), [
    (".nan", "nan is not a JSON number"), (".inf", "inf is not a JSON number"),
    ("-.inf", "-inf is not a JSON number"), ("9" * 400, "an integer of 400 digits is out of range"),
    ("9" * 5000, "neither JSON nor valid YAML: ValueError"),
])
def test_yaml_numbers_json_does_not_have_fail_as_a_spec_error(tmp_path: Path, value: str, message: str) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("openapi: '3.0.0'\npaths:\n  /items/{id}:\n    get:\n      parameters:\n"
                    f"        - {{name: id, in: path, schema: {{type: number, maximum: {value}}}}}\n")
    with pytest.raises(SpecError) as caught:
        read_specs([path])
    assert message in str(caught.value)


def test_a_json_lines_spec_may_hold_a_line_separator_inside_a_string(tmp_path: Path) -> None:
    lines = [{"name": "get_item", "description": "Gets\u2028an item.", "parameters": {"type": "dict", "properties": {
        "item_id": {"type": "string"}}, "required": ["item_id"]}},
             {"name": "list_items", "description": "Lists\x85items.", "parameters": {"type": "dict",
                                                                                      "properties": {}}}]
    path = tmp_path / "api.json"
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    specs = read_specs([path])
    assert [t.name for t in specs.tools] == ["get_item", "list_items"]


# -------------------------------------------------------------- files that are no spec

def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"not a regular file \(a directory\)"):
        read_specs([tmp_path])


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_device_is_refused_before_it_is_read() -> None:
    with pytest.raises(SpecError, match=r"not a regular file \(a device, FIFO or socket\)"):
        read_specs([Path("/dev/zero")])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_blocking_on_open(tmp_path: Path) -> None:
    fifo = tmp_path / "spec.json"
    os.mkfifo(fifo)
    with pytest.raises(SpecError, match="a device, FIFO or socket"):
        read_specs([fifo])


def test_a_file_not_in_utf8_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_bytes(b'[{"type": "function", "function": {"name": "get_\xe9"}}]')
    with pytest.raises(SpecError, match="not UTF-8 text: byte 0xe9 at offset 48"):
        read_specs([path])


def test_a_utf8_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_spec()).encode())
    assert [t.name for t in read_specs([path]).tools] == ["get_order", "get_order_status"]


def test_a_yaml_alias_bomb_is_read_in_the_size_of_the_file(tmp_path: Path) -> None:
    text = "openapi: '3.0.0'\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for level in range(1, 10):  # 9 ** 10 strings once expanded
        text += f"x{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]\n"
    text += ("paths:\n  /items/{id}:\n    get:\n      parameters:\n        - {name: id, in: path, schema: "
             "{type: string, enum: *a9, examples: *a9, default: *a9}}\n")
    source = _render(tmp_path, text, "spec.yaml")
    assert len(source) < 20_000


def test_a_remote_ref_is_refused_and_never_fetched(tmp_path: Path) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.5)
    port = server.getsockname()[1]
    spec = {"openapi": "3.0.0", "paths": {"/x": {"get": {"parameters": [
        {"$ref": f"http://127.0.0.1:{port}/spec.json#/p"}]}}}}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    connected: list[object] = []

    def accept() -> None:
        try:
            connected.append(server.accept())
        except OSError:
            pass

    waiter = threading.Thread(target=accept)
    waiter.start()
    with pytest.raises(SpecError, match=r"only local \$refs"):
        read_specs([path])
    waiter.join()
    server.close()
    assert connected == []


def test_the_command_line_refuses_a_device_with_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "env.py"
    spec = tmp_path / "spec.json"
    spec.write_text('[{"type": "function", "function": {"name": "get_item", "parameters": {"type": "object", '
                    '"properties": {"item_id": {"type": "number", "default": NaN}}}}}]')
    done = subprocess.run([sys.executable, "-m", "toolace_mt", "envs", "compile", str(spec), "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "NaN is not a JSON number" in done.stderr
    assert "Traceback" not in done.stderr and not out.exists()


# -------------------------------------------------------------- names the module already uses

def _module_level_names(source: str) -> list[str]:
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


def _order_tools(extra: str) -> list[dict]:
    def tool(name: str, description: str, params: list[str]) -> dict:
        return {"type": "function", "function": {"name": name, "description": description, "parameters": {
            "type": "object", "properties": {p: {"type": "string"} for p in params}, "required": params}}}

    return [tool("get_order", "Gets an order.", ["order_id"]), tool("cancel_order", "Cancels an order.", ["order_id"]),
            tool("create_order", "Creates an order.", ["customer_id", "item"]),
            tool(extra, "Gets an order by id.", ["order_id"])]


@pytest.mark.parametrize("name", ["distinct", "decoded", "matches_type", "current_user", "FINAL_STATUSES",
                                  "START_LOGGED_IN"])
def test_a_tool_named_like_a_helper_of_the_module_does_not_replace_it(tmp_path: Path, name: str) -> None:
    source = _render(tmp_path, _order_tools(name))
    names = _module_level_names(source)
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    assert f"def {name}_value(db: Db" in source


@pytest.mark.parametrize("name", ["load_order", "next_order_id"])
def test_a_tool_named_like_an_entity_helper_does_not_replace_it(tmp_path: Path, name: str) -> None:
    source = _render(tmp_path, _order_tools(name))
    names = _module_level_names(source)
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    assert f"def {name}_tool(db: Db" in source


@pytest.mark.parametrize("name", CODE_NAMES)
def test_a_record_field_name_made_of_quotes_and_fullwidth_letters_stays_text(tmp_path: Path, name: str) -> None:
    record = {"type": "object", "properties": {name: {"type": "string"}, "email": {"type": "string"}},
              "required": [name, "email"]}
    spec = [{"type": "function", "function": {"name": "create_contact", "description": "Creates a contact.",
                                              "parameters": {"type": "object", "properties": {"contact": record},
                                                             "required": ["contact"]}}},
            {"type": "function", "function": {"name": "get_contact", "description": "Gets a contact.",
                                              "parameters": {"type": "object", "properties": {
                                                  "contact_id": {"type": "string"}}, "required": ["contact_id"]}}}]
    source = _render(tmp_path, spec)
    assert "INJECTED" not in _code_names(source)
    assert "contact.get('email')" in source  # the record is unpacked: the rule ran on this spec
