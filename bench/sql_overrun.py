"""How far past its deadline one env SQL statement can run in the engine (a known residual risk).

    python bench/sql_overrun.py              # list sizes 10M and 30M, 2 s call limit
    python bench/sql_overrun.py --sizes 100000000

The query watchdog interrupts DuckDB at the call's deadline, but DuckDB checks for an
interrupt only between vectors: one scalar call that builds a huge list or string
(`range(n)`, `repeat(x, n)`, `list_resize`, a lambda over another list) runs to its end or
to the memory limit first. Prints, per statement, the call's wall time against its limit
and the error it ended with. Figures depend on the machine's load: print `uptime` with them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sandbox import Limits, load_env

MODULE = '''"""Statements that build one huge value in a single scalar call."""
from sandbox.authoring import Db, Fake, tool

TABLES = """
CREATE TABLE items (item_id VARCHAR PRIMARY KEY, qty INTEGER NOT NULL);
"""


def seed(db: Db, fake: Fake) -> None:
    db.insert("items", [{"item_id": "I1", "qty": 1}])


@tool
def run(db: Db, sql: str) -> dict:
    """Run one read statement.

    Args:
        sql: The statement.
    """
    return {"rows": db.query(sql)}
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000_000, 30_000_000])
    parser.add_argument("--timeout", type=float, default=2.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "overrun.py"
        path.write_text(MODULE, encoding="utf-8")
        with load_env(path, limits=Limits(timeout_s=args.timeout)) as env:
            print(f"load average {os.getloadavg()[0]:.2f}; call limit {args.timeout:g} s")
            for size in args.sizes:
                for sql in (f"SELECT len(range({size})) AS n", f"SELECT length(repeat('a', {size * 10})) AS n",
                            f"SELECT len(list_transform(range({size // 1000}), x -> range(1000))) AS n"):
                    started = time.perf_counter()
                    result = env.call("run", {"sql": sql})
                    took = time.perf_counter() - started
                    outcome = result.error.type if result.error else "answered"
                    print(f"{took:7.2f} s  ({took / args.timeout:5.1f}x the limit)  {outcome:12}  {sql}")
            started = time.perf_counter()
            env.call("run", {"sql": "SELECT 1 AS n"})
            print(f"next call: {time.perf_counter() - started:.3f} s")


if __name__ == "__main__":
    main()
