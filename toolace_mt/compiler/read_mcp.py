"""MCP `tools/list` results: {"tools": [{"name", "description", "inputSchema", "outputSchema"?}]}."""

from __future__ import annotations

from typing import Any

from toolace_mt.compiler.errors import SpecError
from toolace_mt.compiler.schema_fields import Resolver, params_of, text, to_field
from toolace_mt.compiler.spec_model import SpecSet, ToolIn

MAX_TOOLS = 300


def is_mcp_tool(item: Any) -> bool:
    return isinstance(item, dict) and "inputSchema" in item


def read_mcp(file: str, data: Any, into: SpecSet) -> None:
    if isinstance(data, dict) and isinstance(data.get("result"), dict):
        tools, base = data["result"]["tools"], "/result/tools"
    elif isinstance(data, dict):
        tools, base = data["tools"], "/tools"
    else:
        tools, base = data, ""
    resolver = Resolver(file, data)
    for index, item in enumerate(tools[:MAX_TOOLS]):
        where = f"{base}/{index}"
        if not isinstance(item, dict):
            raise SpecError(file, where, "a tool must be an object")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise SpecError(file, f"{where}/name", "a tool needs a non-empty string 'name'")
        if "inputSchema" not in item:
            raise SpecError(file, where, f"tool {name[:80]!r} has no 'inputSchema'")
        params = params_of(item["inputSchema"], resolver, f"{where}/inputSchema")
        output = None
        if isinstance(item.get("outputSchema"), dict):
            output = to_field(item["outputSchema"], "output", resolver, f"{where}/outputSchema")
        description = text(item.get("description")) or text(item.get("title"))
        into.tools.append(ToolIn(name=name[:80], description=description, params=params, output=output,
                                 source=f"{file}#{where}"))
