"""tau-bench retail: per task, "reset to the initial state + replay the gold actions + hash
the final state", in our engine beside the same work done tau-bench's way.

    python bench/tau_retail.py            # 5 interleaved repetitions of the 115 tasks
    python bench/tau_retail.py --reps 2   # quicker

Ours: `env.reset()`, `env.call(...)` for every gold action (sandboxed worker, argument
validation, SQL policy, transactions), `env.state_hash()` (canonical hash of all tables).
Reference: what tau-bench does per task: reload the three JSON files, run the actions on
plain dicts (each write tool in a few lines; actions whose gold output is an error change
nothing there, so they are skipped; reads are a json.dumps of the record), then the sha256
of the canonical JSON (`json.dumps(sort_keys=True)`) of the whole state. The baseline's
final states are checked against the tasks' recorded `changed` records before timing.
Both run in this process, interleaved task by task, so they share the machine's load.
Prints the per-task medians (over repetitions, then over tasks) and the ratio.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from sandbox import load_env
from sandbox.registry import resolve
from toolace_mt.tau_retail_compat import GoldTask, load_tasks, same_value

DATA = Path(resolve("tau_retail").data_dir or "")
TASKS = Path(__file__).resolve().parent.parent / "tests" / "data" / "tau_retail" / "tasks_test.jsonl"
TARGET = 5.0


# ---------------------------------------------------------------- the reference's way

def load_reference() -> dict[str, Any]:
    return {kind: json.loads((DATA / f"{kind}.json").read_text()) for kind in ("users", "orders", "products")}


def _pay(data: dict[str, Any], user_id: str, method_id: str, amount: float) -> None:
    method = data["users"][user_id]["payment_methods"][method_id]
    if method["source"] == "gift_card":
        method["balance"] = round(method["balance"] - amount, 2)


def _swap(data: dict[str, Any], order: dict[str, Any], item_ids: list[str], new_ids: list[str]) -> float:
    diff = 0.0
    for old, new in zip(item_ids, new_ids, strict=True):
        item = next(i for i in order["items"] if i["item_id"] == old)
        variant = data["products"][item["product_id"]]["variants"][new]
        diff += variant["price"] - item["price"]
    return diff


def ref_cancel(data: dict[str, Any], order_id: str, reason: str) -> None:
    order = data["orders"][order_id]
    refunds = [{"transaction_type": "refund", "amount": p["amount"], "payment_method_id": p["payment_method_id"]}
               for p in order["payment_history"]]
    for p in refunds:
        if "gift_card" in p["payment_method_id"]:
            _pay(data, order["user_id"], p["payment_method_id"], -p["amount"])
    order.update(status="cancelled", cancel_reason=reason)
    order["payment_history"].extend(refunds)


def ref_modify_items(data: dict[str, Any], order_id: str, item_ids: list[str], new_item_ids: list[str],
                     payment_method_id: str) -> None:
    order = data["orders"][order_id]
    diff = _swap(data, order, item_ids, new_item_ids)
    order["payment_history"].append({"transaction_type": "payment" if diff > 0 else "refund", "amount": abs(diff),
                                     "payment_method_id": payment_method_id})
    _pay(data, order["user_id"], payment_method_id, diff)
    for old, new in zip(item_ids, new_item_ids, strict=True):
        item = next(i for i in order["items"] if i["item_id"] == old)
        variant = data["products"][item["product_id"]]["variants"][new]
        item.update(item_id=new, price=variant["price"], options=variant["options"])
    order["status"] = "pending (item modified)"


def ref_modify_payment(data: dict[str, Any], order_id: str, payment_method_id: str) -> None:
    order = data["orders"][order_id]
    first = order["payment_history"][0]
    order["payment_history"] += [
        {"transaction_type": "payment", "amount": first["amount"], "payment_method_id": payment_method_id},
        {"transaction_type": "refund", "amount": first["amount"], "payment_method_id": first["payment_method_id"]}]
    _pay(data, order["user_id"], payment_method_id, first["amount"])
    _pay(data, order["user_id"], first["payment_method_id"], -first["amount"])


def ref_exchange(data: dict[str, Any], order_id: str, item_ids: list[str], new_item_ids: list[str],
                 payment_method_id: str) -> None:
    order = data["orders"][order_id]
    order.update(status="exchange requested", exchange_items=sorted(item_ids), exchange_new_items=sorted(new_item_ids),
                 exchange_payment_method_id=payment_method_id,
                 exchange_price_difference=round(_swap(data, order, item_ids, new_item_ids), 2))


def ref_return(data: dict[str, Any], order_id: str, item_ids: list[str], payment_method_id: str) -> None:
    data["orders"][order_id].update(status="return requested", return_items=sorted(item_ids),
                                    return_payment_method_id=payment_method_id)


def _address(**kw: str) -> dict[str, str]:
    return {k: kw[k] for k in ("address1", "address2", "city", "country", "state", "zip")}


def ref_order_address(data: dict[str, Any], order_id: str, **kw: str) -> None:
    data["orders"][order_id]["address"] = _address(**kw)


def ref_user_address(data: dict[str, Any], user_id: str, **kw: str) -> None:
    data["users"][user_id]["address"] = _address(**kw)


REF_WRITES = {
    "cancel_pending_order": ref_cancel, "modify_pending_order_items": ref_modify_items,
    "modify_pending_order_payment": ref_modify_payment, "exchange_delivered_order_items": ref_exchange,
    "return_delivered_order_items": ref_return, "modify_pending_order_address": ref_order_address,
    "modify_user_address": ref_user_address,
}
REF_READS = {"get_order_details": ("orders", "order_id"), "get_user_details": ("users", "user_id"),
             "get_product_details": ("products", "product_id")}


def reference_task(task: GoldTask) -> tuple[str, dict[str, Any]]:
    data = load_reference()
    for action in task.actions:
        if action.output.startswith("Error: "):
            continue
        if action.name in REF_WRITES:
            REF_WRITES[action.name](data, **action.kwargs)
        elif action.name in REF_READS:
            kind, key = REF_READS[action.name]
            json.dumps(data[kind][action.kwargs[key]])
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    return digest, data


# ---------------------------------------------------------------- ours

def our_task(env: Any, task: GoldTask, phases: list[float] | None = None) -> str:
    """Reset, replay, hash; `phases` gets the seconds of each of the three."""
    start = time.perf_counter()
    env.reset()
    reset = time.perf_counter()
    for action in task.actions:
        env.call(action.name, action.kwargs)
    replay = time.perf_counter()
    digest = env.state_hash()
    if phases is not None:
        phases += [reset - start, replay - reset, time.perf_counter() - replay]
    return digest


def check_baseline(tasks: list[GoldTask]) -> None:
    """The baseline does the real work: its final records are the recorded ones."""
    initial = load_reference()
    for task in tasks:
        _, data = reference_task(task)
        for kind, records in data.items():
            expected = {**initial[kind], **task.changed.get(kind, {})}
            if not same_value(records, expected):
                sys.exit(f"baseline is wrong on task {task.index} ({kind})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="repetitions of every task (default 5)")
    parser.add_argument("--tasks", type=Path, default=TASKS, help="tasks_test.jsonl")
    args = parser.parse_args()
    tasks = load_tasks(args.tasks)
    check_baseline(tasks)
    env = load_env("tau_retail", memo_size=0)  # every call runs: the reference has no memo
    with env:
        for task in tasks:  # warm-up: every code path once, and the initial hashes cached
            our_task(env, task)
        ours: dict[int, list[float]] = {t.index: [] for t in tasks}
        ref: dict[int, list[float]] = {t.index: [] for t in tasks}
        phases: list[list[float]] = []
        gc.collect()
        for _ in range(args.reps):
            for task in tasks:
                phases.append([])
                start = time.perf_counter()
                our_task(env, task, phases[-1])
                ours[task.index].append(time.perf_counter() - start)
                start = time.perf_counter()
                reference_task(task)
                ref[task.index].append(time.perf_counter() - start)
    ours_med = statistics.median(statistics.median(v) for v in ours.values()) * 1e3
    ref_med = statistics.median(statistics.median(v) for v in ref.values()) * 1e3
    calls = statistics.mean(len(t.actions) for t in tasks)
    print(f"tau-bench retail, {len(tasks)} tasks x {args.reps} reps, {calls:.1f} gold actions per task on average")
    reset, replay, digest = (statistics.median(p[i] for p in phases) * 1e3 for i in range(3))
    print(f"  ours      (reset + replay + state_hash)          median {ours_med:7.2f} ms per task")
    print(f"            reset {reset:.2f} ms, replay {replay:.2f} ms ({replay / calls:.2f} ms a call), "
          f"state_hash {digest:.2f} ms (medians of each phase)")
    print(f"  reference (load JSON + replay on dicts + sha256)  median {ref_med:7.2f} ms per task")
    ratio = ref_med / ours_med
    print(f"  ratio reference / ours: {ratio:.1f}x (goal >= {TARGET:g}x: {'met' if ratio >= TARGET else 'missed'})")


if __name__ == "__main__":
    main()
