"""OpenAI `tools`: a list (or {"tools": [...]}) of {"type": "function", "function": {...}}."""

from __future__ import annotations

from typing import Any

from toolace_mt.compiler.errors import SpecError
from toolace_mt.compiler.schema_fields import Resolver, params_of, text
from toolace_mt.compiler.spec_model import SpecSet, ToolIn

MAX_TOOLS = 300


def read_openai(file: str, data: Any, into: SpecSet) -> None:
    tools, base = (data["tools"], "/tools") if isinstance(data, dict) else (data, "")
    resolver = Resolver(file, data)
    for index, item in enumerate(tools[:MAX_TOOLS]):
        where = f"{base}/{index}"
        if not isinstance(item, dict):
            raise SpecError(file, where, "a tool must be an object")
        function = item.get("function", item)
        if "function" in item:
            where += "/function"
        if not isinstance(function, dict):
            raise SpecError(file, where, "'function' must be an object")
        name = function.get("name")
        if not isinstance(name, str) or not name.strip():
            raise SpecError(file, f"{where}/name", "a tool needs a non-empty string 'name'")
        params = params_of(function.get("parameters"), resolver, f"{where}/parameters")
        into.tools.append(ToolIn(name=name[:80], description=text(function.get("description")), params=params,
                                 output=None, source=f"{file}#{where}"))
