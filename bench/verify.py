"""Verifier benchmark: dialogues verified per second, 1 and 2 workers, with a time breakdown.

    python bench/verify.py                      # 200 retail dialogues of 10 calls, 3 repeats
    python bench/verify.py -n 100 --repeats 1   # quicker

The dialogues are built first (not timed) with DialogueBuilder on retail seed 0: each is
three user requests answered with 10 real calls (customer lookup, orders, a parallel
order lookup, a product search, a parallel product lookup, one write picked from what
the customer's orders allow: cancel, change address, return or a new order, and a
check of the result). Every check runs on every dialogue (format, schema, replay,
state, grounding, consistency, behaviour, judge with the offline judge).

- 1 worker: one Verifier in this process; one dialogue verified untimed first (the env
  load, ~0.3 s, is paid once per worker and reported apart).
- 2 workers: two processes (multiprocessing, spawn), each with its own Verifier over
  half of the dialogues, warmed the same way; the rate is N / the slower worker's time,
  and "wall" adds process start and env load.
Figures are medians over the repeats. The breakdown is Verifier.timings per dialogue:
reset (env back to its seeded state), replay (re-executing every call), state (final
hash, diff, and the task's intended calls replayed on a fresh env) and checks (all the
rest). Target: >= 30 dialogues/s per core.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sandbox import Environment, load_env  # noqa: E402
from toolace_mt.dialogue_builder import DialogueBuilder  # noqa: E402
from toolace_mt.record import PlannedCall, Record, SubTask, Task  # noqa: E402
from toolace_mt.verifier import Verifier  # noqa: E402

TARGET_PER_CORE = 30.0
PHASES = ("reset", "replay", "state", "checks")


# ---------------------------------------------------------------- dialogues

def usd(amount: float) -> str:
    return f"${amount:,.2f}"


def retail_dialogue(env: Environment, rng: random.Random, number: int) -> Record:
    """Three requests, 10 real calls, every value taken from the seeded state."""
    env.reset()
    customers = env.query("SELECT c.customer_id, c.email FROM customers c WHERE (SELECT count(*) FROM orders o "
                          "WHERE o.customer_id = c.customer_id) >= 2 ORDER BY c.customer_id")  # ~100 of 120
    customer = rng.choice(customers)
    builder = DialogueBuilder(env, system="You are the support assistant of an online store.\n\n" + env.description)
    planned: list[PlannedCall] = []

    def calls(*made: tuple[str, dict[str, Any]]) -> list[Any]:
        builder.calls(*made)
        results = builder.last_results(len(made))
        for (name, arguments), result in zip(made, results, strict=True):
            if not result.ok:
                raise RuntimeError(f"bench dialogue {number}: {name}({arguments}) failed: {result.error}")
            planned.append(PlannedCall(name=name, arguments=arguments))
        return [result.result for result in results]

    builder.user(f"Hi, my email is {customer['email']}. Which orders do I have with you?")
    [me] = calls(("find_customer_by_email", {"email": customer["email"]}))
    [orders] = calls(("list_customer_orders", {"customer_id": me["customer_id"]}))
    [profile] = calls(("get_customer", {"customer_id": me["customer_id"]}))
    builder.assistant(f"Hello {profile['first_name']}! You have {len(orders)} orders: "
                      + ", ".join(f"{o['order_id']} ({o['status']})" for o in orders) + ".")

    first, second = rng.sample(orders, 2)
    shown = calls(("get_order", {"order_id": first["order_id"]}), ("get_order", {"order_id": second["order_id"]}))
    word = shown[0]["items"][0]["product_name"].split(" (")[0].split()[-1].lower()
    builder.user(f"What's in {first['order_id']} and {second['order_id']}? Also, what else do you have like "
                 f"that {word}?")
    [found] = calls(("search_products", {"query": word, "in_stock_only": True}))
    picks = [p["product_id"] for p in found[:2]] or [shown[0]["items"][0]["product_id"]]
    while len(picks) < 2:
        picks.append(picks[0])
    products = calls(*(("get_product", {"product_id": pid}) for pid in picks))
    builder.assistant(" ".join(f"{o['order_id']} holds {', '.join(i['product_name'] for i in o['items'])} "
                               f"({usd(o['total'])})." for o in shown)
                      + f" Also available: {products[0]['name']} at {usd(products[0]['price'])}.")

    write = pick_write(env, rng, me, orders, products[0])
    builder.user(write["ask"])
    [done] = calls(write["call"])
    [after] = calls(("get_order", {"order_id": done.get("order_id", write["order_id"])}))
    builder.assistant(write["say"](done, after))
    task = Task(subtasks=[SubTask(goal="bench", tools=sorted({c.name for c in planned}), calls=planned)])
    return builder.record(f"bench-retail-{number:04d}", task=task)


def pick_write(env: Environment, rng: random.Random, me: dict[str, Any], orders: list[dict[str, Any]],
               product: dict[str, Any]) -> dict[str, Any]:
    """One write the customer's orders allow, with the words around it."""
    options: list[dict[str, Any]] = []
    for order in orders:
        oid = order["order_id"]
        if order["status"] in ("pending", "processing"):
            options.append({"ask": f"Please cancel {oid}, I no longer need it.", "order_id": oid,
                            "call": ("cancel_order", {"order_id": oid, "reason": "no_longer_needed"}),
                            "say": lambda done, after: f"Order {done['order_id']} has been cancelled; "
                                                       f"{usd(done['total'])} will be refunded."})
        if order["status"] == "pending":
            options.append({"ask": f"Please ship {oid} to 12 Oak Street, Springfield, IL 62704 instead.",
                            "order_id": oid,
                            "call": ("update_shipping_address", {"order_id": oid, "street": "12 Oak Street",
                                                                 "city": "Springfield", "state": "IL",
                                                                 "zip_code": "62704"}),
                            "say": lambda done, after: f"I've updated the address of {done['order_id']} to "
                                                       f"{after['ship_street']}, {after['ship_city']}."})
        in_window = order["status"] == "delivered" and \
            dt.date.fromisoformat(order["delivered_on"]) >= env.now.date() - dt.timedelta(days=30)
        if in_window:
            items = env.query("SELECT item_id FROM order_items WHERE order_id = ? AND return_id IS NULL "
                              "ORDER BY line_no", [oid])
            if items:
                options.append({"ask": f"Item {items[0]['item_id']} of {oid} arrived damaged, can I return it?",
                                "order_id": oid,
                                "call": ("request_return", {"order_id": oid, "item_ids": [items[0]["item_id"]],
                                                            "reason": "damaged"}),
                                "say": lambda done, after: f"Return {done['return_id']} has been submitted; "
                                                           f"you'll get {usd(done['refund_amount'])} back."})
    if not options:
        options.append({"ask": f"Then please order one {product['product_id']} for me.", "order_id": "",
                        "call": ("place_order", {"customer_id": me["customer_id"],
                                                 "items": [{"product_id": product["product_id"], "quantity": 1}]}),
                        "say": lambda done, after: f"Order {done['order_id']} has been placed, total "
                                                   f"{usd(done['total'])}."})
    return rng.choice(options)


def build_dialogues(count: int) -> list[str]:
    with load_env("retail", seed=0) as env:
        return [retail_dialogue(env, random.Random(number), number).to_json() for number in range(count)]


# ---------------------------------------------------------------- verifying

def verify_all(lines: list[str]) -> dict[str, Any]:
    """Verify every record with one Verifier: the first one untimed (env load), then all, timed."""
    records = [Record.model_validate_json(line) for line in lines]
    with Verifier() as verifier:
        start = time.perf_counter()
        verifier.verify(records[0])
        warmup = time.perf_counter() - start
        verifier.timings = dict.fromkeys(verifier.timings, 0.0)
        start = time.perf_counter()
        passed = sum(verifier.verify(record).passed for record in records)
        elapsed = time.perf_counter() - start
        return {"elapsed": elapsed, "warmup": warmup, "passed": passed, "count": len(records),
                "timings": dict(verifier.timings), "pid": os.getpid()}


def two_workers(lines: list[str]) -> dict[str, Any]:
    halves = [lines[: len(lines) // 2], lines[len(lines) // 2:]]
    context = multiprocessing.get_context("spawn")
    start = time.perf_counter()
    with context.Pool(2) as pool:
        results = pool.map(verify_all, halves)
    wall = time.perf_counter() - start
    return {"elapsed": max(r["elapsed"] for r in results), "wall": wall,
            "passed": sum(r["passed"] for r in results), "count": len(lines),
            "timings": {phase: sum(r["timings"][phase] for r in results) for phase in PHASES},
            "warmup": max(r["warmup"] for r in results)}


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(label: str, runs: list[dict[str, Any]], workers: int) -> float:
    count = runs[0]["count"]
    rate = median([count / run["elapsed"] for run in runs])
    line = (f"{label:<10} {rate:7.1f} dialogues/s  {rate / workers:6.1f} per core  "
            f"passed {runs[0]['passed']}/{count}  warm-up {median([r['warmup'] for r in runs]):.2f} s")
    if "wall" in runs[0]:
        line += f"  wall incl. spawn+load {median([r['wall'] for r in runs]):.2f} s"
    print(line)
    per_dialogue = {phase: median([r["timings"][phase] / count * 1000 for r in runs]) for phase in PHASES}
    total = median([r["elapsed"] * workers / count * 1000 for r in runs])
    parts = "  ".join(f"{phase} {per_dialogue[phase]:.2f}" for phase in PHASES)
    print(f"{'':<10} ms per dialogue, phase times summed over workers: {parts}  | total {total:.2f}")
    return rate


def state_costs() -> dict[str, float]:
    """Median ms of the engine steps behind the phases, on retail: a reset after a write, a
    write call, a read call, state_hash() and diff() of a changed state."""
    samples: dict[str, list[float]] = {"reset": [], "write call": [], "read call": [], "state_hash": [], "diff": []}
    with load_env("retail", seed=0) as env:
        orders = [o["order_id"] for o in env.query("SELECT order_id FROM orders WHERE status = 'pending' "
                                                   "ORDER BY order_id LIMIT 20")]
        for order in orders:
            for name, step in (("reset", env.reset),
                               ("read call", lambda order=order: env.call("get_order", {"order_id": order})),
                               ("write call", lambda order=order: env.call("cancel_order", {"order_id": order})),
                               ("state_hash", env.state_hash), ("diff", env.diff)):
                start = time.perf_counter()
                step()
                samples[name].append(time.perf_counter() - start)
    return {name: median(values) * 1000 for name, values in samples.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--dialogues", type=int, default=200, help="how many dialogues (default 200)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per setting (default 3)")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    lines = build_dialogues(args.dialogues)
    records = [Record.model_validate_json(line) for line in lines]
    calls = sum(len(m.tool_calls or []) for r in records for m in r.messages if m.role == "assistant") / len(lines)
    turns = sum(sum(1 for m in r.messages if m.role == "assistant" and m.tool_calls) for r in records) / len(lines)
    print(f"load average (1 min) at the start: {os.getloadavg()[0]:.2f}")
    print(f"built {len(lines)} retail dialogues ({calls:.1f} calls in {turns:.1f} calling turns each) in "
          f"{time.perf_counter() - start:.1f} s; {os.cpu_count()} CPUs; python {sys.version.split()[0]}")

    one = [verify_all(lines) for _ in range(args.repeats)]
    two = [two_workers(lines) for _ in range(args.repeats)]
    rate_one = report("1 worker", one, 1)
    rate_two = report("2 workers", two, 2)
    costs = state_costs()
    print("engine steps (ms, median): " + ", ".join(f"{name} {ms:.2f}" for name, ms in costs.items()))
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs "
          "(other work on the machine inflates every figure)")
    print(f"scaling 1 -> 2 workers: x{rate_two / rate_one:.2f}; target >= {TARGET_PER_CORE:.0f} dialogues/s per "
          f"core: {'met' if min(rate_one, rate_two / 2) >= TARGET_PER_CORE else 'NOT met'}")
    if one[0]["passed"] != len(lines):
        print("warning: some bench dialogues fail verification; the figures still include them", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
