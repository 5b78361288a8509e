"""Generation on envs it was never tuned for: the hand ports of four BFCL multi-turn APIs and
the envs in bench/fresh_envs/ (a FHIR pharmacy refill desk, written after the generator's rules).

    python bench/unfamiliar_envs.py            # -n 100 per env, seed 1
    python bench/unfamiliar_envs.py -n 30      # quicker

For each port (fixtures/envs/ticket.py, fixtures/envs/message.py and the smaller
bench/ports/trading_bot.py and bench/ports/vehicle_control.py) it prints what `envs
check` finds (tools reached by trials, the enabled-by edges and the start-up seconds),
then runs `generate -n N` (offline backend) and prints its pass rate, tool coverage,
the tools never called, the share of dialogues with a single call, and whether any
user turn says a tool's name with its words in a row (`ticket_get_login_status` as
"ticket get login status") or as a verb ("ticket my login").
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolace_mt.generation.plan.reachability import successful_calls  # noqa: E402
from toolace_mt.generation.workbench import Workbench  # noqa: E402

PORTS = [ROOT / "fixtures/envs/ticket.py", ROOT / "fixtures/envs/message.py",
         ROOT / "bench/ports/trading_bot.py", ROOT / "bench/ports/vehicle_control.py",
         *sorted((ROOT / "bench/fresh_envs").glob("*.py"))]


def worded_from_names(records: list[dict]) -> int:
    tools = sorted({t["function"]["name"] for r in records for t in r["tools"]})
    nouns = {name.split("_")[-1] for name in tools}
    patterns = [re.compile(r"\b(?:my|the)\s+get\b", re.I)]
    for name in tools:
        words = name.split("_")
        if words[0] in nouns:
            patterns.append(re.compile(rf"\b{words[0]}\s+(?:my|the)\b", re.I))
        if len(words) > 2:
            patterns.append(re.compile(r"\b" + r"\s+".join(words) + r"\b", re.I))
        patterns.append(re.compile(rf"\b{re.escape(name)}\b"))
    return sum(1 for r in records for m in r["messages"] if m["role"] == "user"
               and any(p.search(m.get("content") or "") for p in patterns))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"{'env':<20}{'start s':>8}{'trials':>7}{'reached':>9}{'edges':>6}{'pass':>7}{'coverage':>10}"
          f"{'1-call':>8}{'name-worded':>12}  never called")
    for port in PORTS:
        start = time.monotonic()
        bench = Workbench(str(port), args.seed)
        seconds = time.monotonic() - start
        pre = bench.preconditions
        reached = sum(pre.reached(t) for t in bench.tools)
        edges = sum(len(v) for v in pre.enabled_by.values())
        tools = len(bench.tools)
        bench.close()
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out.jsonl"
            run = subprocess.run([sys.executable, "-m", "toolace_mt", "generate", "--env", str(port), "-n",
                                  str(args.n), "--seed", str(args.seed), "-o", str(out), "--json"],
                                 capture_output=True, text=True, cwd=ROOT, check=False)
            report = json.loads(run.stdout)
            records = [json.loads(line) for line in out.read_text().splitlines()]
        coverage = report["coverage"][0]
        single = sum(1 for r in records if sum(len(m.get("tool_calls") or []) for m in r["messages"]) == 1)
        called = set().union(*(successful_calls(r) for r in records)) if records else set()
        never = sorted({t["function"]["name"] for r in records for t in r["tools"]} - called)
        print(f"{port.stem:<20}{seconds:>8.2f}{pre.trials:>7}{f'{reached}/{tools}':>9}{edges:>6}"
              f"{report['pass_rate']:>7.2f}{coverage['coverage']:>10.0%}{single / max(len(records), 1):>8.0%}"
              f"{worded_from_names(records):>12}  {', '.join(never) or '-'}")


if __name__ == "__main__":
    main()
