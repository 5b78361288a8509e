"""Seconds per text-reading check on adversarial texts of growing size: each should grow
about linearly (no regex that backtracks quadratically). Load matters: print `uptime`.

    python bench/trajectory_hostile.py [SIZE ...]      # default 10000 100000
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from test_checks_hostile_texts import POLICY, UNITS, hostile  # noqa: E402

from toolace_mt.verifier import Dialogue  # noqa: E402
from toolace_mt.verifier.consistency import check_consistency  # noqa: E402
from toolace_mt.verifier.grounding import check_grounding  # noqa: E402
from toolace_mt.verifier.trajectory import TRAJECTORY_CHECKS, findings  # noqa: E402


def main(sizes: list[int]) -> None:
    print(f"load average {os.getloadavg()[0]:.2f}")
    checks = [*TRAJECTORY_CHECKS, "consistency", "grounding"]
    print(f"{'text':<18} {'size':>7} " + " ".join(f"{c[:11]:>11}" for c in checks))
    for name, unit in UNITS.items():
        for size in sizes:
            record = hostile((unit * (size // len(unit) + 1))[:size])
            seconds = []
            for check in checks:
                dialogue = Dialogue(record)
                start = time.perf_counter()
                if check == "consistency":
                    check_consistency(dialogue, None)
                elif check == "grounding":
                    check_grounding(dialogue)
                else:
                    findings(dialogue, POLICY, [check])
                seconds.append(time.perf_counter() - start)
            print(f"{name:<18} {size:>7} " + " ".join(f"{s:>11.3f}" for s in seconds), flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
