"""`--executor ray` for generate and verify, on one local Ray (num_cpus=2) shared by the
test session (the Ray runs are marked slow: starting actors that build their envs takes
15-60 s here; run them with `-m slow`): the output equals a local run byte for byte, `--resume` continues it, an actor
killed mid-run loses nothing (its attempts run again elsewhere), env files travel to the
actors, API keys never do, and a missing Ray names the extra to install."""

from __future__ import annotations

import json
import pickle
import re
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from toolace_mt.cli import main
from toolace_mt.executors import ExecutorChoice
from toolace_mt.executors import ray_pool as ray_pool_module
from toolace_mt.executors.env_shipping import EnvBundle, ShippedFile, bundle_env_refs, bundle_envs
from toolace_mt.executors.ray_pool import RayPool
from toolace_mt.generation.run import ActorAttempts, RunOptions
from toolace_mt.llm import ModelSettings

ROOT = Path(__file__).resolve().parent.parent
TICKET = str(ROOT / "fixtures" / "envs" / "ticket.py")
RETAIL_DIALOGUES = ROOT / "fixtures" / "dialogues" / "retail.jsonl"


@pytest.fixture(scope="session")
def local_ray() -> Iterator[Any]:
    """One local Ray for the test session (starting one takes seconds); the code under test
    finds it initialised and joins it instead of starting its own."""
    import ray

    for attempt in range(3):  # Ray waits at most 30 s for its node: not always enough on a loaded machine
        if ray.is_initialized():
            break
        try:
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="warning")
        except Exception:
            ray.shutdown()
            if attempt == 2:
                raise
    yield ray
    ray.shutdown()


def generate(out: Path, *extra: str, envs: tuple[str, ...] = ("retail", TICKET), n: int = 4) -> int:
    return main(["generate", *[a for e in envs for a in ("--env", e)], "-n", str(n), "--seed", "3",
                 "-o", str(out), *extra])


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local one-process run of a built-in env and an env file: what the Ray runs must equal."""
    out = tmp_path_factory.mktemp("local") / "local.jsonl"
    assert generate(out) == 0
    return out


@pytest.mark.slow  # a local Ray and new actors (each builds its envs): 15-60 s on 2 loaded cores
def test_generate_on_ray_writes_the_local_output_byte_for_byte(local_ray: Any, local_run: Path,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "ray.jsonl"
    assert generate(out, "--executor", "ray", "--workers", "2") == 0
    assert out.read_bytes() == local_run.read_bytes()
    envs = [json.loads(line)["env"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert set(envs) == {"retail", "ticket.py"}  # the env file was loaded on the actors, named as locally
    attempts = [json.loads(line) for line in (tmp_path / "ray.jsonl.attempts.jsonl").read_text().splitlines()]
    local_attempts = [json.loads(line) for line in
                      local_run.with_name("local.jsonl.attempts.jsonl").read_text().splitlines()]
    assert [(a["attempt"], a["env"], a["accepted"]) for a in attempts] == \
        [(a["attempt"], a["env"], a["accepted"]) for a in local_attempts]


@pytest.mark.slow  # a local Ray and new actors (each builds its envs): 15-60 s on 2 loaded cores
def test_resume_on_ray_continues_to_the_local_output(local_ray: Any, local_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "ray.jsonl"
    assert generate(out, "--executor", "ray", "--workers", "2", n=2) == 0
    assert out.read_bytes() == b"".join(local_run.read_bytes().splitlines(keepends=True)[:2])
    assert generate(out, "--executor", "ray", "--workers", "2", "--resume") == 0
    assert out.read_bytes() == local_run.read_bytes()


def killing_pool(pools: list[Any]) -> type[RayPool[Any, Any]]:
    """A RayPool that kills the actor it has just sent the third job, before it can answer
    (as a node that dies would): that job is lost with it and must be run again elsewhere."""

    class KillingPool(RayPool[Any, Any]):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.sent = 0
            self.killed: Any = None
            pools.append(self)

        def _submit(self, pending: dict[Any, tuple[int, Any, Any]], seq: int, job: Any) -> None:
            super()._submit(pending, seq, job)
            self.sent += 1
            if self.sent == 3:
                self.killed = next(reversed(pending.values()))[2]
                self._ray.kill(self.killed)

    return KillingPool


@pytest.mark.slow  # a local Ray and new actors (each builds its envs): 15-60 s on 2 loaded cores
def test_an_actor_killed_mid_run_loses_no_record(local_ray: Any, local_run: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    pools: list[Any] = []
    monkeypatch.setattr(ray_pool_module, "RayPool", killing_pool(pools))
    out = tmp_path / "ray.jsonl"
    assert generate(out, "--executor", "ray", "--workers", "2") == 0
    (pool,) = pools
    assert pool.killed is not None and pool.lost >= 1  # the killed actor's job was sent again
    assert all(actor is not pool.killed for actor in pool.actors) and len(pool.actors) == 0  # closed
    assert out.read_bytes() == local_run.read_bytes()


@pytest.mark.slow  # a local Ray and new actors (each builds its envs): 15-60 s on 2 loaded cores
def test_verify_on_ray_prints_and_keeps_what_a_local_verify_does(local_ray: Any, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data.jsonl"
    lines = RETAIL_DIALOGUES.read_text(encoding="utf-8").splitlines(keepends=True) * 3
    lines.insert(5, "{not json\n")  # an unreadable line is a failed record wherever it is read
    data.write_text("".join(lines), encoding="utf-8")
    results = {}
    for name, extra in (("local", []), ("ray", ["--executor", "ray", "--workers", "2"])):
        kept = tmp_path / f"{name}.kept.jsonl"
        code = main(["verify", str(data), "--json", "--keep-passed", str(kept), *extra])
        results[name] = (code, capsys.readouterr().out, kept.read_bytes())
    assert results["ray"] == results["local"]
    code, printed, kept = results["ray"]
    assert len(lines) == 16  # two batches of 8, so both actors verify
    assert code == 1 and printed.count("\n") == 16 and kept.count(b"\n") == 15


def test_a_missing_ray_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails as when it is not installed
    assert generate(tmp_path / "out.jsonl", "--executor", "ray") == 2
    assert 'pip install "toolace-mt[ray]"' in capsys.readouterr().err
    assert main(["verify", str(RETAIL_DIALOGUES), "--executor", "ray"]) == 2
    assert 'pip install "toolace-mt[ray]"' in capsys.readouterr().err
    assert not (tmp_path / "out.jsonl").exists()


def test_ray_address_without_the_ray_executor_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert generate(tmp_path / "out.jsonl", "--ray-address", "auto") == 2
    assert "--ray-address needs --executor ray" in capsys.readouterr().err
    assert main(["verify", str(RETAIL_DIALOGUES), "--executor", "ray", "--ray-address", "a b"]) == 2
    assert "--ray-address expects" in capsys.readouterr().err


def test_what_is_sent_to_the_actors_holds_no_api_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = "sk-test-0123456789-never-sent"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    options = RunOptions(envs=["retail", TICKET], n=2, seed=1, out=tmp_path / "o.jsonl", max_attempts=6,
                         backend="openai", model=ModelSettings(model="m", base_url="http://127.0.0.1:9/v1"),
                         executor=ExecutorChoice(name="ray", actors=2))
    from ray import cloudpickle  # what Ray serialises actor arguments with

    sent = cloudpickle.dumps((ActorAttempts, options, bundle_envs(options.envs)))
    assert secret.encode() not in sent
    assert b"OPENAI_API_KEY" in sent  # the variable's name goes, each node reads its own value


def test_env_files_travel_with_their_data_and_come_back_under_the_same_name(tmp_path: Path) -> None:
    bundle = pickle.loads(pickle.dumps(bundle_envs(["retail", TICKET])))
    placed, root = bundle.materialize()
    try:
        assert root is not None and placed["retail"] == "retail"
        copy = Path(placed[TICKET])
        assert copy.name == "ticket.py" and copy.read_bytes() == Path(TICKET).read_bytes()
        assert root in copy.parents
    finally:
        import shutil

        shutil.rmtree(root)
    assert bundle_envs(["retail", "banking"]).materialize() == ({"retail": "retail", "banking": "banking"}, None)


def test_a_shipped_file_cannot_leave_its_directory() -> None:
    bundle = EnvBundle(placed={"x.py": "env0/x.py"},
                       files=(ShippedFile(relative="../../escaped.py", content=b"x = 1\n"),))
    with pytest.raises(ValueError, match="would leave its directory"):
        bundle.materialize()


def test_verify_env_dirs_travel_as_their_modules(tmp_path: Path) -> None:
    from toolace_mt.env_refs import EnvRefs

    envs = tmp_path / "envs"
    (envs / "sub").mkdir(parents=True)
    (envs / "shop.py").write_text("# shop\n")
    (envs / "sub" / "v2.py").write_text("# v2\n")
    (envs / "notes.txt").write_text("not an env\n")
    (envs / "data" / "shop").mkdir(parents=True)
    (envs / "data" / "shop" / "prices.csv").write_text("a,b\n")
    bundle = bundle_env_refs(EnvRefs(dirs=(envs,)))
    refs, root = bundle.materialize()
    try:
        assert root is not None
        assert refs.resolve("shop.py") == str(root / "dir0" / "shop.py")
        assert refs.resolve("sub/v2.py") == str(root / "dir0" / "sub" / "v2.py")
        assert (root / "dir0" / "data" / "shop" / "prices.csv").read_text() == "a,b\n"
        assert not (root / "dir0" / "notes.txt").exists()
    finally:
        import shutil

        shutil.rmtree(root)


@pytest.mark.slow  # a local Ray and new actors (each builds its envs): 15-60 s on 2 loaded cores
def test_readme_cluster_example_gives_the_same_bytes(local_ray: Any, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running on a cluster", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```bash\n(.*?)```", section, re.S)[0].strip().splitlines()
    local, on_ray, compare = block
    monkeypatch.chdir(tmp_path)
    assert main(shlex.split(local)[1:]) == 0
    assert main(shlex.split(on_ray)[1:]) == 0
    assert compare.startswith("cmp local.jsonl on-ray.jsonl")
    assert (tmp_path / "on-ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
