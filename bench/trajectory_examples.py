"""Per env, the share of dialogues with each trajectory finding (the verifier's
`toolace_mt.verifier.trajectory`), and one example message per kind: what is left to fix.

    python bench/trajectory_examples.py OUT.jsonl [OUT2.jsonl ...]
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from toolace_mt.jsonl import RecordLine, read_records  # noqa: E402
from toolace_mt.verifier.dialogue import Dialogue  # noqa: E402
from toolace_mt.verifier.trajectory import PolicyCache, findings  # noqa: E402


def main(paths: list[str]) -> None:
    cache = PolicyCache()
    by_env: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    totals: dict[str, int] = defaultdict(int)
    for path in paths:
        for line in read_records(Path(path)):
            if not isinstance(line, RecordLine):
                continue
            record = line.record
            totals[record.env] += 1
            dialogue = Dialogue(record)
            seen: set[str] = set()
            for finding in findings(dialogue, cache.of(record)):
                if finding.kind in seen:
                    continue
                seen.add(finding.kind)
                text = ""
                if finding.message_index is not None and finding.message_index < len(record.messages):
                    text = str(getattr(record.messages[finding.message_index], "content", "") or "")[:160]
                by_env[record.env][finding.kind].append(f"{record.id}: {finding.message[:160]} | {text}")
    for env, kinds in sorted(by_env.items()):
        print(f"== {env} ({totals[env]} dialogues)")
        for kind, examples in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
            print(f"  {kind:22} {len(examples) / totals[env]:6.1%}  e.g. {examples[0]}")


if __name__ == "__main__":
    main(sys.argv[1:])
