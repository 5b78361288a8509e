"""Stage 3: run the checks on one record and say why it fails, if it does."""

from __future__ import annotations

import time
from collections.abc import Iterable

from sandbox import Environment, SandboxError
from toolace_mt.env_refs import EnvRefError, EnvRefs
from toolace_mt.record import Record, Verification
from toolace_mt.verifier.behaviour import check_behaviour
from toolace_mt.verifier.consistency import check_consistency
from toolace_mt.verifier.dialogue import CHECK_IDS, DEFAULT_CHECKS, TRAJECTORY_CHECK_IDS, Dialogue, Failure
from toolace_mt.verifier.env_pool import EnvPool
from toolace_mt.verifier.evidence import Mentions
from toolace_mt.verifier.execution import check_replay, check_state, replay_start
from toolace_mt.verifier.format_check import check_format
from toolace_mt.verifier.grounding import check_grounding
from toolace_mt.verifier.judge import Judge, OfflineJudge, check_judge
from toolace_mt.verifier.policy import EnvPolicy
from toolace_mt.verifier.schema_check import check_schema
from toolace_mt.verifier.trajectory import FINDING_KINDS
from toolace_mt.verifier.trajectory import findings as trajectory_findings

CHECK_GROUPS = {"all": CHECK_IDS, "trajectory": TRAJECTORY_CHECK_IDS}


def parse_check_ids(text: str) -> tuple[str, ...]:
    """"format,replay" -> ("format", "replay"); "all" and "trajectory" name groups;
    unknown ids raise ValueError."""
    ids = tuple(i for part in text.split(",") if part.strip()
                for i in CHECK_GROUPS.get(part.strip(), (part.strip(),)))
    unknown = [i for i in ids if i not in CHECK_IDS]
    if unknown or not ids:
        raise ValueError(f"unknown check id(s) {', '.join(unknown) or '(none given)'}; "
                         f"known: {', '.join(CHECK_IDS)} (or all, trajectory)")
    return ids


class Verifier:
    """Checks records; keeps envs loaded between records (see EnvPool).

    `timings` accumulates seconds per phase (reset, replay, state, checks) for reports.
    `env_refs` says which env files records may name (default: built-in envs only); with a
    `pool`, the pool's own refs do (EnvPool(refs=...)).
    """

    def __init__(self, checks: Iterable[str] = DEFAULT_CHECKS, judge: Judge | None = None,
                 pool: EnvPool | None = None, env_refs: EnvRefs | None = None) -> None:
        self.checks = tuple(c for c in CHECK_IDS if c in set(checks))
        self.judge = judge or OfflineJudge()
        if pool is not None and env_refs is not None and pool.refs != env_refs:
            # The pool resolves references; two sources of truth would let one be ignored.
            raise ValueError("Verifier: give env_refs to the EnvPool (EnvPool(refs=...)), not beside it: "
                             "the pool resolves records' env references")
        self.pool = pool or EnvPool(refs=env_refs)
        self.timings = {"reset": 0.0, "replay": 0.0, "state": 0.0, "checks": 0.0}

    def _env(self, record: Record) -> tuple[Environment | None, Failure | None]:
        start = time.perf_counter()
        try:
            env = self.pool.get(record.env, record.seed)  # replay_start resets it if it must
        except EnvRefError as exc:
            return None, Failure("replay", str(exc))
        except SandboxError as exc:
            return None, Failure("replay", f"env '{record.env}' cannot be loaded: {exc}")
        finally:
            self.timings["reset"] += time.perf_counter() - start
        if env.digest != record.env_digest:
            return env, Failure("replay", f"env digest mismatch: the record was made with env '{record.env}' "
                                          f"sha256 {record.env_digest[:12]}…, the installed one is "
                                          f"{env.digest[:12]}… (its source changed); the dialogue cannot be "
                                          "replayed faithfully")
        return env, None

    def failures(self, record: Record) -> list[Failure]:
        dialogue = Dialogue(record)
        wanted = set(self.checks)
        failures: list[Failure] = []
        tick = time.perf_counter()
        if "format" in wanted:
            failures += check_format(dialogue)
        env: Environment | None = None
        problem: Failure | None = None
        trajectory = [c for c in TRAJECTORY_CHECK_IDS if c in wanted]
        needs_env = wanted & {"schema", "replay", "state", "consistency", *trajectory}
        if needs_env:
            self.timings["checks"] += time.perf_counter() - tick
            env, problem = self._env(record)
            tick = time.perf_counter()
            if problem is not None:
                failures.append(problem)
            replayable = env is not None and problem is None
            if env is not None and "schema" in wanted:
                failures += check_schema(dialogue, env)
            if env is not None:  # the later checks read the env's schemas, never the record's (untrusted)
                dialogue.use_env_schemas({t.name: t.openai() for t in env.tools})
            if replayable and env is not None and wanted & {"replay", "state"}:
                self.timings["checks"] += time.perf_counter() - tick
                start = time.perf_counter()
                remembered = replay_start(dialogue, env)
                self.timings["reset"] += time.perf_counter() - start
                start = time.perf_counter()
                replayed = check_replay(dialogue, env, remembered)
                self.timings["replay"] += time.perf_counter() - start
                if "replay" in wanted:
                    failures += replayed
                if "state" in wanted:
                    start = time.perf_counter()
                    failures += check_state(dialogue, env)
                    self.timings["state"] += time.perf_counter() - start
                tick = time.perf_counter()
        read: dict[str, Mentions] = {}  # texts both checks read, read once
        if "grounding" in wanted:
            failures += check_grounding(dialogue, read)
        if "consistency" in wanted:
            failures += check_consistency(dialogue, env, read)
        if "behaviour" in wanted:
            failures += check_behaviour(dialogue)
        if "judge" in wanted:
            failures += check_judge(dialogue, self.judge)
        if trajectory:  # the env's policy: unknown when it did not load or changed (replay says so)
            policy = EnvPolicy.of(env) if env is not None and problem is None else EnvPolicy.unknown()
            kinds = {kind.kind: kind.check for kind in FINDING_KINDS}
            failures += [Failure(f.check or kinds[f.kind], f.message, f.message_index)
                         for f in trajectory_findings(dialogue, policy, trajectory)]
        self.timings["checks"] += time.perf_counter() - tick
        return failures

    def verify(self, record: Record) -> Verification:
        failures = self.failures(record)
        return Verification(passed=not failures, checks=list(self.checks),
                            failures=failures)

    def close(self) -> None:
        self.pool.close()

    def __enter__(self) -> Verifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
