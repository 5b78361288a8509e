"""Issue 17: records of one run name two same-named env files in different directories
apart (by their path relative to the run's env root), and a run resumes after its env
directory moved when the envs' sources (digests) are the same."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sandbox.registry import builtin_dir
from toolace_mt.cli import main
from toolace_mt.env_refs import run_env_refs


def _two_banks(root: Path) -> tuple[Path, Path]:
    """Two env files both named bank.py, in root/east and root/west (different sources)."""
    east, west = root / "east" / "bank.py", root / "west" / "bank.py"
    for path in (east, west):
        path.parent.mkdir(parents=True)
    shutil.copy(builtin_dir() / "banking.py", east)
    west.write_text((builtin_dir() / "banking.py").read_text(encoding="utf-8") + "\n# the west branch\n",
                    encoding="utf-8")
    return east, west


def test_same_named_files_get_distinct_refs_relative_to_their_common_dir(tmp_path: Path) -> None:
    east, west = _two_banks(tmp_path / "envs")
    refs = run_env_refs(["retail", str(east), str(west)])
    assert refs == {"retail": "retail", str(east): "east/bank.py", str(west): "west/bank.py"}
    # one file alone: its file name, as before
    assert run_env_refs([str(east)]) == {str(east): "bank.py"}


def test_refs_are_relative_to_the_env_dir_given(tmp_path: Path) -> None:
    east, west = _two_banks(tmp_path / "envs")
    assert run_env_refs([str(east)], tmp_path) == {str(east): "envs/east/bank.py"}
    assert run_env_refs([str(builtin_dir() / "retail.py")], tmp_path) == {str(builtin_dir() / "retail.py"): "retail"}
    with pytest.raises(ValueError, match=r"is not inside --env-dir .*east"):
        run_env_refs([str(west)], tmp_path / "envs" / "east")


def test_generate_refuses_an_env_outside_the_env_dir_and_a_missing_dir(tmp_path: Path, capsys) -> None:
    east, west = _two_banks(tmp_path / "envs")
    out = tmp_path / "out.jsonl"
    assert main(["generate", "--env", str(west), "--env-dir", str(east.parent), "-n", "1", "-o", str(out)]) == 2
    assert "is not inside --env-dir" in capsys.readouterr().err
    assert main(["generate", "--env", str(west), "--env-dir", str(tmp_path / "nope"), "-n", "1", "-o", str(out)]) == 2
    assert "--env-dir: no such directory" in capsys.readouterr().err
    assert not out.exists() or not out.read_text()


@pytest.mark.slow
def test_same_named_envs_do_not_collide_and_a_moved_dir_resumes(tmp_path: Path, capsys) -> None:
    east, west = _two_banks(tmp_path / "a" / "envs")
    out = tmp_path / "data.jsonl"
    argv = ["generate", "--env", str(east), "--env", str(west), "-o", str(out)]
    assert main([*argv, "-n", "2"]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["env"] for r in records] == ["east/bank.py", "west/bank.py"]
    assert records[0]["env_digest"] != records[1]["env_digest"]
    capsys.readouterr()
    assert main(["verify", str(out), "--env-dir", str(tmp_path / "a" / "envs")]) == 0
    # the env directory moves; the same sources resume from the new place
    moved = tmp_path / "b" / "shared"
    moved.parent.mkdir()
    shutil.move(str(tmp_path / "a" / "envs"), str(moved))
    again = ["generate", "--env", str(moved / "east" / "bank.py"), "--env", str(moved / "west" / "bank.py"),
             "-o", str(out), "--resume", "-n", "3"]
    assert main(again) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["env"] for r in records] == ["east/bank.py", "west/bank.py", "east/bank.py"]
    assert main(["verify", str(out), "--env-dir", str(moved)]) == 0
    # a changed source is still refused
    (moved / "west" / "bank.py").write_text((moved / "west" / "bank.py").read_text() + "# edited\n")
    capsys.readouterr()
    assert main([*again[:-1], "4"]) == 2
    assert "env source digests" in capsys.readouterr().err
