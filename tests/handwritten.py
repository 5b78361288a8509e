"""Records written by hand, as a user's own file or another generator would hold them:
no env behind them, every output typed in."""

from __future__ import annotations

import json
from typing import Any

from toolace_mt.record import Record


def synthetic(turns: list[tuple[str, Any]], tools: dict[str, dict[str, Any]], env: str = "nowhere") -> Record:
    """A record from ("user"|"assistant", text) and ("call", name, arguments, output) turns."""
    messages: list[dict[str, Any]] = []
    n = 0
    for turn in turns:
        if turn[0] == "call":
            n += 1
            _, name, arguments, output = turn
            messages.append({"role": "assistant", "content": None, "tool_calls": [
                {"id": f"c{n}", "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}]})
            messages.append({"role": "tool", "tool_call_id": f"c{n}", "content": json.dumps(output)})
        else:
            messages.append({"role": turn[0], "content": turn[1]})
    listed = [{"type": "function", "function": {"name": name, "description": name, "parameters": {
        "type": "object", "properties": properties, "required": []}}} for name, properties in tools.items()]
    return Record(id="synthetic", env=env, env_digest="0" * 64, seed=0, tools=listed, messages=messages)
