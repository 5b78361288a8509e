"""Seconds per text-reading check on adversarial texts of growing size, and per trajectory
check on dialogues of growing length: each should grow about linearly (no regex that
backtracks quadratically, no re-reading every earlier turn at each turn: a 400-exchange
dialogue took 234 s in disambiguation before), and on an output object whose every key
reads as the record's key (102 s at 3000 keys before). The load average is printed first.

    python bench/trajectory_hostile.py [SIZE ...]      # default 10000 100000
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from handwritten import synthetic  # noqa: E402
from test_checks_hostile_texts import POLICY, UNITS, hostile  # noqa: E402

from toolace_mt.record import Record  # noqa: E402
from toolace_mt.verifier import Dialogue  # noqa: E402
from toolace_mt.verifier.consistency import check_consistency  # noqa: E402
from toolace_mt.verifier.grounding import check_grounding  # noqa: E402
from toolace_mt.verifier.policy import EnvPolicy  # noqa: E402
from toolace_mt.verifier.trajectory import TRAJECTORY_CHECKS, findings  # noqa: E402

LONG_POLICY = EnvPolicy(known=True, user_key="customer_id")


def long_dialogue(exchanges: int) -> Record:
    """A filter asked for and answered `exchanges` times: many turns, each with a call."""
    tools = {"list_orders": {"customer_id": {"type": "string"},
                             "status": {"type": "string", "enum": ["pending", "delivered"]}}}
    turns: list[tuple[Any, ...]] = [("user", "Can I look through my orders? I'm C1. " + "blah " * 200)]
    for i in range(exchanges):
        turns += [("assistant", "Which status would you like?"), ("user", "delivered " + "words " * 200),
                  ("call", "list_orders", {"customer_id": "C1", "status": "delivered"},
                   [{"order_id": f"#W{i}", "total": 40.0 + i}]), ("assistant", f"Order #W{i}.")]
    return synthetic(turns, tools)


CHECKED_POLICY = EnvPolicy(known=True, user_key="customer_id", writes=frozenset({"cancel_order"}),
                           checked_writes={"cancel_order": "order_id"})


def key_only_output(fields: int) -> Record:
    """A read whose output object has `fields` keys that all read as the order's key
    ("order_id", "order__id", "order_.id", ...), all equal to the order, then a write on
    it: whether it "shows the record" was quadratic in such an object's keys."""
    keys = [f"order{'_' * a}{'.' * b}id" for a in range(1, 120) for b in range(120)][:fields]
    tools = {"get_order": {"order_id": {"type": "string"}}, "cancel_order": {"order_id": {"type": "string"}}}
    return synthetic([("user", "Please cancel order W1."),
                      ("call", "get_order", {"order_id": "W1"}, dict.fromkeys(keys, "W1")),
                      ("assistant", "Shall I cancel order W1?"), ("user", "Yes."),
                      ("call", "cancel_order", {"order_id": "W1"}, {"order_id": "W1", "status": "cancelled"}),
                      ("assistant", "Order W1 is cancelled.")], tools)


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
    print(f"\n{'exchanges':<18} {'':>7} " + " ".join(f"{c[:11]:>11}" for c in TRAJECTORY_CHECKS))
    for exchanges in (100, 200, 400):  # each check should grow about linearly with the turns too
        record = long_dialogue(exchanges)
        seconds = []
        for check in TRAJECTORY_CHECKS:
            start = time.perf_counter()
            findings(Dialogue(record), LONG_POLICY, [check])
            seconds.append(time.perf_counter() - start)
        print(f"{exchanges:<18} {'':>7} " + " ".join(f"{s:>11.3f}" for s in seconds), flush=True)
    print(f"\n{'key-only fields':<18} {'':>7} {'plan_sense':>11} {'necessity':>11}")
    for fields in (1000, 3000, 10000):  # linear: one pass over the object's keys
        record = key_only_output(fields)
        seconds = []
        for check in ("plan_sense", "necessity"):
            start = time.perf_counter()
            findings(Dialogue(record), CHECKED_POLICY, [check])
            seconds.append(time.perf_counter() - start)
        print(f"{fields:<18} {'':>7} " + " ".join(f"{s:>11.3f}" for s in seconds), flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
