"""Reading a spec file and telling which format it is in."""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path
from typing import Any

from toolace_mt.compiler.errors import SpecError
from toolace_mt.compiler.read_bfcl import read_bfcl
from toolace_mt.compiler.read_mcp import is_mcp_tool, read_mcp
from toolace_mt.compiler.read_openai import read_openai
from toolace_mt.compiler.read_openapi import read_openapi
from toolace_mt.compiler.spec_model import SpecSet
from toolace_mt.strict_json import StrictJSONError, finite_float, reject_constant

MAX_BYTES = 20 * 1024 * 1024
MAX_DIGITS = 300  # an integer longer than this is no float either (a `maximum` of 1e400 would overflow)
MAX_NODES = 2_000_000  # distinct values in one parsed document


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise StrictJSONError(f"an integer of {len(text)} digits is out of range (at most {MAX_DIGITS})")
    return int(text)


def _json(text: str) -> Any:
    return json.loads(text, parse_constant=reject_constant, parse_float=finite_float, parse_int=_json_int)


def _load_text(file: str, raw: str) -> tuple[Any, bool]:
    """Parsed content, and whether it was JSON lines."""
    stripped = raw.lstrip()
    if not stripped:
        raise SpecError(file, "line 1", "the file is empty")
    if stripped[0] in "[{":
        try:
            return _json(raw), False
        except json.JSONDecodeError as exc:
            if exc.msg == "Extra data":
                return _json_lines(file, raw), True
            if not file.endswith((".yaml", ".yml")):
                raise SpecError(file, f"line {exc.lineno} column {exc.colno}", f"not valid JSON: {exc.msg}") from None
        except StrictJSONError as exc:
            raise SpecError(file, "/", f"not valid JSON: {exc}") from None
        except RecursionError:
            raise SpecError(file, "/", "the JSON is nested too deeply to read") from None
    data = _yaml(file, raw)
    _check_values(file, data)
    return data, False


def _json_lines(file: str, raw: str) -> list[Any]:
    items = []
    for number, line in enumerate(raw.split("\n"), 1):  # not splitlines: U+2028 may sit in a string
        if not line.strip():
            continue
        try:
            items.append(_json(line))
        except json.JSONDecodeError as exc:
            raise SpecError(file, f"line {number} column {exc.colno}", f"not a JSON object: {exc.msg}") from None
        except StrictJSONError as exc:
            raise SpecError(file, f"line {number}", f"not valid JSON: {exc}") from None
        except RecursionError:
            raise SpecError(file, f"line {number}", "the JSON is nested too deeply to read") from None
    return items


def _yaml(file: str, raw: str) -> Any:
    import yaml  # only YAML specs need it

    try:
        return yaml.safe_load(raw)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        place = f"line {mark.line + 1} column {mark.column + 1}" if mark is not None else "/"
        raise SpecError(file, place, f"neither JSON nor valid YAML: {exc.problem}") from None
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError) as exc:
        # ValueError: an integer past Python's digit limit; RecursionError: nesting
        raise SpecError(file, "/", f"neither JSON nor valid YAML: {type(exc).__name__}: {str(exc)[:200]}") from None


def _check_values(file: str, data: Any) -> None:
    """YAML has `.nan`, `.inf` and integers of any length, which no JSON Schema means and
    which would render as names (`nan`) or overflow. Each distinct node is visited once, so
    an alias bomb (a node shared a billion times) costs only its size in the file."""
    seen: set[int] = set()
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, float) and not math.isfinite(node):
            raise SpecError(file, "/", f"{node} is not a JSON number")
        if isinstance(node, int) and not isinstance(node, bool) and abs(node) >= 10 ** MAX_DIGITS:
            raise SpecError(file, "/", f"an integer of {len(str(node))} digits is out of range (at most {MAX_DIGITS})")
        if isinstance(node, (dict, list, tuple, set)) and id(node) not in seen:  # all held by `data`
            seen.add(id(node))
            if len(seen) > MAX_NODES:
                raise SpecError(file, "/", f"the document holds more than {MAX_NODES} values")
            if isinstance(node, dict):
                stack.extend(node)
                stack.extend(node.values())
            else:
                stack.extend(node)


def _is_bfcl(item: Any) -> bool:
    if not isinstance(item, dict) or "name" not in item:
        return False
    params = item.get("parameters")
    return "response" in item or (isinstance(params, dict) and params.get("type") == "dict")


def detect(file: str, data: Any, json_lines: bool) -> str:
    if isinstance(data, dict):
        if "openapi" in data:
            return "openapi"
        if "swagger" in data:
            raise SpecError(file, "/swagger", "Swagger 2.0 is not supported; convert it to OpenAPI 3.x")
        result = data.get("result")
        if isinstance(result, dict) and isinstance(result.get("tools"), list):
            return "mcp"
        tools = data.get("tools")
        if isinstance(tools, list):
            return "mcp" if any(is_mcp_tool(t) for t in tools) else "openai"
        if "paths" in data:
            raise SpecError(file, "/openapi", "looks like an OpenAPI document but has no 'openapi' version field")
        if _is_bfcl(data):
            return "bfcl"
        raise SpecError(file, "/", "not a tool spec: expected an OpenAI 'tools' list, an MCP tools/list result, "
                                   "an OpenAPI 3.x document or BFCL function docs")
    if isinstance(data, list):
        if not data:
            raise SpecError(file, "/", "the list of tools is empty")
        if json_lines or any(_is_bfcl(t) for t in data):
            return "bfcl"
        if any(is_mcp_tool(t) for t in data):
            return "mcp"
        return "openai"
    raise SpecError(file, "/", f"not a tool spec: the top level is a {type(data).__name__}")


def _read_text(file: str, path: Path) -> str:
    """The file's text, if it is a regular file of at most MAX_BYTES of UTF-8. A directory,
    device or FIFO is refused before it is opened (/dev/zero would never end, a FIFO would
    block), and no more than MAX_BYTES + 1 bytes are read whatever the size says (/proc)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError) as exc:
        raise SpecError(file, "/", f"cannot read the file: {getattr(exc, 'strerror', None) or exc}") from None
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "a device, FIFO or socket"
        raise SpecError(file, "/", f"not a regular file ({kind}); give a spec file")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SpecError(file, "/", f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise SpecError(file, "/", f"the file is over {MAX_BYTES} bytes; larger specs are refused")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(file, "/", f"not UTF-8 text: byte {data[exc.start]:#04x} at offset {exc.start}") from None


def read_spec(path: Path, into: SpecSet) -> str:
    """Read one spec file into `into`; returns the format name."""
    file = str(path)
    data, json_lines = _load_text(file, _read_text(file, path))
    kind = detect(file, data, json_lines)
    if kind == "openapi":
        read_openapi(file, data, into)
    elif kind == "mcp":
        read_mcp(file, data, into)
    elif kind == "bfcl":
        read_bfcl(file, data if isinstance(data, list) else [data], json_lines, into)
    else:
        read_openai(file, data, into)
    into.formats.append(kind)
    return kind
