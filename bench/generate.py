"""Generator benchmark: offline NAIG throughput (1 and 2 workers) with time by stage,
model calls per accepted dialogue NAIG vs MAS at the same dialogue shape, and data
quality on K dialogues per env.

    python bench/generate.py                          # K = 1000 dialogues per env (long)
    python bench/generate.py --dialogues 200 -n 100   # quicker
    python bench/generate.py --quality-only --dialogues 150 --envs retail bench/fresh_envs/helpdesk.py

Everything goes through `run_generate`, the code path of `toolace-mt generate` (every
call executed, every dialogue verified; a dropped dialogue is not counted as accepted).

1. Throughput, retail, --seed S, the generator's default shape (--subtasks 2-5
   --steps 1-6: about 10 tool calls per accepted dialogue on retail, printed below;
   change it with --subtasks/--steps). "1 worker" runs in this process; "2 workers" is
   `--workers 2` (spawned processes). Rates are accepted dialogues / wall time of the
   run, start-up included (the per-process start-up, mostly building each env's
   workbench and screening its write tools, is printed apart, and the rate without
   it: accepted / (wall - start-up), the rate a long run approaches). -n defaults to
   300 so that a run is mostly generation, as a user's runs are. The two outputs are
   compared byte for byte.
2. Time by stage, from the 1-worker run: wall time inside naig.skeleton (reset, plan,
   drafting with trial executions), naig.inject (mask-and-extend, re-execution),
   naig.refine (mask-and-fill + judge), naig.build_record (final hash and diff),
   Verifier.verify (the stage-3 gate: replay and checks); "other" is the rest of the
   attempt (serialising, bookkeeping).
3. Quality per env on K NAIG dialogues with the default settings (`toolace_mt.stats`):
   Distinct-3 of user turns, share of dialogues with each injection type, share of the
   env's tools called at least once, share of calling turns with parallel calls, and the
   trajectory section (share of dialogues with each finding of the verifier's trajectory
   checks: necessity, disambiguation, confirmation, answer, reply style, persona, plan).
   Goals: Distinct-3 >= 0.36, each type >= 15%, >= 95% of tools, no finding above 2%.
   --envs takes built-in names or .py env modules (envs the generator was never tuned on).
4. Model calls per accepted dialogue, NAIG vs MAS: per env, MAS runs -n M with the same
   seed and settings as the NAIG quality run (whose records give NAIG's side); attempt
   i of both is the same task plan, so the shapes match. Each side: calls of every
   attempt of its run (dropped ones and generation failures too) / dialogues accepted;
   "generation only" leaves out the 3 verifier sub-question calls each attempt pays.
   "MAS+sim" adds what the paper's MAS also paid and ours does not, since our tools run
   for real: one tool-agent call per assistant turn with calls (counted on MAS's
   accepted dialogues). The paper measured 0.58x; our goal is <= 0.40x.
5. `--executor ray` (run alone: `python bench/generate.py --executor ray -n 100`):
   offline NAIG on retail with `--workers 2` (processes) beside `--executor ray` with 2
   actors on a local Ray of 2 CPUs (the Ray start is timed apart; actor start-up, like
   process start-up, is in the run). Prints accepted dialogues/s of both, Ray's
   overhead per attempt ((Ray wall - local wall) / attempts, and the round trip of a
   no-op actor call), and the driver's cost per record: run_generate's loop fed
   finished results (ordering, the summary, writing and flushing the record and its
   attempt-log line), then the same through RayPool's reorder buffer from actors that
   return finished results (Ray's transfer and deserialisation included): the records/s
   one driver can take in, the ceiling of any cluster (docs/scaling.md).
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sandbox import Environment  # noqa: E402
from sandbox.registry import builtin_names  # noqa: E402
from toolace_mt.env_refs import EnvRefs  # noqa: E402
from toolace_mt.generation import naig  # noqa: E402
from toolace_mt.generation.backends.interface import INJECTION_TYPES  # noqa: E402
from toolace_mt.generation.run import RunOptions, RunSummary, run_generate  # noqa: E402
from toolace_mt.generation.settings import Settings  # noqa: E402
from toolace_mt.generation.workbench import Workbench  # noqa: E402
from toolace_mt.jsonl import RecordLine, read_records  # noqa: E402
from toolace_mt.stats import compute_stats  # noqa: E402
from toolace_mt.verifier import Verifier  # noqa: E402
from toolace_mt.verifier.dialogue import CHECK_IDS, DEFAULT_CHECKS  # noqa: E402
from toolace_mt.verifier.trajectory import PolicyCache, trajectory_findings  # noqa: E402

STAGES = ("skeleton", "inject", "refine", "build_record", "verify")
ENGINE = ("call", "peek", "snapshot", "restore", "reset", "state_hash", "diff", "query")
VERIFY_CALLS = 3  # the verifier's specialist sub-questions, one model call each, paid by both methods


def _range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    return int(low), int(high or low)


# ---------------------------------------------------------------- running

class StageClock:
    """Wall time spent inside the stage functions (this process only)."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self.count: Counter[str] = Counter()
        self._undo: list[Callable[[], None]] = []

    def _wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - start
                self.count[label] += 1

        setattr(owner, name, timed)
        self._undo.append(lambda: setattr(owner, name, original))

    @contextlib.contextmanager
    def running(self) -> Iterator[StageClock]:
        for stage in ("skeleton", "inject", "refine", "build_record"):
            self._wrap(naig, stage, stage)  # generate_naig looks these up at call time
        self._wrap(Verifier, "verify", "verify")
        for operation in ENGINE:  # the engine, in every stage (the verifier's env too)
            self._wrap(Environment, operation, f"env.{operation}")
        try:
            yield self
        finally:
            for undo in reversed(self._undo):
                undo()
            self._undo.clear()


def generate(envs: list[str], n: int, seed: int, out: Path, settings: Settings, workers: int = 1,
             method: str = "naig", keep_failed: Path | None = None,
             executor: Any = None, checks: tuple[str, ...] | None = None) -> tuple[RunSummary, float]:
    options = RunOptions(envs=envs, n=n, seed=seed, out=out, method=method, workers=workers,  # type: ignore[arg-type]
                         max_attempts=3 * n, keep_failed=keep_failed, settings=settings, checks=checks,
                         **({"executor": executor} if executor is not None else {}))
    with contextlib.redirect_stderr(io.StringIO()):  # the progress lines
        accepted, summary, seconds = run_generate(options)
    if accepted < n:
        print(f"  (only {accepted}/{n} accepted within {3 * n} attempts)")
    return summary, seconds


def read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def tool_calls(record: dict[str, Any]) -> int:
    return sum(len(m.get("tool_calls") or []) for m in record["messages"] if m["role"] == "assistant")


def startup_seconds(env: str, seed: int) -> float:
    start = time.perf_counter()
    Workbench(env, seed).close()
    return time.perf_counter() - start


# ---------------------------------------------------------------- sections

def throughput(args: argparse.Namespace, settings: Settings, work: Path) -> None:
    env, n = "retail", args.n
    print(f"== 1. throughput: offline NAIG, {env}, -n {n}, --seed {args.seed}, "
          f"--subtasks {settings.subtasks[0]}-{settings.subtasks[1]} --steps {settings.steps[0]}-{settings.steps[1]}")
    startup = startup_seconds(env, args.seed)
    print(f"start-up per process (workbench of {env}): {startup:.2f} s")
    one, two = work / "tp1.jsonl", work / "tp2.jsonl"
    clock = StageClock()
    with clock.running():
        summary1, wall1 = generate([env], n, args.seed, one, settings, workers=1)
    summary2, wall2 = generate([env], n, args.seed, two, settings, workers=2)
    calls = [tool_calls(r) for r in read(one)]
    print(f"tool calls per accepted dialogue: mean {statistics.mean(calls):.1f}, median {statistics.median(calls):g}, "
          f"min {min(calls)}, max {max(calls)}; pass rate {summary1.as_dict(wall1)['pass_rate']}")
    for label, wall, summary in (("1 worker ", wall1, summary1), ("2 workers", wall2, summary2)):
        print(f"{label}: {n / wall:6.2f} accepted dialogues/s  ({wall:.1f} s, {summary.attempts} attempts); "
              f"without start-up {n / max(wall - startup, 1e-9):6.2f}/s")
    print(f"speed-up of 2 workers {wall1 / wall2:.2f}x  (goal: 40/s on 2 workers)")
    print(f"outputs of 1 and 2 workers byte-identical: {'yes' if one.read_bytes() == two.read_bytes() else 'NO'}")

    print("\n== 2. time by stage (1-worker run above; ms per attempt, share of the attempts' time)")
    attempts = summary1.attempts
    total = summary1.seconds_in_attempts
    rows = [(stage, clock.seconds[stage]) for stage in STAGES]
    rows.append(("other", total - sum(s for _, s in rows)))
    for stage, seconds in rows:
        print(f"  {stage:<13}{seconds / attempts * 1000:8.1f} ms  {seconds / total:6.1%}")
    print(f"  {'attempt':<13}{total / attempts * 1000:8.1f} ms  (run wall {wall1:.1f} s incl. start-up)")
    print("  engine operations inside those stages (all of them, the verifier's replays included), per attempt:")
    engine = [(op, clock.count[f"env.{op}"], clock.seconds[f"env.{op}"]) for op in ENGINE]
    print("  " + "  ".join(f"{op} {count / attempts:.1f}x {seconds / attempts * 1000:.1f} ms"
                           for op, count, seconds in engine))
    print(f"  engine total {sum(s for _, _, s in engine) / attempts * 1000:.1f} ms "
          f"({sum(s for _, _, s in engine) / total:.0%} of the attempt)")


def env_dir_policies(env: str) -> PolicyCache:
    """Policies for records of one env: a module's records name it relative to its directory
    (what `generate` writes for one --env file), resolved as `verify --env-dir DIR` would;
    otherwise the checks that need the env's policy are unknown ("?") for every env module."""
    return PolicyCache(EnvRefs(dirs=(Path(env).resolve().parent,)) if env.endswith(".py") else None)


def quality(args: argparse.Namespace, envs: list[str], work: Path) -> dict[str, tuple[Path, RunSummary]]:
    k = args.dialogues
    print(f"\n== 3. quality: {k} NAIG dialogues per env, default settings, --seed {args.seed}, "
          f"--workers {args.workers}")
    runs: dict[str, tuple[Path, RunSummary]] = {}
    header = f"  {'env':<14}{'Distinct-3':>11}" + "".join(f"{t:>19}" for t in INJECTION_TYPES) + \
        f"{'tools used':>15}{'parallel':>10}{'pass rate':>11}{'s':>8}"
    print(header, flush=True)
    started = time.perf_counter()
    for env in envs:
        out = work / f"q-{Path(env).stem}.jsonl"  # a built-in name or a module's path
        failed = work / f"f-{Path(env).stem}.jsonl"
        summary, wall = generate([env], k, args.seed, out, Settings(), workers=args.workers, checks=args.checks,
                                 keep_failed=failed)
        runs[env] = (out, summary)
        stats = compute_stats([out], policies=env_dir_policies(env))
        coverage = stats.tool_coverage.get(env) or next(iter(stats.tool_coverage.values()), None)  # one env per file
        report = summary.as_dict(wall)
        if coverage is None:  # nothing accepted: no record names the env; the dropped ones still tell why
            print(f"  {Path(env).stem[:13]:<14}no dialogue accepted (pass rate {report['pass_rate']}, {wall:.1f} s)")
        else:
            shares = "".join(f"{(stats.ops[t].share or 0):>19.1%}" for t in INJECTION_TYPES)
            print(f"  {Path(env).stem[:13]:<14}{stats.distinct_3 or 0:>11.3f}{shares}"
                  f"{f'{coverage.used}/{coverage.offered}':>9} {coverage.coverage or 0:>5.0%}"
                  f"{stats.parallel_call_share or 0:>10.1%}{report['pass_rate']:>11}{wall:>8.1f}")
            if coverage.unused:
                print(f"  {'':<14}unused tools: {', '.join(coverage.unused)}")
            print(trajectory_line(stats.trajectory))
        # The gate drops dialogues with findings: the generator's own rate is over every
        # dialogue it made, accepted or dropped.
        made = [line.record for path in (out, failed) if path.exists() for line in read_records(path)
                if isinstance(line, RecordLine)]
        print(trajectory_line(trajectory_findings(made, env_dir_policies(env)), f"before the gate ({len(made)} made):"))
        if report["failed_by_check"]:
            print(f"  {'':<14}dropped by check: {', '.join(f'{c} {n}' for c, n in report['failed_by_check'].items())}")
        sys.stdout.flush()
    every = compute_stats([out for out, _ in runs.values()])
    print(f"  all envs: Distinct-3 {every.distinct_3 or 0:.3f}, entropy {every.entropy_bits or 0:.2f} bits, "
          f"{every.dialogues} dialogues, {time.perf_counter() - started:.0f} s")
    print("  goals: Distinct-3 >= 0.36, each injection type >= 15% of dialogues, >= 95% of each env's tools; "
          "no trajectory finding in more than 2% of dialogues (* marks one above)")
    return runs


def trajectory_line(rates: dict[str, Any], title: str = "trajectory:") -> str:
    """The trajectory section of one env (`stats`: share of dialogues with each finding)."""
    parts = []
    for kind, rate in rates.items():
        share = rate.share
        said = "?" if share is None else f"{share:.1%}{'*' if share > 0.02 else ''}"
        parts.append(f"{kind} {said}")
    lines, line = [], f"  {'':<14}{title}"
    for part in parts:
        if len(line) + len(part) > 118:
            lines.append(line)
            line = f"  {'':<26}"
        line += f" {part},"
    lines.append(line.rstrip(","))
    return "\n".join(lines)


def per_accepted(summary: RunSummary) -> tuple[float, float]:
    """(all model calls, generation-only calls) per accepted dialogue over the whole run:
    every attempt's calls (dropped ones and generation failures too) / accepted."""
    calls = sum(summary.calls_by_stage.values())
    accepted = max(summary.accepted, 1)
    return calls / accepted, (calls - summary.calls_by_stage.get("verify", 0)) / accepted


def mas_vs_naig(args: argparse.Namespace, envs: list[str], runs: dict[str, tuple[Path, RunSummary]],
                work: Path) -> None:
    m = args.compare
    print(f"\n== 4. model calls per accepted dialogue, NAIG vs MAS (MAS -n {m} per env, same seed and settings "
          "as the quality run)")
    print(f"  {'env':<14}{'NAIG':>8}{'MAS':>8}{'ratio':>8}   {'gen. only: NAIG':>16}{'MAS':>8}{'ratio':>8}"
          f"   {'MAS+sim':>8}{'ratio':>8}   {'MAS pass rate':>14}{'paired: NAIG < MAS':>20}")
    totals: Counter[str] = Counter()
    totals_by_stage: dict[str, Counter[str]] = {"n": Counter(), "m": Counter()}
    for env in envs:
        out = work / f"m-{Path(env).stem}.jsonl"
        summary, wall = generate([env], m, args.seed, out, Settings(), workers=args.workers, method="mas",
                                 checks=args.checks)
        naig_out, naig_summary = runs[env]
        n_all, n_gen = per_accepted(naig_summary)
        m_all, m_gen = per_accepted(summary)
        for side, run in (("n", naig_summary), ("m", summary)):
            totals[f"{side}_calls"] += sum(run.calls_by_stage.values())
            totals[f"{side}_verify"] += run.calls_by_stage.get("verify", 0)
            totals[f"{side}_ok"] += run.accepted
            totals_by_stage[side].update(run.calls_by_stage)
        naig_calls = {r["provenance"]["attempt"]: r["provenance"]["cost"]["total_calls"] for r in read(naig_out)}
        pairs = [(naig_calls[r["provenance"]["attempt"]], r["provenance"]["cost"]["total_calls"]) for r in read(out)
                 if r["provenance"]["attempt"] in naig_calls]
        cheaper = sum(a < b for a, b in pairs)
        mas_records = list(read(out))
        calling = sum(1 for r in mas_records for message in r["messages"] if message.get("tool_calls"))
        totals["m_calling"] += calling
        totals["m_records"] += len(mas_records)
        sim = m_all + calling / max(len(mas_records), 1)
        name = Path(env).stem[:13]
        print(f"  {name:<14}{n_all:>8.1f}{m_all:>8.1f}{n_all / m_all:>7.2f}x   {n_gen:>16.1f}{m_gen:>8.1f}"
              f"{n_gen / m_gen:>7.2f}x   {sim:>8.1f}{n_all / sim:>7.2f}x   "
              f"{summary.as_dict(wall)['pass_rate']:>14}{f'{cheaper}/{len(pairs)}':>20}")
    t = totals
    n_all, m_all = t["n_calls"] / t["n_ok"], t["m_calls"] / t["m_ok"]
    n_gen, m_gen = (t["n_calls"] - t["n_verify"]) / t["n_ok"], (t["m_calls"] - t["m_verify"]) / t["m_ok"]
    sim = m_all + t["m_calling"] / max(t["m_records"], 1)
    print(f"  {'all':<14}{n_all:>8.1f}{m_all:>8.1f}{n_all / m_all:>7.2f}x   {n_gen:>16.1f}{m_gen:>8.1f}"
          f"{n_gen / m_gen:>7.2f}x   {sim:>8.1f}{n_all / sim:>7.2f}x")
    print("  ratio = NAIG / MAS model calls per accepted dialogue, each over its whole run (paper: 0.58x; goal "
          "<= 0.40x).\n  'paired': accepted on both sides, the same attempt (same plan), NAIG made fewer calls.")
    for side, label in (("n", "NAIG"), ("m", "MAS")):
        stages = totals_by_stage[side]
        print(f"  {label} calls per accepted dialogue by stage, all envs: " + ", ".join(
            f"{stage} {count / t[f'{side}_ok']:.2f}" for stage, count in sorted(stages.items())))


# ---------------------------------------------------------------- 5. ray

def ray_section(args: argparse.Namespace, settings: Settings, work: Path) -> None:
    import ray

    from toolace_mt.executors import ExecutorChoice

    env, n = "retail", args.n
    print(f"== 5. --executor ray beside --workers 2: offline NAIG, {env}, -n {n}, --seed {args.seed}")
    started = time.perf_counter()
    for attempt in range(3):  # on a loaded machine Ray's fixed 30 s start-up wait can run out
        try:
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="warning")
            break
        except Exception as exc:  # noqa: BLE001 (ray.init raises bare Exception)
            print(f"Ray did not start ({exc}); {'retrying' if attempt < 2 else 'giving up'}")
            ray.shutdown()
    else:
        return
    print(f"local Ray start (once per run, not counted below): {time.perf_counter() - started:.1f} s")
    try:
        local_out, ray_out = work / "w2.jsonl", work / "ray2.jsonl"
        local, local_wall = generate([env], n, args.seed, local_out, settings, workers=2)
        remote, ray_wall = generate([env], n, args.seed, ray_out, settings,
                                    executor=ExecutorChoice(name="ray", actors=2))
        for label, wall, summary in (("--workers 2      ", local_wall, local), ("--executor ray x2", ray_wall, remote)):
            print(f"{label}: {n / wall:6.2f} accepted dialogues/s  ({wall:.1f} s, {summary.attempts} attempts, "
                  f"{wall / summary.attempts * 1000:.1f} ms wall per attempt)")
        print(f"Ray / local rate: {local_wall / ray_wall:.2f}x; Ray's overhead per attempt "
              f"{(ray_wall - local_wall) / remote.attempts * 1000:+.1f} ms (wall difference / attempts)")
        print(f"outputs byte-identical: {'yes' if local_out.read_bytes() == ray_out.read_bytes() else 'NO'}")
        print(f"no-op actor call round trip (median of 300): {noop_round_trip(ray) * 1000:.2f} ms")
        records = read(local_out)
        per_record = driver_cost(records, work, local.attempts / n)
        driver_parts(records, work)
        per_result = ray_driver_cost(ray, records)
        extrapolate(local, local_wall, per_record, per_result)
    finally:
        ray.shutdown()


class Echo:
    """A Ray actor that answers at once (what the driver pays per call, the work aside)."""

    def ping(self) -> int:
        return 0


def noop_round_trip(ray: Any) -> float:
    actor = ray.remote(Echo).options(num_cpus=1).remote()
    ray.get(actor.ping.remote())
    times = []
    for _ in range(300):
        start = time.perf_counter()
        ray.get(actor.ping.remote())
        times.append(time.perf_counter() - start)
    ray.kill(actor)
    return statistics.median(times)


def finished_results(records: list[dict[str, Any]], count: int) -> list[Any]:
    """`count` accepted AttemptResults made from real records (cycled), indexes 0..count-1."""
    from toolace_mt.generation.plan.reachability import successful_calls
    from toolace_mt.generation.run import AttemptResult

    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    return [AttemptResult(i, "retail", lines[i % len(lines)], None, [], None, records[i % len(records)]["provenance"]
                          ["cost"], 0.01, called=frozenset(successful_calls(records[i % len(records)])))
            for i in range(count)]


def driver_cost(records: list[dict[str, Any]], work: Path, attempts_per_record: float) -> float:
    """run_generate's own loop, fed finished results: the driver's cost per record."""
    from toolace_mt.generation import run as run_module

    count = 3000
    results = finished_results(records, count)
    size = statistics.mean(len(r.line or "") for r in results)
    original = run_module.attempts
    run_module.attempts = lambda options, first, wanted=None: iter(results[first:])  # type: ignore[assignment]
    try:
        options = RunOptions(envs=["retail"], n=count, seed=0, out=work / "driver.jsonl",
                             max_attempts=count, settings=Settings())
        with contextlib.redirect_stderr(io.StringIO()):
            start = time.perf_counter()
            run_generate(options)
            wall = time.perf_counter() - start
    finally:
        run_module.attempts = original
    per = wall / count
    print(f"driver, run_generate's loop on finished results ({count} records of {size / 1024:.1f} KiB): "
          f"{per * 1e6:.0f} us per record -> {1 / per:,.0f} records/s "
          f"(at {attempts_per_record:.2f} attempts per record)")
    return per


def driver_parts(records: list[dict[str, Any]], work: Path) -> None:
    """The driver's loop by part, per record: the summary (it parses the record for tool
    coverage), the attempt-log line, the record line (each written and flushed: the
    checkpoint `--resume` reads), and what an fsync per record would add."""
    from toolace_mt.generation.run import attempt_line

    count = 2000
    results = finished_results(records, count)
    options = RunOptions(envs=["retail"], n=count, seed=0, out=work / "parts.jsonl", max_attempts=count,
                         settings=Settings())
    parts: dict[str, float] = {}
    summary = RunSummary()
    start = time.perf_counter()
    for result in results:
        summary.add(result, True)
    parts["summary"] = time.perf_counter() - start
    with open(work / "parts.attempts.jsonl", "w", encoding="utf-8") as log:
        start = time.perf_counter()
        for result in results:
            log.write(attempt_line(options, result, True).model_dump_json() + "\n")
            log.flush()
        parts["attempt log"] = time.perf_counter() - start
    with open(work / "parts.jsonl", "w", encoding="utf-8") as out:
        start = time.perf_counter()
        for result in results:
            out.write((result.line or "") + "\n")
            out.flush()
        parts["record line"] = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(200):
            os.fsync(out.fileno())
        fsync = (time.perf_counter() - start) / 200
    print("  by part, per record: " + ", ".join(f"{name} {seconds / count * 1e6:.0f} us"
                                                for name, seconds in parts.items())
          + f"; an fsync per record would add {fsync * 1e6:.0f} us (not done: a flush survives a killed process)")


def ray_driver_cost(ray: Any, records: list[dict[str, Any]]) -> float:
    """Finished results through RayPool (2 actors that return them at once): what the
    driver pays per result for Ray's transfer, deserialisation and the reorder buffer."""
    from toolace_mt.executors.ray_pool import RayPool

    count = 1000
    results = finished_results(records, len(records))
    pool: RayPool[int, Any] = RayPool(lambda: Replay(results), 2)
    try:
        list(pool.ordered(range(50), lambda: 8))  # actors up
        start = time.perf_counter()
        for _ in pool.ordered(range(count), lambda: 16):
            pass
        wall = time.perf_counter() - start
    finally:
        pool.close()
    print(f"driver, results through RayPool from 2 actors that answer at once: {wall / count * 1e6:.0f} us per "
          f"result -> {count / wall:,.0f} results/s (Ray's transfer and the reorder buffer; add the loop above)")
    return wall / count


def extrapolate(summary: RunSummary, wall: float, per_record: float, per_result: float) -> None:
    """The measured model of docs/scaling.md: actors keep up with the driver until
    N * p / t_attempt = 1 / (d_record + d_result / p)."""
    t_attempt = summary.seconds_in_attempts / summary.attempts  # one attempt on one core, start-up aside
    p = summary.accepted / summary.attempts
    ceiling = 1 / (per_record + per_result / p)
    per_actor = p / t_attempt
    print(f"model: t_attempt {t_attempt * 1000:.0f} ms (one core, this run), pass rate p {p:.2f}, "
          f"one actor {per_actor:.2f} records/s; driver d_record {per_record * 1e6:.0f} us + d_result "
          f"{per_result * 1e6:.0f} us / p -> ceiling {ceiling:,.0f} records/s, reached at about "
          f"{ceiling / per_actor:,.0f} actors (CPUs)")


class Replay:
    """A worker whose attempts are already done: attempt i is results[i % len]."""

    def __init__(self, results: list[Any]) -> None:
        self.results = results

    def run(self, index: int) -> Any:
        return self.results[index % len(self.results)]

    def close(self) -> None:
        pass


def fresh_envs(work: Path) -> list[str]:
    """Env modules the generator was never tuned on: the fixtures', bench ports' and fresh envs', and
    those compiled from the BFCL specs (a spec that does not compile is reported, not fatal)."""
    found = sorted(str(p) for d in (ROOT / "fixtures" / "envs", ROOT / "bench" / "ports", ROOT / "bench" / "fresh_envs")
                   for p in d.glob("*.py"))
    places = (ROOT.parent.parent / "shared" / "peers" / "bfcl", ROOT / "fixtures" / "specs" / "bfcl")
    specs_dir = next((d for d in places if d.is_dir()), None)
    if specs_dir is None:
        return found
    from toolace_mt.cli import main as cli_main

    for spec in sorted(specs_dir.glob("*.json")):
        out = work / f"compiled_{spec.stem}.py"
        with contextlib.redirect_stderr(io.StringIO()) as err, contextlib.redirect_stdout(io.StringIO()):
            code = cli_main(["envs", "compile", str(spec), "-o", str(out), "--force"])
        if code == 0 and out.exists():
            found.append(str(out))
        else:
            print(f"  (compiling {spec.name} failed: {err.getvalue().strip().splitlines()[-1:] or code})")
    return found


def _checks(text: str) -> tuple[str, ...]:
    if text == "all":
        return CHECK_IDS
    if text == "default":
        return DEFAULT_CHECKS
    wanted = tuple(c.strip() for c in text.split(",") if c.strip())
    unknown = [c for c in wanted if c not in CHECK_IDS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown check(s) {', '.join(unknown)}; known: {', '.join(CHECK_IDS)}")
    return wanted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=300, help="accepted dialogues per throughput run (default 300)")
    parser.add_argument("--dialogues", type=int, default=1000, help="K dialogues per env for quality (default 1000)")
    parser.add_argument("--compare", type=int, default=100, help="MAS dialogues per env for section 4 (default 100)")
    parser.add_argument("--seed", type=int, default=1, help="run seed (default 1)")
    parser.add_argument("--workers", type=int, default=2, help="workers for sections 3 and 4 (default 2)")
    parser.add_argument("--subtasks", type=_range, default=(2, 5), help="throughput shape (default 2-5)")
    parser.add_argument("--steps", type=_range, default=(1, 6), help="throughput shape (default 1-6)")
    parser.add_argument("--envs", nargs="+", default=builtin_names(), help="envs for sections 3 and 4 (default all)")
    parser.add_argument("--fresh", action="store_true",
                        help="add the envs the generator was never tuned on (fixtures, ports, bench/fresh_envs, "
                             "compiled BFCL specs)")
    parser.add_argument("--checks", type=_checks, default=CHECK_IDS,
                        help="the gate's checks: all (default), default (the verifier's), or a comma list")
    parser.add_argument("--quality-only", action="store_true", help="run section 3 only")
    parser.add_argument("--keep", type=Path, default=None,
                        help="write section 3's records (q-ENV.jsonl) and dropped ones (f-ENV.jsonl) here, to read")
    parser.add_argument("--executor", choices=["local", "ray"], default="local",
                        help="ray: run section 5 only (--executor ray beside --workers 2, the driver's cost)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs\n")
    with tempfile.TemporaryDirectory(prefix="bench-generate-") as tmp:
        work = Path(tmp)
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            work = args.keep
        if args.fresh:
            args.envs = [*args.envs, *fresh_envs(work)]
        if args.executor == "ray":
            ray_section(args, Settings(subtasks=args.subtasks, steps=args.steps), work)
        elif args.quality_only:
            quality(args, args.envs, work)
        else:
            throughput(args, Settings(subtasks=args.subtasks, steps=args.steps), work)
            runs = quality(args, args.envs, work)
            mas_vs_naig(args, args.envs, runs, work)
    print(f"\nbench time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
