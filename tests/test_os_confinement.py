"""The OS layer on its own: raw, unrestricted Python in a confined worker cannot touch
the machine (tests/confined_python.py runs it through the worker's own load path).

Linux with libseccomp only (the layer's platform); elsewhere the worker runs without it
and the engine warns once, which the last tests check on any platform.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from envkit import load_source, module_source

from sandbox import os_confinement
from sandbox.environment import ConfinementUnavailable
from sandbox.registry import resolve
from sandbox.worker_client import WorkerProcess

HELPER = Path(__file__).resolve().parent / "confined_python.py"
LINUX = sys.platform.startswith("linux")
ROOT = LINUX and os.geteuid() == 0


def _has_libseccomp() -> bool:
    return LINUX and os_confinement._load_libseccomp() is not None


needs_seccomp = pytest.mark.skipif(not _has_libseccomp(), reason="the OS layer needs Linux and libseccomp")


def confined(probes: dict[str, str], **options: object) -> dict:
    """Run each probe (Python source; its `result` is reported) in a confined worker."""
    done = subprocess.run([sys.executable, str(HELPER)], input=json.dumps({"probes": probes, **options}),
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def denied(outcome: dict) -> bool:
    """Refused by the OS layer: EPERM from the seccomp filter, or EMFILE from the pinned
    RLIMIT_NOFILE (subprocess makes its pipes before it forks)."""
    return not outcome["ok"] and any(text in outcome["error"] for text in (
        "PermissionError", "Operation not permitted", "Too many open files"))


@pytest.fixture(scope="module")
def markers(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("confined")
    directory.chmod(0o777)  # so that only the OS layer, not the directory's owner, stops a write as nobody
    return directory


@needs_seccomp
def test_open_exec_fork_and_sockets_fail_in_a_confined_worker(markers: Path) -> None:
    marker = markers / "escaped"
    probes = {
        "open_write": f"open({str(marker)!r}, 'w').write('x')",
        "open_read": "result = open('/etc/hostname').read()",
        "os_system": f"import os\nresult = os.system('touch {marker}')",
        "subprocess": f"import subprocess\nsubprocess.run(['touch', {str(marker)!r}])",
        "socket": "import socket\nsocket.socket(socket.AF_INET, socket.SOCK_STREAM)",
        "socketpair": "import socket\nsocket.socketpair()",
        "fork": "import os\nresult = os.fork()",
        "execv": "import os\nos.execv('/bin/true', ['true'])",
        "libc_open": "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                     "result = (libc.open(b'/etc/hostname', 0), ctypes.get_errno())",
        "mkdir": f"import os\nos.mkdir({str(markers / 'dir')!r})",
        "kill_init": "import os\nos.kill(1, 0)",
        "ptrace_init": "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                       "result = (libc.ptrace(16, 1, 0, 0), ctypes.get_errno())",
        # What stays allowed: computing, memory, signals to itself.
        "compute": "result = sum(range(1000)) + len('x' * 10**6)",
        "signal_self": "import os\nos.kill(os.getpid(), 0)\nresult = 'alive'",
    }
    report = confined(probes)
    results = report["results"]
    assert report["load"]["ok"], report["load"]
    assert {"no_new_privs", "seccomp", "rlimits"} <= set(report["load"]["confinement"]["applied"])
    for name in ("open_write", "open_read", "subprocess", "socket", "socketpair", "fork", "execv", "mkdir",
                 "kill_init"):
        assert denied(results[name]), (name, results[name])
    assert results["os_system"] == {"ok": True, "value": str(127 << 8)}  # the shell could not even start
    assert results["libc_open"]["value"] == "(-1, 1)"  # EPERM from the kernel, not from Python
    assert results["ptrace_init"]["value"] == "(-1, 1)"
    assert results["compute"] == {"ok": True, "value": str(sum(range(1000)) + 10**6)}
    assert results["signal_self"] == {"ok": True, "value": "'alive'"}
    assert not marker.exists() and not (markers / "dir").exists()
    if ROOT:  # a worker started as root runs as nobody, with no supplementary groups
        assert report["ids"]["uid"] != 0 and report["ids"]["gid"] != 0 and report["ids"]["groups"] == []
        assert "user nobody" in report["load"]["confinement"]["applied"]


@needs_seccomp
def test_the_worker_of_a_loaded_env_is_confined_and_still_serves(tmp_path: Path) -> None:
    with load_source(tmp_path, "confined_env", module_source()) as env:
        assert env.call("ping").result == {"item_id": "I01", "qty": 1}
        pid = env._worker._process.pid
        status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
        assert status["Seccomp"].strip() == "2" and status["NoNewPrivs"].strip() == "1"
        if ROOT:
            assert status["Uid"].split()[0] == "65534"
        limits = Path(f"/proc/{pid}/limits").read_text()
        assert [line.split()[2:4] for line in limits.splitlines() if line.startswith("Max processes")] == [["0", "0"]]
        assert env.call("ping").ok


def test_without_libseccomp_the_worker_still_loads_and_says_what_is_missing() -> None:
    report = confined({"read": "result = len(open('/etc/hostname').read()) >= 0"}, no_seccomp=True)
    assert report["load"]["ok"], report["load"]
    missing = report["load"]["confinement"]["missing"]
    assert missing and "seccomp" in missing[0]


def test_the_engine_warns_once_when_the_os_layer_is_missing(tmp_path: Path, monkeypatch) -> None:
    loaded = WorkerProcess.loaded

    def without_layer(self: WorkerProcess, timeout: float = 60.0) -> dict:
        reply = loaded(self, timeout)
        return {**reply, "confinement": {"applied": [], "missing": ["seccomp (libseccomp.so.2 not found)"]}}

    monkeypatch.setattr(WorkerProcess, "loaded", without_layer)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        with load_source(tmp_path, "unconfined", module_source()) as env:
            assert env.call("ping").ok  # the env works without the layer
            env._loaded(resolve(env.path))  # a second load's report: no second warning
    found = [w for w in caught if issubclass(w.category, ConfinementUnavailable)]
    assert len(found) == 1, [str(w.message) for w in caught]
    assert "libseccomp" in str(found[0].message) and "RestrictedPython" in str(found[0].message)


def test_a_confined_worker_may_write_to_a_stderr_that_is_a_file(tmp_path: Path) -> None:
    """The engine's stderr is often a log file; the worker inherits it (tracebacks,
    warnings), so the OS layer must not kill it for writing there (no RLIMIT_FSIZE)."""
    log = tmp_path / "engine.log"
    with log.open("w") as stderr:
        done = subprocess.run([sys.executable, str(HELPER)], stdout=subprocess.PIPE, stderr=stderr, text=True,
                              input=json.dumps({"probes": {"say": "import sys\nsys.stderr.write('x' * 100000)\n"
                                                                 "sys.stderr.flush()\nresult = 'alive'"}}),
                              timeout=60, check=False)
    assert done.returncode == 0
    assert json.loads(done.stdout)["results"]["say"] == {"ok": True, "value": "'alive'"}
    assert log.read_text().count("x") >= 100000
