"""Generation on compiled specs: compile time, probe success, `generate -n N` coverage and
pass rate, and what every trajectory check finds.

    python bench/compiled_envs.py                       # every spec set, -n 100, seed 1
    python bench/compiled_envs.py -n 30 fixtures/specs/openai_shop.json
    python bench/compiled_envs.py --logged-out          # login-gated envs also seeded logged out
    python bench/compiled_envs.py --keep /tmp/w SPEC     # keep modules, records and verify reports

Each spec file is one spec set (compiled alone). For each it prints the seconds
`envs compile` took, the share of tools with a successful probe, then `generate -n N`
(offline backend) with its pass rate and tool coverage, and `verify --checks all` on the
accepted records: the share of dialogues passing every check and the checks that failed.
A second line gives Distinct-3 of the user turns and the share of dialogues with each
injection type (`stats`; the goal is >= 15% for each).
With --logged-out, a compiled module that has a login is measured a second time with its
flag flipped (`START_LOGGED_IN`), so the two seeded states can be compared on one run.
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
SPECS = sorted((ROOT / "fixtures/specs/bfcl").glob("*.json")) + sorted(
    p for p in (ROOT / "fixtures/specs").iterdir() if p.suffix in (".json", ".yaml", ".yml")) + sorted(
    p for p in (ROOT / "fixtures/specs/fresh").iterdir() if p.suffix in (".json", ".yaml", ".yml"))
CLI = [sys.executable, "-m", "toolace_mt"]


def run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=ROOT, check=False)


def measure(module: Path, n: int, seed: int, work: Path) -> dict:
    out = work / f"{module.stem}.jsonl"
    generated = run(["generate", "--env", str(module), "-n", str(n), "--seed", str(seed), "-o", str(out), "--json",
                     "--keep-failed", str(work / f"{module.stem}.failed.jsonl")])
    if generated.returncode not in (0, 1) or not generated.stdout.strip():
        return {"error": generated.stderr.strip().splitlines()[-1:] or ["generate failed"]}
    report = json.loads(generated.stdout)
    coverage = report["coverage"][0]
    checked = work / f"{module.stem}.verify.json"
    run(["verify", str(out), "--checks", "all", "--env-dir", str(module.parent), "--report", str(checked)])
    verified = json.loads(checked.read_text()) if checked.exists() else {}
    failed = {check: counts["failed"] for check, counts in verified.get("checks", {}).items() if counts["failed"]}
    shown = run(["stats", str(out), "--json", "--env-dir", str(module.parent)])
    stats = json.loads(shown.stdout) if shown.returncode == 0 and shown.stdout.strip() else {}
    injections = {op: figures["share"] for op, figures in stats.get("ops", {}).items()}
    dialogues = verified.get("dialogues") or report["accepted"]
    passed_all = verified.get("passed")
    return {"pass_rate": report["pass_rate"], "called": coverage["called"], "tools": coverage["tools"],
            "coverage": coverage["coverage"], "unreached": [u if isinstance(u, str) else u.get("tool")
                                                            for u in coverage["unreached"]],
            "all_checks": passed_all / dialogues if isinstance(passed_all, int) and dialogues else None,
            "failed_checks": failed, "distinct_3": stats.get("distinct_3"), "injections": injections}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("specs", nargs="*", type=Path, help="spec files (default: fixtures/specs)")
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--logged-out", action="store_true", help="also measure login envs seeded logged out")
    parser.add_argument("--json", action="store_true", help="print one JSON object per measured env")
    parser.add_argument("--keep", type=Path, help="keep the compiled modules, records and verify reports here")
    args = parser.parse_args()
    specs = args.specs or SPECS
    if not args.json:
        print(f"{'spec':<20}{'state':<11}{'compile s':>10}{'probed':>8}{'pass':>7}{'coverage':>10}{'all checks':>11}"
              "  never called / failed checks")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for spec in specs:
            module = work / f"{spec.stem}.py"
            start = time.monotonic()
            compiled = run(["envs", "compile", str(spec), "-o", str(module), "--json"])
            seconds = time.monotonic() - start
            if compiled.returncode != 0:
                print(f"{spec.stem:<20}compile failed: {compiled.stderr.strip().splitlines()[-1:]}")
                continue
            report = json.loads(compiled.stdout)
            source = module.read_text()
            variants = [("as built", module)]
            flag = re.search(r"^START_LOGGED_IN = (True|False)", source, re.M)
            if args.logged_out and flag:
                flipped = work / "flipped" / module.name
                flipped.parent.mkdir(exist_ok=True)
                other = "False" if flag.group(1) == "True" else "True"
                flipped.write_text(source.replace(flag.group(0), f"START_LOGGED_IN = {other}", 1))
                variants.append((f"in={other}", flipped))
            for label, path in variants:
                label = f"in={flag.group(1)}" if flag and label == "as built" else label
                figures = measure(path, args.n, args.seed, path.parent)
                row = {"spec": spec.name, "state": label, "compile_s": round(seconds, 1),
                       "probed": report["success_rate"], **figures}
                if args.json:
                    print(json.dumps(row))
                    continue
                if "error" in figures:
                    print(f"{spec.stem:<20}{label:<11}{seconds:>10.1f}  generate failed: {figures['error']}")
                    continue
                checks = ", ".join(f"{k} {v}" for k, v in sorted(figures["failed_checks"].items()))
                all_checks = figures["all_checks"]
                print(f"{spec.stem:<20}{label:<11}{seconds:>10.1f}{report['success_rate']:>8.0%}"
                      f"{figures['pass_rate']:>7.2f}{figures['called']:>5}/{figures['tools']:<4}"
                      f"{'-' if all_checks is None else f'{all_checks:.0%}':>11}  "
                      f"{', '.join(figures['unreached']) or '-'} / {checks or '-'}")
                shares = ", ".join(f"{op} {share:.0%}" for op, share in figures["injections"].items()
                                   if share is not None)
                distinct = figures["distinct_3"]
                print(f"{'':<20}Distinct-3 {'-' if distinct is None else f'{distinct:.2f}'}; "
                      f"injections {shares or '-'}", flush=True)


if __name__ == "__main__":
    main()
