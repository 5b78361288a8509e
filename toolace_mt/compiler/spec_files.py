"""Reading a spec file and telling which format it is in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from toolace_mt.compiler.errors import SpecError
from toolace_mt.compiler.read_bfcl import read_bfcl
from toolace_mt.compiler.read_mcp import is_mcp_tool, read_mcp
from toolace_mt.compiler.read_openai import read_openai
from toolace_mt.compiler.read_openapi import read_openapi
from toolace_mt.compiler.spec_model import SpecSet

MAX_BYTES = 20 * 1024 * 1024


def _load_text(file: str, raw: str) -> tuple[Any, bool]:
    """Parsed content, and whether it was JSON lines."""
    stripped = raw.lstrip()
    if not stripped:
        raise SpecError(file, "line 1", "the file is empty")
    if stripped[0] in "[{":
        try:
            return json.loads(raw), False
        except json.JSONDecodeError as exc:
            if exc.msg == "Extra data":
                return _json_lines(file, raw), True
            if not file.endswith((".yaml", ".yml")):
                raise SpecError(file, f"line {exc.lineno} column {exc.colno}", f"not valid JSON: {exc.msg}") from None
        except RecursionError:
            raise SpecError(file, "/", "the JSON is nested too deeply to read") from None
    return _yaml(file, raw), False


def _json_lines(file: str, raw: str) -> list[Any]:
    items = []
    for number, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise SpecError(file, f"line {number} column {exc.colno}", f"not a JSON object: {exc.msg}") from None
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
    except (yaml.YAMLError, RecursionError) as exc:
        raise SpecError(file, "/", f"neither JSON nor valid YAML: {str(exc)[:200]}") from None


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


def read_spec(path: Path, into: SpecSet) -> str:
    """Read one spec file into `into`; returns the format name."""
    file = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SpecError(file, "/", f"cannot read the file: {exc.strerror or exc}") from None
    if size > MAX_BYTES:
        raise SpecError(file, "/", f"the file is {size} bytes; specs above {MAX_BYTES} bytes are refused")
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(file, "/", f"cannot read the file as UTF-8 text: {exc}") from None
    data, json_lines = _load_text(file, raw)
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
