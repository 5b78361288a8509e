"""Helpers for the sandbox tests: small env modules written to disk and loaded.

An env module here is source text: a fixed header (docstring, imports, one `items`
table, a `seed`) plus tools built from short bodies. Every attack tool takes a
`marker` argument: a path the attack would create or write if it got out.
"""

from __future__ import annotations

import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sandbox import Environment, EnvLoadError, Limits, load_env

HEADER = '''"""A tiny env for sandbox tests: a table of items."""
from sandbox.authoring import Db, Fake, ToolError, tool

TABLES = """
CREATE TABLE items (item_id VARCHAR PRIMARY KEY, qty INTEGER NOT NULL);
"""
'''

SEED = '''
def seed(db: Db, fake: Fake) -> None:
    db.insert("items", [{"item_id": "I%02d" % i, "qty": i} for i in range(5)])
'''

PING = '''
@tool
def ping(db: Db) -> dict:
    """A normal read: one item and its quantity."""
    return db.one("SELECT item_id, qty FROM items WHERE item_id = 'I01'")
'''


def indent(body: str, spaces: int = 4) -> str:
    return textwrap.indent(textwrap.dedent(body).strip("\n"), " " * spaces)


def tool_source(name: str, body: str, *, writes: bool = False, params: dict[str, str] | None = None) -> str:
    """A tool `name(db, marker: str)` whose body is `body` (dedented, any indentation).

    `params` replaces the default `{"marker": "str"}` (name -> type hint).
    """
    params = {"marker": "str"} if params is None else params
    decorator = "@tool(writes=True)" if writes else "@tool"
    signature = "".join(f", {p}: {t}" for p, t in params.items())
    args = "".join(f"        {p}: The {p} argument.\n" for p in params)
    doc = f'    """Attack {name}.\n\n    Args:\n{args}    """\n' if params else f'    """Attack {name}."""\n'
    return f"\n\n{decorator}\ndef {name}(db: Db{signature}) -> dict:\n{doc}{indent(body)}\n"


def module_source(*parts: str, seed: str = SEED, prelude: str = "") -> str:
    """HEADER + prelude + seed + ping + the given parts (tool sources or raw code)."""
    return HEADER + textwrap.dedent(prelude) + seed + PING + "".join(parts)


def seed_source(body: str) -> str:
    """A seed() whose body is `body` (it should also insert the items)."""
    return f"\n\ndef seed(db: Db, fake: Fake) -> None:\n{indent(body)}\n"


def write_module(directory: Path, name: str, source: str) -> Path:
    path = Path(directory) / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    return path


def load_source(directory: Path, name: str, source: str, limits: Limits | None = None,
                seed: int = 0) -> Environment:
    return load_env(write_module(directory, name, source), seed=seed, limits=limits)


def try_load(directory: Path, name: str, source: str, limits: Limits | None = None,
             seed: int = 0) -> Environment | EnvLoadError:
    """The loaded env, or the EnvLoadError loading raised."""
    try:
        return load_source(directory, name, source, limits, seed)
    except EnvLoadError as exc:
        return exc


def load_many(directory: Path, sources: dict[str, str], limits: Limits | None = None,
              seed: int = 0) -> dict[str, Environment | EnvLoadError]:
    """Load several modules at once (each load spawns a worker process)."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(try_load, directory, name, src, limits, seed)
                   for name, src in sources.items()}
        return {name: future.result() for name, future in futures.items()}


def line_of(source: str, needle: str) -> int:
    """The 1-based line of the first line of `source` containing `needle`."""
    for number, line in enumerate(source.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} is not in the source")
