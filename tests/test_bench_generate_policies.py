"""bench/generate.py reads the trajectory policy of an env module's records (named relative to
the module's directory, as `generate` writes them) instead of printing "?" for them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from sandbox import inspect_env
from toolace_mt.record import Record
from toolace_mt.verifier.trajectory import PolicyCache

ROOT = Path(__file__).resolve().parent.parent
TICKET = ROOT / "fixtures" / "envs" / "ticket.py"


def _bench_generate():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_env_modules_records_get_its_policy() -> None:
    with inspect_env(str(TICKET)) as env:
        digest = env.digest
    line = (ROOT / "fixtures" / "dialogues" / "retail.jsonl").read_text().splitlines()[0]
    record = Record.model_validate(json.loads(line) | {"env": "ticket.py", "env_digest": digest})
    assert not PolicyCache().of(record).known  # a bare file name is no built-in env
    assert _bench_generate().env_dir_policies(str(TICKET)).of(record).known
