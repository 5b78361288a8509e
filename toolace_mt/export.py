"""`toolace-mt export`: dialogue records to the formats fine-tuning tools read.

One output line per exported record, streamed (records are read and written one at a
time). A record is exported only when it is well-formed (the verifier's `format` check
passes), has not failed verification, and the target format can hold it; otherwise it
is skipped with a warning naming its file:line. The formats are documented in README
"Statistics and export":

- `openai`: `{"messages", "tools"}`, the chat fine-tuning format with tools, messages
  exactly as in the record.
- `sharegpt`: LLaMA-Factory's ShareGPT variant with function calls.
- `toolace`: the format of ToolACE's public data (Team-ACE/ToolACE `data.json`).
- `hf`: a Hugging Face dataset directory (Parquet + dataset card), in toolace_mt.hf_export.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TextIO

from toolace_mt.jsonl import BadLine, read_records
from toolace_mt.record import AssistantMessage, Record, SystemMessage, ToolMessage, UserMessage
from toolace_mt.terminal_text import shown
from toolace_mt.verifier.dialogue import Dialogue
from toolace_mt.verifier.format_check import check_format

EXIT_OK, EXIT_SKIPPED, EXIT_USAGE = 0, 1, 2


class ExportError(ValueError):
    """The record cannot be written in the target format (the message says why)."""


@dataclass(frozen=True)
class Turn:
    """A record's messages regrouped: an assistant turn with calls carries its outputs,
    in call order, whatever order the tool messages came in."""

    role: str  # system | user | assistant | calls
    text: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    outputs: list[Any] = field(default_factory=list)  # parsed JSON (a string when not JSON)


def _parse_output(content: str) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return content


def turns(record: Record) -> Iterator[Turn]:
    """The record's turns; expects a record that passes the `format` check."""
    messages = record.messages
    index = 0
    while index < len(messages):
        message = messages[index]
        index += 1
        if isinstance(message, SystemMessage):
            yield Turn("system", message.content)
        elif isinstance(message, UserMessage):
            yield Turn("user", message.content)
        elif isinstance(message, AssistantMessage) and message.tool_calls:
            answers: dict[str, str] = {}
            while index < len(messages) and isinstance(messages[index], ToolMessage):
                answer = messages[index]
                assert isinstance(answer, ToolMessage)
                answers[answer.tool_call_id] = answer.content
                index += 1
            calls = []
            for call in message.tool_calls:
                arguments = call.parsed_arguments()
                if arguments is None:
                    raise ExportError(f"call {call.id} ({call.function.name}): arguments are not a JSON object")
                calls.append((call.function.name, arguments))
            missing = [c.id for c in message.tool_calls if c.id not in answers]
            if missing:
                raise ExportError(f"call(s) {', '.join(missing)} have no tool message right after their turn")
            yield Turn("calls", calls=calls, outputs=[_parse_output(answers[c.id]) for c in message.tool_calls])
        elif isinstance(message, AssistantMessage):
            yield Turn("assistant", message.content or "")
        else:  # a tool message not right after its calls: `format` rejects these first
            raise ExportError(f"tool message {index - 1} does not follow the turn that made its call")


def bare_functions(record: Record) -> list[dict[str, Any]]:
    """The tools as plain function objects ({name, description, parameters}), without
    OpenAI's {"type": "function", "function": ...} wrapper."""
    return [t["function"] if t.get("type") == "function" and isinstance(t.get("function"), dict) else t
            for t in record.tools]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# --- openai ---------------------------------------------------------------------------

def to_openai(record: Record) -> dict[str, Any]:
    """OpenAI chat fine-tuning with tools: the record's messages as they are."""
    return {"messages": json.loads(record.to_json())["messages"], "tools": record.tools}


# --- sharegpt -------------------------------------------------------------------------
# Followed: LLaMA-Factory data/README.md ("Sharegpt Format": `conversations` of
# {"from", "value"}, tags human/gpt/function_call/observation/system, `tools` a string;
# human and observation at odd positions, gpt and function_call at even ones) and its
# src/llamafactory/data/converter.py (SharegptDatasetConverter: a first `system` turn
# becomes the system prompt; an odd number of turns or a misplaced tag drops the
# example) and formatter.py (FunctionFormatter: a function_call value is JSON
# {"name", "arguments": {object}}, or a JSON list of those for parallel calls).

_SHAREGPT_ODD, _SHAREGPT_EVEN = ("human", "observation"), ("gpt", "function_call")


def _call_object(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "arguments": arguments}


def to_sharegpt(record: Record) -> dict[str, Any]:
    conversations: list[dict[str, str]] = []
    for turn in turns(record):
        if turn.role == "system":
            conversations.append({"from": "system", "value": turn.text})
        elif turn.role == "user":
            conversations.append({"from": "human", "value": turn.text})
        elif turn.role == "assistant":
            conversations.append({"from": "gpt", "value": turn.text})
        else:
            calls = [_call_object(name, args) for name, args in turn.calls]
            conversations.append({"from": "function_call", "value": _dumps(calls[0] if len(calls) == 1 else calls)})
            outputs = turn.outputs
            conversations.append({"from": "observation", "value": _dumps(outputs[0] if len(outputs) == 1 else outputs)})
    body = conversations[1:] if conversations and conversations[0]["from"] == "system" else conversations
    for position, item in enumerate(body):
        allowed = _SHAREGPT_ODD if position % 2 == 0 else _SHAREGPT_EVEN
        if item["from"] not in allowed:
            raise ExportError(f"sharegpt needs {' or '.join(allowed)} at turn {position + 1} (after the system "
                              f"turn), got {item['from']}: user and assistant turns must alternate")
    if len(body) % 2:
        raise ExportError("sharegpt needs an even number of turns (ending with an assistant turn)")
    return {"conversations": conversations, "tools": _dumps(bare_functions(record))}


# --- toolace --------------------------------------------------------------------------
# Followed: the system prompt of ToolACE's public data (Team-ACE/ToolACE on Hugging
# Face, data.json: {"system", "conversations": [{"from": user|assistant|tool, "value"}]},
# the tool list as JSON after "Here is a list of functions in JSON format that you can
# invoke:"), the call syntax it and BFCL use, `[func1(params_name=params_value), func2()]`,
# and method.md's description of tool turns, `[{"name": ..., "results": {...}}]`. The
# record's own system prompt follows the ToolACE text, as ToolACE-8B's BFCL handler does.

TOOLACE_SYSTEM = (
    "You are an expert in composing functions. You are given a question and a set of possible functions. "
    "Based on the question, you will need to make one or more function/tool calls to achieve the purpose.\n"
    "If none of the function can be used, point it out. If the given question lacks the parameters required by "
    "the function, also point it out.\n"
    "You should only return the function call in tools call sections.\n"
    "Here is a list of functions in JSON format that you can invoke:\n"
    "{functions}\n"
    "Should you decide to return the function call(s).\n"
    "Put it in the format of [func1(params_name=params_value, params_name2=params_value2...), func2(params)]\n"
    "\n"
    "NO other text MUST be included.\n"
)


def python_literal(value: Any) -> str:
    """A JSON value as a Python literal: strings double-quoted with JSON escapes (which
    Python reads the same), True/False/None, lists and dicts in bracket syntax with
    their items converted likewise, so `ast.literal_eval` gives the value back."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ExportError(f"argument value {value} is not a finite number")
        return repr(value)
    if isinstance(value, str):
        return _dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_dumps(str(k))}: {python_literal(v)}" for k, v in value.items()) + "}"
    raise ExportError(f"argument value of type {type(value).__name__} is not JSON")


def toolace_calls(calls: list[tuple[str, dict[str, Any]]]) -> str:
    """`[name(key=value, ...), other(...)]`, keyword arguments in the record's order."""
    rendered = (f"{name}(" + ", ".join(f"{key}={python_literal(v)}" for key, v in args.items()) + ")"
                for name, args in calls)
    return "[" + ", ".join(rendered) + "]"


def to_toolace(record: Record) -> dict[str, Any]:
    system = TOOLACE_SYSTEM.replace("{functions}", _dumps(bare_functions(record)))
    conversations: list[dict[str, str]] = []
    for turn in turns(record):
        if turn.role == "system":
            system += "\n" + turn.text
        elif turn.role in ("user", "assistant"):
            conversations.append({"from": turn.role, "value": turn.text})
        else:
            conversations.append({"from": "assistant", "value": toolace_calls(turn.calls)})
            results = [{"name": name, "results": output}
                       for (name, _), output in zip(turn.calls, turn.outputs, strict=True)]
            conversations.append({"from": "tool", "value": _dumps(results)})
    return {"system": system, "conversations": conversations}


CONVERTERS: MappingProxyType[str, Callable[[Record], dict[str, Any]]] = MappingProxyType(
    {"openai": to_openai, "sharegpt": to_sharegpt, "toolace": to_toolace})
FORMATS = (*CONVERTERS, "hf")  # hf: a dataset directory, written by toolace_mt.hf_export


# --- the command ----------------------------------------------------------------------

@dataclass
class ExportSummary:
    exported: int = 0
    skipped: int = 0


def why_not_exportable(record: Record) -> str | None:
    """Why a readable record is still not exported (None: it is)."""
    if record.verification is not None and not record.verification.passed:
        checks = sorted({f.check for f in record.verification.failures})
        return f"record {record.id} failed verification ({', '.join(checks) or 'no checks listed'})"
    failures = check_format(Dialogue(record))
    if failures:
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        return f"record {record.id}: format: {failures[0].message}{more}"
    return None


def export_records(path: str | Path, fmt: str, out: TextIO, warn: Callable[[str], None]) -> ExportSummary:
    """Convert every record of `path` to `fmt`, one line each, into `out`."""
    convert = CONVERTERS[fmt]
    summary = ExportSummary()
    for item in read_records(path):
        if isinstance(item, BadLine):
            reason: str | None = f"{item}"
        else:
            reason = why_not_exportable(item.record)
            if reason is None:
                try:
                    line = _dumps(convert(item.record))
                except ExportError as exc:
                    reason = f"record {item.record.id}: {fmt}: {exc}"
                else:
                    out.write(line + "\n")
                    summary.exported += 1
                    continue
            reason = f"{item.path}:{item.line}: {reason}"
        summary.skipped += 1
        warn(reason)
    return summary


def run_export(args: argparse.Namespace) -> int:
    """Handler of `toolace-mt export FILE --format F -o OUT`. The output is written to a
    temporary file beside OUT and renamed at the end, so OUT is never half-written."""
    if args.format == "hf":
        from toolace_mt.hf_export import run_hf_export  # pyarrow only when asked for

        return run_hf_export(args)
    if getattr(args, "license", None):
        return _usage("--license is for --format hf (the dataset card's license field)")
    source, target = Path(args.file), Path(args.output)
    if not source.is_file():
        return _usage(f"no such file: {source}")
    if target.exists() and target.resolve() == source.resolve():
        return _usage(f"the output {target} is the input file; choose another path")
    if target.is_dir():
        return _usage(f"the output {target} is a directory")
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        handle = open(partial, "w", encoding="utf-8")  # closed by the `with` below
    except OSError as exc:
        return _usage(f"cannot write {target}: {exc.strerror or exc}")
    try:
        with handle:
            summary = export_records(source, args.format, handle,
                                     lambda reason: print(shown(f"toolace-mt: skipped {reason}"), file=sys.stderr))
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    print(f"exported {summary.exported} record(s) to {target} ({args.format}), skipped {summary.skipped}")
    return EXIT_SKIPPED if summary.skipped else EXIT_OK


def _usage(message: str) -> int:
    print(f"toolace-mt: {message}", file=sys.stderr)
    return EXIT_USAGE
