"""Test-only: raw, unrestricted Python run inside a worker confined as every worker is.

    echo '{"probes": {"name": "python source"}}' | python tests/confined_python.py

It goes through the worker's own load path (`sandbox.worker.Worker.load`, which applies
sandbox.os_confinement right after compiling the module and before any env code), then
runs each probe with the real builtins, as code that got past RestrictedPython would,
and prints {"load": ..., "results": {name: {"ok", "value" | "error"}}, "ids": ...} as
JSON. It lives under tests/ only: no env code, CLI or API can reach it.

`"no_seccomp": true` makes libseccomp look absent, to see what a platform without it gets.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
import os
import socket  # noqa: F401 - loaded before the confinement, as if an attacker found them in memory
import subprocess  # noqa: F401
import sys

from sandbox import os_confinement
from sandbox.worker import Worker

MODULE = '''"""The env whose load confines the process."""
from sandbox.authoring import Db, Fake, tool

TABLES = "CREATE TABLE items (item_id VARCHAR PRIMARY KEY);"


def seed(db: Db, fake: Fake) -> None:
    pass


@tool
def ping(db: Db) -> dict:
    """Answer."""
    return {}
'''
LIMITS = {"timeout_s": 2.0, "seed_timeout_s": 120.0, "memory_mb": 512, "recursion": 200,
          "max_result_bytes": 65536, "max_depth": 64}


def main() -> None:
    request = json.loads(sys.stdin.read())
    if request.get("no_seccomp"):
        os_confinement._load_libseccomp = lambda: None  # type: ignore[assignment]
    out = os.dup(1)
    worker = Worker(0, out)
    loaded = worker.load({"op": "load", "source": MODULE, "filename": "probe_env.py", "module": "env_probe",
                          "now": dt.datetime(2026, 1, 1, 9).isoformat(), "limits": LIMITS, "seeding": False})
    results = {}
    for name, source in request["probes"].items():
        namespace = {"__builtins__": builtins, "__name__": "probe"}
        try:
            exec(source, namespace)
            results[name] = {"ok": True, "value": repr(namespace.get("result"))}
        except BaseException as exc:
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    reply = {"load": {"ok": loaded["ok"], "problems": loaded["problems"], "confinement": loaded.get("confinement")},
             "results": results, "ids": {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups()}}
    os.write(out, json.dumps(reply).encode())


if __name__ == "__main__":
    main()
