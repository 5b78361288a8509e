"""What keeping the row order costs a restore: this store vs the keyed-only restore it replaced.

    python bench/restore_order.py                 # sizes 1000 and 100000
    python bench/restore_order.py --sizes 1000    # one size, quicker

Both restores run in this process, interleaved rep by rep, on a store of n rows seeded in
shuffled order; each rep writes one row (an UPDATE by key at the table's start, middle or
end, or a db.insert of a new row) and times restore() back to the seeded snapshot.
"Keyed only" deletes and re-inserts just the changed rows (the old restore, which moves
them to the end of the table); "order kept" is sandbox.state's. Prints medians and the
ratio order-kept / keyed-only.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sandbox.state import Key, Session, StateStore


class KeyedOnlyStore(StateStore):
    """The restore before the order fix: only the changed rows, re-inserted at the end."""

    def _restore_steps(self, name: str, copy: str, keys: frozenset[Key] | None) -> list[tuple[str, list[Any]]]:
        if not keys:
            return super()._restore_steps(name, copy, keys)
        table = f'main."{name}"'
        where, params = self._key_filter(self.tables[name], keys)
        return [(f"DELETE FROM {table} WHERE {where}", params),
                (f"INSERT INTO {table} SELECT * FROM {copy} WHERE {where}", params)]


def seeded(kind: type[StateStore], n: int) -> StateStore:
    store = kind()
    store.create_tables("CREATE TABLE items (item_id VARCHAR PRIMARY KEY, qty INTEGER NOT NULL, note VARCHAR);")
    store.begin()
    rows = [{"item_id": f"I{i:07d}", "qty": i, "note": f"note {i}"} for i in range(n)]
    random.Random(0).shuffle(rows)
    store.insert("items", rows)
    store.commit()
    return store


def change(store: StateStore, what: str, target: str) -> None:
    store.begin()
    if what == "insert":
        store.insert("items", [{"item_id": "NEW", "qty": 0, "note": None}])
    else:
        store.run("execute", "UPDATE items SET qty = qty + 1 WHERE item_id = ?", [target], Session.WRITE)
    store.commit()


def timed_restore(store: StateStore, snap: Any, what: str, target: str) -> int:
    change(store, what, target)
    start = time.perf_counter_ns()
    store.restore(snap)
    return time.perf_counter_ns() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="example: python bench/restore_order.py --sizes 1000,100000 --reps 15")
    parser.add_argument("--sizes", default="1000,100000", help="table sizes, comma-separated")
    parser.add_argument("--reps", type=int, default=15, help="timed restores per case and store")
    args = parser.parse_args(argv)
    print(f"{'case':<44} {'keyed only':>12} {'order kept':>12} {'ratio':>7}")
    for n in [int(s) for s in args.sizes.split(",") if s.strip()]:
        stores = {kind: seeded(kind, n) for kind in (KeyedOnlyStore, StateStore)}
        order = [r["item_id"] for r in stores[StateStore].read("SELECT item_id FROM items WHERE true")]
        snaps = {kind: store.snapshot() for kind, store in stores.items()}
        cases: list[tuple[str, str, str]] = [("update the first row", "update", order[0]),
                                             ("update the middle row", "update", order[n // 2]),
                                             ("update the last row", "update", order[-1]),
                                             ("insert a row", "insert", "")]
        for label, what, target in cases:
            samples: dict[type[StateStore], list[int]] = {kind: [] for kind in stores}
            for rep in range(args.reps + 2):
                for kind, store in stores.items():
                    elapsed = timed_restore(store, snaps[kind], what, target)
                    if rep >= 2:  # warm-up
                        samples[kind].append(elapsed)
            old, new = (statistics.median(samples[k]) / 1e3 for k in (KeyedOnlyStore, StateStore))
            print(f"{f'n={n}: restore after {label}':<44} {old:>9.0f} µs {new:>9.0f} µs {new / old:>6.2f}x",
                  flush=True)
        check: Callable[[StateStore], list[Any]] = lambda s: s.read("SELECT item_id FROM items WHERE true")  # noqa: E731
        assert check(stores[StateStore]) == [{"item_id": i} for i in order], "order kept: order differs"
        for store in stores.values():
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
