"""`toolace-mt eval`: score an agent on verified dialogues, turn by turn, for real.

Exit codes: 0 every dialogue was evaluated (whatever the scores: they are results);
1 some could not be (an unreadable line, an env that does not load or has changed, a
record that does not replay: each reported); 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from toolace_mt.env_refs import EnvRefs, add_env_ref_arguments, env_refs_from
from toolace_mt.evaluation.agents import AgentFactory, AgentSpecError, AgentUnavailable, load_agent
from toolace_mt.evaluation.dialogue_run import DialogueEvaluator, EvalOptions
from toolace_mt.evaluation.report import EvalTally
from toolace_mt.evaluation.scores import DialogueResult
from toolace_mt.jsonl import BadLine, parse_line
from toolace_mt.progress import StatusLine
from toolace_mt.terminal_text import shown
from toolace_mt.verifier.env_pool import EnvPool
from toolace_mt.verify_run import count_lines, jobs_from

EXIT_OK, EXIT_INCOMPLETE, EXIT_USAGE = 0, 1, 2

EPILOG = """agents:
  gold                replay the record's own calls and text (must pass every verified dialogue)
  noop                never call a tool (must fail every dialogue that changes the state)
  openai              a model through an OpenAI-compatible endpoint (--model, --base-url, --api-key-env, ...)
  module:callable     your agent: callable(messages, tools) -> assistant message (README "Evaluating agents");
  path/file.py:name   the same, loaded from a file; a class is instantiated once per dialogue

examples:
  toolace-mt eval data.jsonl --agent gold
  toolace-mt eval data.jsonl --agent noop --json > noop.jsonl
  toolace-mt eval data.jsonl --agent my_agents:support_bot --trials 4 --report eval-report.json
  toolace-mt eval data.jsonl --agent openai --model gpt-4o-mini --trials 3
  toolace-mt eval shared.jsonl --agent gold --env-dir ~/envs     (records naming env files)

exit code: 0 every dialogue evaluated (scores are results), 1 some could not be evaluated, 2 bad arguments"""


def add_eval_parser(sub: Any, handler: Callable[[argparse.Namespace], int] | None = None) -> argparse.ArgumentParser:
    """Registers `eval` on the CLI's subparsers."""
    p = sub.add_parser("eval", help="score an agent on dialogues: state, response, abstention per user turn; pass^k",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    p.add_argument("files", nargs="+", metavar="DATA.jsonl", help="JSONL files of verified dialogue records")
    p.add_argument("--agent", required=True, help="gold, noop, openai, module:callable or path/file.py:callable")
    p.add_argument("--trials", type=int, default=1, help="runs of every dialogue, for pass^k (default 1)")
    p.add_argument("--max-steps", type=int, default=10, help="agent replies per user turn at most (default 10)")
    p.add_argument("--history", choices=["record", "agent"], default="record",
                   help="each turn starts from the record's past (default) or from the agent's own")
    p.add_argument("--json", action="store_true", help="print one JSON object per dialogue trial (tables on stderr)")
    p.add_argument("--report", type=Path, help="write the totals and every failing turn as JSON here")
    add_env_ref_arguments(p)
    _add_model_arguments(p)
    p.set_defaults(handler=handler or run_eval)
    return p


def _add_model_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("openai agent")
    group.add_argument("--model", help="model name (openai agent)")
    group.add_argument("--base-url", action="append", metavar="URL",
                       help="OpenAI-compatible endpoint, e.g. http://localhost:8000/v1; repeat it for several "
                            "servers (each request goes to the least-loaded one)")
    group.add_argument("--api-key-env", default="OPENAI_API_KEY",
                       help="environment variable holding the API key (default OPENAI_API_KEY)")
    group.add_argument("--timeout", type=float, default=120.0, help="seconds per request (default 120)")
    group.add_argument("--max-retries", type=int, default=4,
                       help="retries on 429, 5xx, timeouts and refused connections (default 4)")


def _fail(message: str) -> int:
    print(f"toolace-mt: {message}", file=sys.stderr)
    return EXIT_USAGE


def _print_shown(text: str) -> None:
    """Record ids, agent answers and state values: control characters printed as escapes."""
    print(shown(text))


def _print_failure(result: DialogueResult, trials: int) -> None:
    trial = f" trial {result.trial + 1}/{trials}" if trials > 1 else ""
    if result.error is not None:
        _print_shown(f"ERROR {result.id} ({result.path}:{result.line}): {result.error}")
        return
    _print_shown(f"FAIL {result.id} ({result.path}:{result.line}){trial}")
    for turn in result.turns:
        if turn.passed:
            continue
        ops = f", {', '.join(turn.ops)}" if turn.ops else ""
        _print_shown(f"  turn {turn.turn + 1} (message {turn.message_index}{ops}):")
        if turn.error:
            _print_shown(f"    agent: {turn.error}")
        if not turn.state.passed:
            _print_shown("    state (expected vs actual):")
            for line in turn.state.diff:
                _print_shown(f"      {line}")
        for line in turn.failures():
            if not line.startswith(("state:", "agent:")):
                _print_shown(f"    {line}")


def evaluate_files(paths: list[Path], factory: AgentFactory, options: EvalOptions, trials: int,
                   emit: Callable[[DialogueResult], None], env_refs: EnvRefs | None = None) -> EvalTally:
    """Every dialogue of the files, `trials` times each, in file order. `env_refs`: the
    env files records may name (default: built-in envs only)."""
    tally = EvalTally(trials=trials)
    progress = StatusLine("evaluated", count_lines(paths) * trials)
    done = 0
    with DialogueEvaluator(options, EnvPool(refs=env_refs)) as evaluator:
        for job in jobs_from(paths):
            parsed = parse_line(job.path, job.line, job.text, job.last)
            if isinstance(parsed, BadLine):
                print(str(parsed), file=sys.stderr)
                result = DialogueResult(id=parsed.record_id or f"{job.path}:{job.line}", env="?", path=job.path,
                                        line=job.line, error=f"not a record: {parsed.reason}")
                tally.add(result)
                emit(result)
                done += trials
                continue
            for trial in range(trials):
                result = evaluator.evaluate(parsed.record, factory, job.path, job.line, trial)
                tally.add(result)
                emit(result)
                done += 1
                if result.error is not None:
                    done += trials - trial - 1
                    break
                progress.update(done, f", passed {tally.total.passed}")
    progress.update(done, f", passed {tally.total.passed}", final=True)
    return tally


def run_eval(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.files]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        return _fail(f"no such file: {', '.join(missing)}")
    if args.trials < 1:
        return _fail(f"--trials must be at least 1, got {args.trials}")
    try:
        options = EvalOptions(max_steps=args.max_steps, history=args.history)
    except ValidationError:
        return _fail(f"--max-steps must be at least 1, got {args.max_steps}")
    try:
        env_refs = env_refs_from(args.env_dir, args.env_map)
    except ValueError as exc:
        return _fail(str(exc))
    with ExitStack() as stack:
        openai = None
        if args.agent == "openai":
            from toolace_mt.evaluation.openai_agent import openai_agent  # the openai SDK only when asked for

            try:
                openai = openai_agent(model=args.model, base_url=args.base_url, api_key_env=args.api_key_env,
                                      max_retries=args.max_retries, timeout=args.timeout)
            except AgentUnavailable as exc:
                return _fail(str(exc))
            stack.callback(openai.close)
        try:
            factory = load_agent(args.agent, openai)
        except AgentSpecError as exc:
            return _fail(str(exc))
        return _run(args, paths, factory, options, env_refs)


def _run(args: argparse.Namespace, paths: list[Path], factory: AgentFactory, options: EvalOptions,
         env_refs: EnvRefs) -> int:
    failing: list[dict[str, Any]] = []

    def emit(result: DialogueResult) -> None:
        if args.json:
            print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))
        elif result.error is not None or not result.passed:
            _print_failure(result, args.trials)
        if result.error is None and not result.passed:
            failing.append({"id": result.id, "path": result.path, "line": result.line, "trial": result.trial,
                            "turns": [{"turn": t.turn, "message_index": t.message_index, "ops": t.ops,
                                       "failures": t.failures()} for t in result.turns if not t.passed]})

    try:
        tally = evaluate_files(paths, factory, options, args.trials, emit, env_refs)
    except AgentUnavailable as exc:
        print(f"toolace-mt: the agent stopped answering, run incomplete: {exc}", file=sys.stderr)
        return EXIT_INCOMPLETE
    print(tally.tables(), file=sys.stderr if args.json else sys.stdout)
    if args.report is not None:
        report = {"agent": args.agent, "files": [str(p) for p in paths], **tally.summary(), "failures": failing}
        args.report.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return EXIT_INCOMPLETE if tally.errors else EXIT_OK
