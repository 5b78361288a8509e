"""`export --format hf`: the directory loads with `datasets` as is (offline) and every
message, call, argument string, tool list and op round-trips exactly."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

# Before `datasets` is imported (it reads these once): nothing may be downloaded.
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"

import datasets
from test_export import executed  # noqa: F401  (a module fixture: a record whose calls really ran)
from test_stats import _write, two_dialogues

from toolace_mt.cli import main
from toolace_mt.hf_export import ShardWriter, render_chatml, row_messages, to_row, write_dataset
from toolace_mt.jsonl import read_records
from toolace_mt.record import AssistantMessage, Record, UserMessage, Verification

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "dialogues"


def _fixture_records() -> list[Record]:
    records = []
    for name in ("retail", "banking"):  # two envs: tool schemas that differ from row to row
        records += [item.record for item in read_records(FIXTURES / f"{name}.jsonl")]
    return records


def _load(directory: Path, tmp_path: Path) -> datasets.Dataset:
    return datasets.load_dataset(str(directory), split="train", cache_dir=str(tmp_path / "hf-cache"))


def _export(tmp_path: Path, records: list[Record], *extra: str) -> tuple[int, Path]:
    source = _write(tmp_path / "in.jsonl", [r.to_json() for r in records])
    out = tmp_path / "dataset"
    return main(["export", str(source), "--format", "hf", "-o", str(out), *extra]), out


def test_dataset_loads_and_round_trips_exactly(tmp_path: Path, executed: Record) -> None:  # noqa: F811
    records = [*_fixture_records(), *two_dialogues(), executed]
    code, out = _export(tmp_path, records, "--license", "cc-by-4.0")
    assert code == 0
    train = _load(out, tmp_path)
    assert train.num_rows == len(records)
    assert set(train.column_names) == {"id", "env", "env_digest", "seed", "messages", "tools", "ops", "op_types"}
    for row, record in zip(train, records, strict=True):
        original = json.loads(record.to_json())
        assert (row["id"], row["env"], row["env_digest"], row["seed"]) == (
            record.id, record.env, record.env_digest, record.seed)
        assert row_messages(row) == original["messages"]
        assert json.loads(row["tools"]) == record.tools
        assert json.loads(row["ops"]) == original["provenance"].get("ops", [])
        assert row["op_types"] == [op.type for op in record.provenance.ops]
        # every call's arguments: the record's JSON string, byte for byte
        loaded_args = [c["function"]["arguments"] for m in row["messages"] for c in m["tool_calls"] or []]
        record_args = [c.function.arguments for m in record.messages if isinstance(m, AssistantMessage)
                       for c in m.tool_calls or []]
        assert loaded_args == record_args
    # an assistant turn that calls keeps content null; one that answers keeps its string
    call_turn = train[len(records) - 1]["messages"][2]
    assert call_turn["role"] == "assistant" and call_turn["content"] is None and len(call_turn["tool_calls"]) == 2
    assert train[len(records) - 1]["messages"][5]["content"] == "Both were delivered."


def test_differing_tool_schemas_are_not_merged(tmp_path: Path) -> None:
    records = _fixture_records()
    _, out = _export(tmp_path, records)
    train = _load(out, tmp_path)
    assert isinstance(train.features["tools"], datasets.Value) and train.features["tools"].dtype == "string"
    retail, banking = json.loads(train[0]["tools"]), json.loads(train[len(records) - 1]["tools"])
    assert retail == records[0].tools and banking == records[-1].tools
    assert {t["function"]["name"] for t in retail}.isdisjoint({t["function"]["name"] for t in banking})


def test_empty_and_null_contents_stay_apart(tmp_path: Path) -> None:
    # Written below the command (the format check refuses empty turns), to pin the column types:
    # a null content and an empty one come back as they went in.
    record = two_dialogues()[0].model_copy(update={"messages": [
        UserMessage(content=""), AssistantMessage(content="", tool_calls=two_dialogues()[0].messages[2].tool_calls),
        *two_dialogues()[0].messages[3:5], AssistantMessage(content=None), AssistantMessage(content="")]})
    out = tmp_path / "dataset"
    (out / "data").mkdir(parents=True)
    writer = ShardWriter(out / "data")
    writer.write(to_row(record))
    writer.finish()
    row = _load(out, tmp_path)[0]
    assert [m["content"] for m in row["messages"]] == ["", "", '{"status": "pending"}', '{"status": "delivered"}',
                                                        None, ""]
    assert row_messages(row) == json.loads(record.to_json())["messages"]


def test_dataset_card_and_files(tmp_path: Path) -> None:
    records = _fixture_records()
    code, out = _export(tmp_path, records, "--license", "apache-2.0")
    assert code == 0
    assert sorted(p.name for p in (out / "data").iterdir()) == ["train-00000-of-00001.parquet"]
    card = (out / "README.md").read_text(encoding="utf-8")
    header = card.split("---")[1]
    assert 'license: "apache-2.0"' in header and 'path: "data/train-*.parquet"' in header
    assert f"- dialogues: {len(records)} (records skipped by the export: 0)" in card
    assert "| `retail` | 5 |" in card and "| `banking` | 5 |" in card
    assert 'load_dataset("path/to/this/directory", split="train")' in card
    calls = sum(len(m.tool_calls or []) for r in records for m in r.messages if isinstance(m, AssistantMessage))
    assert f"tool calls: {calls}" in card


def test_shards_load_in_order(tmp_path: Path) -> None:
    records = _fixture_records()
    source = _write(tmp_path / "in.jsonl", [r.to_json() for r in records])
    out = tmp_path / "sharded"
    out.mkdir()
    result = write_dataset(source, out, "other", lambda reason: None, rows_per_shard=3)
    assert [p.name for p in result.shards] == [f"train-0000{i}-of-00004.parquet" for i in range(4)]
    assert _load(out, tmp_path)["id"] == [r.id for r in records]


def test_skipped_records_are_named_and_the_rest_exported(tmp_path: Path, capsys: Any) -> None:
    good, failed = two_dialogues()
    failed = failed.model_copy(update={"verification": Verification(passed=False)})
    source = _write(tmp_path / "in.jsonl", [good.to_json(), "{not json", failed.to_json()])
    out = tmp_path / "dataset"
    assert main(["export", str(source), "--format", "hf", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{source}:2: malformed JSON" in err and f"{source}:3: record d2 failed verification" in err
    assert _load(out, tmp_path)["id"] == ["d1"]
    assert "(records skipped by the export: 2)" in (out / "README.md").read_text(encoding="utf-8")
    assert 'license: "other"' in (out / "README.md").read_text(encoding="utf-8")


def test_bad_outputs_are_refused(tmp_path: Path, capsys: Any) -> None:
    source = _write(tmp_path / "in.jsonl", [r.to_json() for r in two_dialogues()])
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    assert main(["export", str(source), "--format", "hf", "-o", str(busy)]) == 2
    assert "not empty" in capsys.readouterr().err and (busy / "keep.txt").read_text() == "mine"
    assert main(["export", str(source), "--format", "hf", "-o", str(source)]) == 2
    assert "is a file" in capsys.readouterr().err
    assert main(["export", str(source), "--format", "openai", "-o", str(tmp_path / "x.jsonl"),
                 "--license", "mit"]) == 2
    assert "--license is for --format hf" in capsys.readouterr().err
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_chat_template_renders_a_row(tmp_path: Path, executed: Record) -> None:  # noqa: F811
    _, out = _export(tmp_path, [executed])
    row = _load(out, tmp_path)[0]
    text = render_chatml(row["messages"], row["tools"])
    turns = text.split("<|im_start|>")[1:]
    assert [t.split("\n", 1)[0] for t in turns] == ["system", "user", "assistant", "tool", "tool", "assistant",
                                                    "user", "assistant", "tool", "assistant"]
    assert turns[0].startswith("system\nYou are a store assistant.\n\n# Tools\n<tools>\n")
    assert json.dumps(executed.tools[0], ensure_ascii=False) in turns[0]
    calls = [json.loads(block.split("\n</tool_call>")[0]) for block in turns[2].split("<tool_call>\n")[1:]]
    assert calls == [{"name": c.function.name, "arguments": json.loads(c.function.arguments)}
                     for c in executed.messages[2].tool_calls or []]
    assert turns[3] == f"tool\n<tool_response>\n{executed.messages[3].content}\n</tool_response><|im_end|>\n"
    assert turns[-1] == "assistant\nI could not find order W9999.<|im_end|>\n"
