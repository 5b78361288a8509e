"""BFCL function docs: JSON lines of {"name", "description", "parameters" ("type": "dict"), "response"}.

BFCL descriptions start with a sentence about the whole API ("This tool belongs to ...
Tool description: ..."); the API part goes to the module docstring.
"""

from __future__ import annotations

import re
from typing import Any

from toolace_mt.compiler.errors import SpecError
from toolace_mt.compiler.schema_fields import Resolver, params_of, text, to_field
from toolace_mt.compiler.spec_model import SpecSet, ToolIn

MAX_TOOLS = 300
_SPLIT = re.compile(r"^(.*?)\s*Tool description:\s*(.*)$", re.DOTALL)


def read_bfcl(file: str, items: list[Any], json_lines: bool, into: SpecSet) -> None:
    for index, item in enumerate(items[:MAX_TOOLS]):
        where = f"line {index + 1}" if json_lines else f"/{index}"
        if not isinstance(item, dict):
            raise SpecError(file, where, "a function doc must be a JSON object")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise SpecError(file, where, "a function doc needs a non-empty string 'name'")
        resolver = Resolver(file, item)
        description = text(item.get("description"))
        match = _SPLIT.match(description)
        if match:
            api, description = match.group(1).strip(), match.group(2).strip()
            if api and api not in into.titles:
                into.titles.append(api)
        params = params_of(item.get("parameters"), resolver, f"{where} /parameters")
        output = None
        if isinstance(item.get("response"), dict):
            output = to_field(item["response"], "output", resolver, f"{where} /response")
        into.tools.append(ToolIn(name=name[:80], description=description, params=params, output=output,
                                 source=f"{file}:{where}"))
