"""`toolace-mt export --format hf -o DIR`: a Hugging Face dataset directory.

`datasets.load_dataset(DIR)` loads it as is (split `train`), and TRL's SFT trainer
reads its `messages` and `tools` columns. Layout:

    DIR/README.md                         dataset card (YAML header: license, configs)
    DIR/data/train-00000-of-0000N.parquet Parquet shards of at most ROWS_PER_SHARD rows

Columns: `id`, `env`, `env_digest`, `seed`, `messages`, `tools`, `ops`, `op_types`.
`messages` is the record's OpenAI chat messages with one explicit Arrow type (every
message has `role`, `content`, `tool_calls`, `tool_call_id`; a key a message does not
have is null), so `content` stays null beside tool calls and "" stays "", and
`arguments` stays the record's JSON string byte for byte. `tools` is the record's
OpenAI tool list as one JSON string: as Arrow structs, two rows whose tool schemas
differ would be merged into one struct type with nulls for each other's keys (or fail
outright when a key is a string in one and a list in another); TRL decodes a string
`tools` column with `json.loads`. `ops` is the record's `provenance.ops` as a JSON
string for the same reason (an op's `value` is any JSON); `op_types` lists their types
for filtering.

pyarrow is imported only when this format is used (the `hf` extra).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolace_mt.export import why_not_exportable
from toolace_mt.jsonl import BadLine, read_records
from toolace_mt.record import Record
from toolace_mt.terminal_text import shown

if TYPE_CHECKING:
    import pyarrow as pa

EXIT_OK, EXIT_SKIPPED, EXIT_USAGE = 0, 1, 2
ROWS_PER_SHARD = 20_000
ROWS_PER_GROUP = 1_000
DEFAULT_LICENSE = "other"
MESSAGE_KEYS = ("role", "content", "tool_calls", "tool_call_id")


class MissingDependency(RuntimeError):
    """pyarrow is not installed."""


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # the submodule, used as `pyarrow.parquet`
    except ImportError as exc:
        raise MissingDependency("export --format hf needs pyarrow: pip install 'toolace-mt[hf]'") from exc
    return pyarrow


def arrow_schema() -> pa.Schema:
    pa = _pyarrow()
    function = pa.struct([("name", pa.string()), ("arguments", pa.string())])
    tool_call = pa.struct([("id", pa.string()), ("type", pa.string()), ("function", function)])
    message = pa.struct([("role", pa.string()), ("content", pa.string()),
                         ("tool_calls", pa.list_(tool_call)), ("tool_call_id", pa.string())])
    return pa.schema([
        ("id", pa.string()), ("env", pa.string()), ("env_digest", pa.string()), ("seed", pa.int64()),
        ("messages", pa.list_(message)), ("tools", pa.string()), ("ops", pa.string()),
        ("op_types", pa.list_(pa.string())),
    ])


def to_row(record: Record) -> dict[str, Any]:
    """One dataset row; the messages are those of `Record.to_json` (assistant content
    kept as null beside calls), each with every MESSAGE_KEYS key."""
    messages = json.loads(record.to_json())["messages"]
    return {
        "id": record.id, "env": record.env, "env_digest": record.env_digest, "seed": record.seed,
        "messages": [{key: message.get(key) for key in MESSAGE_KEYS} for message in messages],
        "tools": json.dumps(record.tools, ensure_ascii=False),
        "ops": json.dumps([op.model_dump(mode="json", exclude_none=True) for op in record.provenance.ops],
                          ensure_ascii=False),
        "op_types": [op.type for op in record.provenance.ops],
    }


def row_messages(row: dict[str, Any]) -> list[dict[str, Any]]:
    """A loaded row's messages as the record had them: the null keys a message never
    had are dropped (an assistant's null `content` is kept: OpenAI's format has it)."""
    return [{k: v for k, v in message.items() if v is not None or (k == "content" and message["role"] == "assistant")}
            for message in row["messages"]]


def render_chatml(messages: list[dict[str, Any]], tools: str | list[dict[str, Any]] | None = None) -> str:
    """A small tokenizer-free chat template (ChatML with Hermes-style tool tags), to see
    what a model is trained on: the tools in the system turn, each call as
    `<tool_call>{"name", "arguments"}</tool_call>`, each output in `<tool_response>`."""
    tool_list = json.loads(tools) if isinstance(tools, str) else (tools or [])
    parts: list[str] = []
    system = [m["content"] for m in messages if m["role"] == "system"]
    if tool_list or system:
        text = system[0] if system else ""
        if tool_list:
            text += ("\n\n" if text else "") + "# Tools\n<tools>\n" + "\n".join(
                json.dumps(t, ensure_ascii=False) for t in tool_list) + "\n</tools>"
        parts.append(f"<|im_start|>system\n{text}<|im_end|>")
    for message in messages:
        role = message["role"]
        if role == "system":
            continue
        if role == "tool":
            parts.append(f"<|im_start|>tool\n<tool_response>\n{message['content']}\n</tool_response><|im_end|>")
            continue
        body = message.get("content") or ""
        for call in message.get("tool_calls") or []:
            function = call["function"]
            body += ("\n" if body else "") + "<tool_call>\n" + json.dumps(
                {"name": function["name"], "arguments": json.loads(function["arguments"])},
                ensure_ascii=False) + "\n</tool_call>"
        parts.append(f"<|im_start|>{role}\n{body}<|im_end|>")
    return "\n".join(parts) + "\n"


@dataclass
class DatasetStats:
    rows: int = 0
    skipped: int = 0
    messages: int = 0
    calls: int = 0
    envs: Counter[str] = field(default_factory=Counter)
    op_types: Counter[str] = field(default_factory=Counter)

    def add(self, row: dict[str, Any]) -> None:
        self.rows += 1
        self.messages += len(row["messages"])
        self.calls += sum(len(m["tool_calls"] or []) for m in row["messages"])
        self.envs[row["env"]] += 1
        self.op_types.update(row["op_types"])


class ShardWriter:
    """Parquet shards of at most `rows_per_shard` rows, written in row groups; named
    `train-KKKKK-of-NNNNN.parquet` once the total is known (`finish`)."""

    def __init__(self, directory: Path, rows_per_shard: int = ROWS_PER_SHARD) -> None:
        self.pa = _pyarrow()
        self.schema = arrow_schema()
        self.directory = directory
        self.rows_per_shard = rows_per_shard
        self.shards: list[Path] = []
        self._writer: Any = None
        self._in_shard = 0
        self._pending: list[dict[str, Any]] = []

    def write(self, row: dict[str, Any]) -> None:
        self._pending.append(row)
        if len(self._pending) >= ROWS_PER_GROUP or self._in_shard + len(self._pending) >= self.rows_per_shard:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        if self._writer is None:
            path = self.directory / f"part-{len(self.shards):05d}.parquet"
            self.shards.append(path)
            self._writer = self.pa.parquet.ParquetWriter(path, self.schema)
            self._in_shard = 0
        self._writer.write_table(self.pa.Table.from_pylist(self._pending, schema=self.schema))
        self._in_shard += len(self._pending)
        self._pending = []
        if self._in_shard >= self.rows_per_shard:
            self._writer.close()
            self._writer = None

    def finish(self) -> list[Path]:
        self._flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if not self.shards:  # no row: one empty shard, so the dataset still loads (0 rows)
            path = self.directory / "part-00000.parquet"
            self.pa.parquet.write_table(self.schema.empty_table(), path)
            self.shards.append(path)
        total = len(self.shards)
        named = []
        for index, path in enumerate(self.shards):
            final = path.with_name(f"train-{index:05d}-of-{total:05d}.parquet")
            path.rename(final)
            named.append(final)
        return named


def _version() -> str:
    try:
        return metadata.version("toolace-mt")
    except metadata.PackageNotFoundError:
        return "unknown"


def _yaml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _table_code(text: str, limit: int = 120) -> str:
    """A record's text as a code span in one Markdown table cell of the card: one line, no
    backtick to end the span, no bare `|` to end the cell (the card is rendered on the Hub;
    a record's env of "x`\n<img src=...>" wrote raw Markdown and HTML into it)."""
    text = "".join(c if c.isprintable() else " " for c in text)[:limit]
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def _size_category(rows: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                        (1_000_000, "100K<n<1M")):
        if rows < limit:
            return name
    return "1M<n<10M"


def dataset_card(stats: DatasetStats, sources: list[str], license_id: str) -> str:
    """README.md of the dataset: YAML header (license, configs) and what made it."""
    envs = "\n".join(f"| {_table_code(env)} | {count} |" for env, count in sorted(stats.envs.items())) or "| - | 0 |"
    ops = "\n".join(f"| {_table_code(op)} | {count} |" for op, count in sorted(stats.op_types.items())) or \
        "| - | 0 |"
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    source_names = ", ".join(_table_code(Path(s).name) for s in sources)
    return f"""---
license: {_yaml_string(license_id)}
pretty_name: "toolace-mt dialogues"
task_categories:
- text-generation
tags:
- tool-use
- function-calling
- multi-turn
- synthetic
- toolace-mt
size_categories:
- {_yaml_string(_size_category(stats.rows))}
configs:
- config_name: default
  data_files:
  - split: train
    path: "data/train-*.parquet"
---

# toolace-mt dialogues

Multi-turn tool-use dialogues made by toolace-mt {_version()} (`toolace-mt export --format hf`,
{made}) from {source_names}. Every tool call in them was executed in a sandboxed mock
environment (DuckDB state) and every dialogue was replayed by the verifier: the tool
outputs are real, not written by a model.

## Statistics

- dialogues: {stats.rows} (records skipped by the export: {stats.skipped})
- messages: {stats.messages}; tool calls: {stats.calls}

| env | dialogues |
|---|---|
{envs}

| op type | ops |
|---|---|
{ops}

## Load

```python
from datasets import load_dataset

train = load_dataset("path/to/this/directory", split="train")
row = train[0]
row["messages"]  # OpenAI chat messages: role, content, tool_calls, tool_call_id
row["tools"]     # the OpenAI tool list, as a JSON string (json.loads it)
```

TRL's `SFTTrainer` takes the dataset as is: it reads `messages` (conversational
language modeling) and decodes the `tools` column. Every message has the four keys
`role`, `content`, `tool_calls`, `tool_call_id`; a key the original message did not
have is null. An assistant message that makes calls has `content` null; `arguments`
of a call are the JSON string the record holds.

## Columns

| column | type | what |
|---|---|---|
| `id` | string | the record's id |
| `env`, `env_digest`, `seed` | string, string, int | the environment and its seed: they fix the initial state |
| `messages` | list of messages | the dialogue, OpenAI chat format |
| `tools` | string (JSON) | the tools offered, OpenAI `tools` format |
| `ops` | string (JSON) | the record's `provenance.ops` (stage-2 edits) |
| `op_types` | list of strings | the types of those ops |

## License

`{license_id}`, as given to the export (`--license`); the data is yours to license.
"""


@dataclass
class HfExportResult:
    stats: DatasetStats
    shards: list[Path]


def _rows(path: Path, warn: Callable[[str], None], stats: DatasetStats) -> Iterator[dict[str, Any]]:
    for item in read_records(path):
        if isinstance(item, BadLine):
            reason: str | None = str(item)
        else:
            why = why_not_exportable(item.record)
            if why is None:
                yield to_row(item.record)
                continue
            reason = f"{item.path}:{item.line}: {why}"
        stats.skipped += 1
        warn(reason)


def write_dataset(source: Path, directory: Path, license_id: str, warn: Callable[[str], None],
                  rows_per_shard: int = ROWS_PER_SHARD) -> HfExportResult:
    """Write the dataset into `directory` (which must exist and be empty)."""
    data = directory / "data"
    data.mkdir()
    stats = DatasetStats()
    writer = ShardWriter(data, rows_per_shard)
    for row in _rows(source, warn, stats):
        writer.write(row)
        stats.add(row)
    shards = writer.finish()
    (directory / "README.md").write_text(dataset_card(stats, [str(source)], license_id), encoding="utf-8")
    return HfExportResult(stats, shards)


def run_hf_export(args: argparse.Namespace) -> int:
    """`toolace-mt export FILE --format hf -o DIR`: DIR must not exist or be empty; the
    dataset is written into a temporary directory beside it and renamed when complete."""
    source, target = Path(args.file), Path(args.output)
    if not source.is_file():
        return _usage(f"no such file: {source}")
    if target.exists() and not target.is_dir():
        return _usage(f"--format hf writes a directory; {target} is a file")
    if target.is_dir() and any(target.iterdir()):
        return _usage(f"the output directory {target} is not empty; choose a new or empty directory")
    license_id = getattr(args, "license", None) or DEFAULT_LICENSE
    try:
        _pyarrow()
    except MissingDependency as exc:
        return _usage(str(exc))
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        partial.mkdir(parents=False)
    except OSError as exc:
        return _usage(f"cannot write {target}: {exc.strerror or exc}")
    try:
        result = write_dataset(source, partial, license_id,
                               lambda reason: print(shown(f"toolace-mt: skipped {reason}"), file=sys.stderr))
        if target.is_dir():
            target.rmdir()
        os.replace(partial, target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    stats = result.stats
    print(f"exported {stats.rows} record(s) to {target} (hf: {len(result.shards)} parquet file(s) and README.md), "
          f"skipped {stats.skipped}")
    return EXIT_SKIPPED if stats.skipped else EXIT_OK


def _usage(message: str) -> int:
    print(f"toolace-mt: {message}", file=sys.stderr)
    return EXIT_USAGE
