"""The `toolace-mt` command line.

Exit codes: 0 the command did its job; 1 it ran but the result is a failure (a tool
call returned an error, `envs check` found problems); 2 bad input (unknown env,
malformed arguments).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
from pydantic import ValidationError

from sandbox import EnvLoadError, SandboxError, inspect_env, load_env
from sandbox.check import check_env
from sandbox.registry import builtin_names, resolve
from toolace_mt.call_sequence import CallsFileError, read_calls
from toolace_mt.compiler.command import add_compile_parser
from toolace_mt.env_refs import add_env_ref_arguments, env_refs_from
from toolace_mt.evaluation.command import add_eval_parser
from toolace_mt.executors.choice import add_executor_arguments, executor_from
from toolace_mt.executors.ray_runtime import RayUnavailable
from toolace_mt.export import FORMATS, run_export
from toolace_mt.generation.backends.interface import INJECTION_TYPES
from toolace_mt.generation.plan.reachability import probe_env
from toolace_mt.generation.run import ResumeError, RunOptions, run_generate
from toolace_mt.generation.settings import Settings
from toolace_mt.llm import ModelError, ModelSettings
from toolace_mt.record import record_json_schema
from toolace_mt.stats import run_stats
from toolace_mt.verifier import CHECK_IDS, DEFAULT_CHECKS, parse_check_ids
from toolace_mt.verify_run import run_verify

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"toolace-mt: {message}", file=sys.stderr)
    return code


def _summary(text: str, width: int = 72) -> str:
    first = " ".join(text.split("\n\n")[0].split())
    return first if len(first) <= width else first[: width - 1].rsplit(" ", 1)[0] + "…"


def cmd_envs_list(args: argparse.Namespace) -> int:
    rows = []
    for name in builtin_names():
        try:
            env = inspect_env(name)
        except SandboxError as exc:
            rows.append({"name": name, "error": str(exc)})
            continue
        with env:
            rows.append({
                "name": name,
                "description": _summary(env.description),
                "tools": len(env.tools),
                "write_tools": sum(t.writes for t in env.tools),
                "tables": len(duckdb.extract_statements(env.tables_ddl)),
            })
    if args.json:
        _print_json(rows)
        return EXIT_OK
    print(f"{'env':<16}{'tools':>6}{'writes':>8}{'tables':>8}  description")
    for row in rows:
        if "error" in row:
            print(f"{row['name']:<16}  error: {row['error']}")
        else:
            print(f"{row['name']:<16}{row['tools']:>6}{row['write_tools']:>8}{row['tables']:>8}  {row['description']}")
    return EXIT_OK


def cmd_envs_show(args: argparse.Namespace) -> int:
    with load_env(args.env, seed=args.seed) as env:
        counts = env.row_counts()
        data = {
            "name": env.name, "path": env.path, "env_digest": env.digest, "seed": env.seed,
            "now": env.now.isoformat(), "description": env.description, "state_hash": env.state_hash(),
            "user_table": env.user_table, "authenticate_first": env.authenticate_first,
            "check_before_write": env.check_before_write,
            "tables": [{"name": t.name, "primary_key": list(t.primary_key), "rows": counts[t.name],
                        "columns": {c.name: c.type for c in t.columns}} for t in env.tables.values()],
            "tools": [{**t.openai(), "writes": t.writes, "confirm": t.confirm, "phrasing": t.phrasing}
                      for t in env.tools],
        }
    if args.json:
        _print_json(data)
        return EXIT_OK
    print(f"{data['name']}  ({data['path']})\n{data['description']}\n")
    print(f"seed {env.seed}, now {data['now']}, env_digest {env.digest[:16]}, state {data['state_hash'][:16]}\n")
    print("tables:")
    for t in data["tables"]:
        users = "  (USER_TABLE: a dialogue is one of these)" if t["name"] == data["user_table"] else ""
        print(f"  {t['name']:<18}{t['rows']:>7} rows  key ({', '.join(t['primary_key'])}){users}")
    if env.authenticate_first:
        print("\nAUTHENTICATE_FIRST: the user is looked up by their details before their data is touched")
    if env.check_before_write:
        print("CHECK_BEFORE_WRITE: a write's record is looked at (its status read) before the write acts on it")
    print("\ntools:")
    for t in env.tools:
        kind = "write" if t.writes else "read "
        confirm = " (confirm first)" if t.confirm else ""
        print(f"  [{kind}] {t.name}{confirm}: {t.description}")
        print("          " + json.dumps(t.parameters, ensure_ascii=False))
    return EXIT_OK


def cmd_envs_check(args: argparse.Namespace) -> int:
    problems = check_env(args.path, seed=args.seed)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return EXIT_FAILED
    # Which tools the generator can call successfully (after enabling writes), and why not the others.
    reaches = probe_env(str(args.path), args.seed)
    unreached = [r for r in reaches if not r.reached]
    print(f"tools called successfully in trials: {len(reaches) - len(unreached)}/{len(reaches)}")
    for reach in reaches:
        if reach.enabled_by or not reach.reached:
            print(f"  {reach.line()}")
    if unreached:
        print(f"warning: {len(unreached)} tool(s) never called successfully; generation will not use them",
              file=sys.stderr)
    print(f"{args.path}: ok")
    return EXIT_OK


def _call_outcome(result: Any, state_hash: str, diff: Any) -> dict[str, Any]:
    """A call's result as `call --json` prints it."""
    out: dict[str, Any] = {"ok": result.ok}
    if result.ok:
        out["result"] = result.result
    else:
        out["error"] = {"type": result.error.type, "message": result.error.message}
    out["state_hash"] = state_hash
    out["diff"] = diff.model_dump()
    return out


def cmd_call_sequence(args: argparse.Namespace) -> int:
    """`call ENV --calls FILE`: every call of the file in order on one env; each result
    printed as it comes (--json: one line per call). 1 when any call failed."""
    try:
        if args.calls == "-":
            calls = read_calls(sys.stdin.buffer, "<stdin>")
        else:
            path = Path(args.calls)
            if not path.is_file():
                return _fail(f"--calls: no such file: {path}")
            with open(path, "rb") as handle:
                calls = read_calls(handle, str(path))
    except CallsFileError as exc:
        return _fail(f"--calls: not a calls file (one {{\"name\", \"arguments\"}} object per line):\n{exc}")
    failed = 0
    with load_env(args.env, seed=args.seed) as env:
        start = env.snapshot()
        for position, (line, call) in enumerate(calls, 1):
            before = env.snapshot()
            result = env.call(call.name, call.arguments)
            failed += not result.ok
            state_hash = env.state_hash()
            if args.json:
                outcome = _call_outcome(result, state_hash, env.diff(before))
                print(json.dumps({"call": position, "line": line, "name": call.name, "arguments": call.arguments,
                                  **outcome}, ensure_ascii=False, default=str), flush=True)
                continue
            print(f"[{position}] {call.name} {json.dumps(call.arguments, ensure_ascii=False)}")
            if result.ok:
                print(json.dumps(result.result, indent=2, ensure_ascii=False, default=str))
            else:
                print(f"error: {result.error}")
            print(f"changed: {env.diff(before).summary()}\n", flush=True)
        if not args.json:
            print(f"{len(calls)} call(s), {failed} failed; state: {env.state_hash()}\n"
                  f"changed in all: {env.diff(start).summary()}")
    return EXIT_OK if failed == 0 else EXIT_FAILED


def cmd_call(args: argparse.Namespace) -> int:
    if args.calls is not None:
        if args.tool is not None:
            return _fail("give either TOOL [ARGS_JSON] or --calls FILE, not both")
        return cmd_call_sequence(args)
    if args.tool is None:
        return _fail("name a TOOL (and its ARGS_JSON), or give --calls FILE.jsonl")
    try:
        call_args = json.loads(args.args)
    except json.JSONDecodeError as exc:
        return _fail(f"ARGS_JSON is not valid JSON: {exc} (example: '{{\"order_id\": \"#W1001\"}}')")
    with load_env(args.env, seed=args.seed) as env:
        before = env.snapshot()
        result = env.call(args.tool, call_args)
        state_hash = env.state_hash()
        diff = env.diff(before)
    if args.json:
        _print_json(_call_outcome(result, state_hash, diff))
    else:
        if result.ok:
            print(json.dumps(result.result, indent=2, ensure_ascii=False))
        else:
            print(f"error: {result.error}")
        print(f"state: {state_hash}\nchanged: {diff.summary()}")
    return EXIT_OK if result.ok else EXIT_FAILED


def cmd_verify(args: argparse.Namespace) -> int:
    try:
        checks = parse_check_ids(args.checks) if args.checks else DEFAULT_CHECKS
    except ValueError as exc:
        return _fail(str(exc))
    paths = [Path(p) for p in args.files]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        return _fail(f"no such file: {', '.join(missing)}")
    if args.workers is not None and args.workers < 1:
        return _fail("--workers must be at least 1")
    try:
        env_refs = env_refs_from(args.env_dir, args.env_map)
        executor = executor_from(args)
    except (ValueError, RayUnavailable) as exc:
        return _fail(str(exc))
    model = None
    if args.backend == "openai":
        try:
            model = _model_settings(args)
        except ValidationError as exc:
            error = exc.errors()[0]
            return _fail(f"bad settings: {'.'.join(str(p) for p in error['loc'])}: {error['msg']}")
        except ValueError as exc:
            return _fail(str(exc))
    try:
        return run_verify(paths, checks, args.workers or 1, args.json, args.report, args.keep_passed, model=model,
                          env_refs=env_refs, executor=executor)
    except RayUnavailable as exc:
        return _fail(str(exc), EXIT_FAILED)


def _range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    try:
        return int(low), int(high or low)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a range like 2-5, got {text!r}") from None


def cmd_generate(args: argparse.Namespace) -> int:
    if args.n <= 0:
        return _fail(f"-n must be positive, got {args.n}")
    if args.workers is not None and args.workers < 1:
        return _fail("--workers must be at least 1")
    try:
        executor = executor_from(args)
    except (ValueError, RayUnavailable) as exc:
        return _fail(str(exc))
    if args.env_dir is not None and not args.env_dir.is_dir():
        return _fail(f"--env-dir: no such directory: {args.env_dir}")
    for env in args.env:
        try:
            resolve(env)
        except SandboxError as exc:
            return _fail(str(exc))
    try:
        inject = tuple(t.strip() for t in args.inject.split(",") if t.strip()) if args.inject else INJECTION_TYPES
        unknown = [t for t in inject if t not in INJECTION_TYPES]
        if unknown:
            return _fail(f"unknown injection type(s) {', '.join(unknown)}; known: {', '.join(INJECTION_TYPES)}")
        settings = Settings(subtasks=args.subtasks, steps=args.steps, injections=args.injections,
                            inject_types=inject, refine_steps=args.refine_steps)
        model = _model_settings(args) if args.backend == "openai" else None
        options = RunOptions(envs=args.env, n=args.n, seed=args.seed, out=args.output, method=args.method,
                             backend=args.backend, workers=args.workers or 1, resume=args.resume,
                             max_attempts=args.max_attempts or 3 * args.n, keep_failed=args.keep_failed,
                             settings=settings, model=model, executor=executor, env_dir=args.env_dir)
        options.env_refs()  # an --env outside --env-dir is a usage error, before anything runs
    except ValidationError as exc:
        error = exc.errors()[0]
        return _fail(f"bad settings: {'.'.join(str(p) for p in error['loc'])}: {error['msg']}")
    except ValueError as exc:
        return _fail(str(exc))
    for path in [options.out, options.keep_failed]:
        if path is None:
            continue
        try:
            with open(path, "a", encoding="utf-8"):
                pass
        except OSError as exc:
            return _fail(f"cannot write {path}: {exc.strerror}")
    try:
        accepted, summary, seconds = run_generate(options)
    except ResumeError as exc:
        return _fail(str(exc))
    except ModelError as exc:  # before any attempt ran (no API key)
        return _fail(f"model error: {exc}", EXIT_FAILED)
    except RayUnavailable as exc:
        return _fail(str(exc), EXIT_FAILED)
    report = summary.as_dict(seconds)
    coverages = summary.coverage
    report["coverage"] = [c.as_dict() for c in coverages]
    if args.json:
        _print_json({"output": str(options.out), **report})
    else:
        print(f"accepted {accepted}/{options.n} into {options.out} ({report['attempts']} attempts this run, "
              f"pass rate {report['pass_rate']}, {report['seconds']} s, {report['accepted_per_second']}/s)")
        if report["failed_by_check"]:
            print("dropped by check: " + ", ".join(f"{k} {v}" for k, v in report["failed_by_check"].items()))
        for cov in coverages:
            print(f"tool coverage {cov.env}: {cov.tools - len(cov.unreached)}/{cov.tools}")
            if cov.unreached:
                print(f"warning: {len(cov.unreached)} tool(s) of {cov.env} never called successfully in an "
                      f"accepted dialogue (coverage {cov.share:.0%}):", file=sys.stderr)
                for reach in cov.unreached:
                    print(f"  {reach.tool}: {reach.reason}", file=sys.stderr)
        print(f"model calls per accepted dialogue: {report['model_calls_per_accepted']} "
              f"({', '.join(f'{k} {v}' for k, v in report['model_calls_per_accepted_by_stage'].items())})")
        if "model" in report:
            cost = f", cost ${report['cost_usd']:.4f}" if report["cost_usd"] is not None else ""
            print(f"model {report['model']}: tokens paid {report['tokens']['in']} in / {report['tokens']['out']} out"
                  f"{cost}; {report['cached_answers']} answers from the cache")
            if report["generation_failures"]:
                print("attempts without a record: " + "; ".join(f"{k} ({v})"
                                                                for k, v in report["generation_failures"].items()))
    if summary.fatal is not None:
        print(f"toolace-mt: model error: {summary.fatal}\ntoolace-mt: the run is incomplete: {accepted} of "
              f"{options.n} accepted records are in {options.out}; run the same command with --resume to continue",
              file=sys.stderr)
        return EXIT_FAILED
    if accepted < options.n:
        print(f"toolace-mt: only {accepted} of {options.n} accepted after --max-attempts {options.max_attempts}",
              file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _model_settings(args: argparse.Namespace) -> ModelSettings:
    """--model/--base-url, else TOOLACE_MODEL/OPENAI_BASE_URL; the key is read from --api-key-env."""
    return ModelSettings.from_env(
        args.model, args.base_url, api_key_env=args.api_key_env, concurrency=args.concurrency, timeout=args.timeout,
        max_retries=args.max_retries, max_reasks=args.max_reasks, price_in=args.price_in, price_out=args.price_out,
        cache_path=None if args.no_cache else args.cache,
        temperature=None if args.temperature < 0 else args.temperature,
        judge_temperature=None if args.judge_temperature < 0 else args.judge_temperature)


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        resolve(args.env)
    except SandboxError as exc:
        return _fail(str(exc))
    try:
        from toolace_mt.mcp_server import ServeOptions, listen, serve
    except ImportError as exc:
        return _fail(f"serve needs the MCP SDK: pip install 'toolace-mt[serve]' ({exc})")
    try:
        options = ServeOptions(env=args.env, seed=args.seed, transport=args.transport, host=args.host, port=args.port,
                               record=args.record, max_sessions=args.max_sessions, max_calls=args.max_calls,
                               idle_timeout=args.idle_timeout, warm=args.warm)
    except ValidationError as exc:
        error = exc.errors()[0]
        return _fail(f"bad settings: --{'-'.join(str(p) for p in error['loc']).replace('_', '-')}: {error['msg']}")
    if options.record is not None:
        try:
            with open(options.record, "a", encoding="utf-8"):
                pass
        except OSError as exc:
            return _fail(f"cannot write {options.record}: {exc.strerror}")
    try:
        sock = listen(options) if options.transport == "http" else None
    except OSError as exc:  # the port is taken, the host is not ours
        return _fail(f"cannot listen on {options.host}:{options.port}: {exc.strerror or exc}")
    try:
        serve(options, sock=sock)
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    _print_json(record_json_schema())
    return EXIT_OK


EXAMPLES = """examples:
  toolace-mt envs list
  toolace-mt envs show retail --seed 7
  toolace-mt envs check my_env.py
  toolace-mt call retail get_product '{"product_id": "P1001"}' --seed 7 --json
  toolace-mt verify fixtures/dialogues/retail.jsonl --json
  toolace-mt schema > record.schema.json
"""


def _add_env_arguments(parser: argparse.ArgumentParser, json_help: str) -> None:
    parser.add_argument("env", help="built-in env name or path to a .py env module")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial state (default 0)")
    parser.add_argument("--json", action="store_true", help=json_help)


def _add_model_arguments(parser: argparse.ArgumentParser, concurrency: bool) -> None:
    """The options of `--backend openai`, one definition for generate and verify (read by
    _model_settings). `concurrency`: the command runs several requests at once per worker
    (generate); verify asks one at a time per worker and gets concurrency 1."""
    model = parser.add_argument_group("--backend openai")
    model.add_argument("--model", help="model name (default $TOOLACE_MODEL)")
    model.add_argument("--base-url", action="append",
                       help="OpenAI-compatible endpoint, e.g. http://localhost:8000/v1 (default $OPENAI_BASE_URL, "
                            "else OpenAI); repeat it for several servers: each request goes to the least-loaded "
                            "one, a failing one is retried later")
    model.add_argument("--api-key-env", default="OPENAI_API_KEY", metavar="VAR",
                       help="environment variable holding the API key (default OPENAI_API_KEY)")
    if concurrency:
        model.add_argument("--concurrency", type=int, default=8,
                           help="requests in flight per worker, over all --base-url servers (default 8)")
    else:
        parser.set_defaults(concurrency=1)
    model.add_argument("--timeout", type=float, default=120.0, help="seconds per request (default 120)")
    model.add_argument("--max-retries", type=int, default=4,
                       help="retries on 429, 5xx, timeouts, refused connections (default 4)")
    model.add_argument("--max-reasks", type=int, default=2,
                       help="re-asks of an invalid answer before the dialogue fails (default 2)")
    model.add_argument("--cache", type=Path, default=Path(".toolace-cache.sqlite"),
                       help="response cache file (default .toolace-cache.sqlite)")
    model.add_argument("--no-cache", action="store_true", help="neither read nor write the response cache")
    model.add_argument("--price-in", type=float, help="USD per 1M prompt tokens (adds a cost to the summary)")
    model.add_argument("--price-out", type=float, help="USD per 1M completion tokens")
    model.add_argument("--temperature", type=float, default=0.7,
                       help="sampling temperature of the generating requests (default 0.7; a negative value "
                            "sends none, for models that refuse the parameter)")
    model.add_argument("--judge-temperature", type=float, default=0.0,
                       help="sampling temperature of the judging requests: refinement keep/revert and the "
                            "verifier's sub-questions (default 0, so a verdict is repeatable; negative: none)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="toolace-mt", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES,
        description="Executable-verified multi-turn tool-use dialogues over sandboxed tool environments.")
    sub = parser.add_subparsers(dest="command", required=True)

    envs = sub.add_parser("envs", help="list, show and check tool environments",
                          formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES)
    envs_sub = envs.add_subparsers(dest="envs_command", required=True)
    p = envs_sub.add_parser("list", help="built-in envs with tool and table counts",
                            epilog="example: toolace-mt envs list --json")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_envs_list)
    p = envs_sub.add_parser("show", help="an env's tools (JSON schemas) and tables (row counts)",
                            epilog="example: toolace-mt envs show banking --seed 3")
    _add_env_arguments(p, json_help="print JSON")
    p.set_defaults(handler=cmd_envs_show)
    p = envs_sub.add_parser("check", help="compile, derive schemas, seed and call-check an env module",
                            epilog="example: toolace-mt envs check tool_envs/retail.py")
    p.add_argument("path", help="path to a .py env module (or a built-in name)")
    p.add_argument("--seed", type=int, default=0, help="seed to check with (default 0)")
    p.set_defaults(handler=cmd_envs_check)
    add_compile_parser(envs_sub, _add_model_arguments, _model_settings)

    call_epilog = (
        "examples:\n  toolace-mt call retail get_order '{\"order_id\": \"#W1001\"}' --json\n"
        "  toolace-mt call retail --calls chain.jsonl      (one {\"name\", \"arguments\"} per line)\n"
        "  printf '%s\\n' '{\"name\": \"get_order\", \"arguments\": {\"order_id\": \"#W1001\"}}' \\\n"
        "      | toolace-mt call retail --calls - --json\n\n"
        "exit code: 0 every call succeeded, 1 a call returned an error (the later ones still run),\n"
        "2 bad input (unknown env, a calls file line that is no call: file:line)")
    p = sub.add_parser("call", help="run one tool call, or several in order, on a freshly seeded env",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=call_epilog)
    _add_env_arguments(p, json_help='print {"ok", "result"|"error": {"type", "message"}, "state_hash", "diff"} '
                                    '(with --calls: one such line per call, plus "call", "line", "name", "arguments")')
    p.add_argument("tool", nargs="?", help="tool name")
    p.add_argument("args", nargs="?", default="{}", help="arguments as a JSON object (default {})")
    p.add_argument("--calls", metavar="FILE.jsonl",
                   help="run every call of FILE in order on one env (one {\"name\", \"arguments\"} per line; - reads "
                        "stdin)")
    p.set_defaults(handler=cmd_call)

    p = sub.add_parser(
        "verify", help="replay dialogues for real and run the checks",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="checks: " + ", ".join(CHECK_IDS) + " (all: every one; trajectory: the last seven)\n\nexamples:\n"
               "  toolace-mt verify data.jsonl\n"
               "  toolace-mt verify a.jsonl b.jsonl --workers 2 --json --report report.json\n"
               "  toolace-mt verify data.jsonl --checks format,replay,state --keep-passed clean.jsonl\n"
               "  toolace-mt verify shared.jsonl --env-dir ~/envs            (records naming env files)\n"
               "  toolace-mt verify data.jsonl --workers 2 --backend openai --model gpt-4o-mini\n"
               "  toolace-mt verify data.jsonl --executor ray --ray-address auto   (on a Ray cluster)\n"
               "  toolace-mt verify data.jsonl --backend openai --model Qwen/Qwen2.5-7B-Instruct\n"
               "      --base-url http://localhost:8000/v1\n\n"
               "exit code: 0 every dialogue passed, 1 some failed or a model fault stopped the run,\n"
               "2 bad arguments")
    p.add_argument("files", nargs="+", help="JSONL files of dialogue records")
    p.add_argument("--json", action="store_true",
                   help='print one object per dialogue: {"id", "passed", "failures": [{"check", "message", '
                        '"message_index"}]}')
    p.add_argument("--report", type=Path, help="write a JSON report (counts per check, every failure) here")
    p.add_argument("--keep-passed", type=Path, metavar="OUT",
                   help="write the dialogues that pass to OUT, with their `verification` filled in")
    p.add_argument("--checks", help="comma-separated check ids to run; 'all' every check, 'trajectory' the "
                                    "trajectory checks (default: " + ("all, every check" if DEFAULT_CHECKS == CHECK_IDS
                                                                      else ",".join(DEFAULT_CHECKS)) + ")")
    p.add_argument("--workers", type=int, help="worker processes (default 1; with --executor ray: Ray actors)")
    add_executor_arguments(p)
    add_env_ref_arguments(p)
    p.add_argument("--backend", choices=["offline", "openai"], default="offline",
                   help="who answers the judge's sub-questions: offline (default: rules, no model) or openai "
                        "(a model behind any OpenAI-compatible server, one request per sub-question)")
    _add_model_arguments(p, concurrency=False)
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser(
        "generate", help="make verified multi-turn dialogues (ToolACE-MT, every call executed)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
               "  toolace-mt generate --env retail -n 20 --seed 7 -o retail.jsonl\n"
               "  toolace-mt generate --env retail --env banking -n 1000 --workers 2 -o data.jsonl --resume\n"
               "  toolace-mt generate --env retail -n 10000 -o big.jsonl --executor ray --ray-address auto\n"
               "  toolace-mt generate --env travel -n 50 --method mas -o mas.jsonl --keep-failed dropped.jsonl\n"
               "  toolace-mt generate --env retail -n 50 -o gpt.jsonl --backend openai --model gpt-4o-mini\n"
               "  toolace-mt generate --env retail -n 50 -o qwen.jsonl --backend openai\n"
               "      --model Qwen/Qwen2.5-7B-Instruct --base-url http://localhost:8000/v1\n"
               "  toolace-mt generate --env retail -n 5000 -o big.jsonl --backend openai --model M --concurrency 128\n"
               "      --base-url http://gpu1:8000/v1 --base-url http://gpu2:8000/v1   (least-loaded, failover)\n\n"
               "exit code: 0 N dialogues accepted, 1 --max-attempts reached first or a model fault stopped the run\n"
               "(records kept; --resume continues), 2 bad arguments")
    p.add_argument("--env", action="append", required=True, help="built-in env name or .py path (repeatable)")
    p.add_argument("--env-dir", type=Path, metavar="DIR",
                   help="records name env files by their path relative to DIR (default: the deepest directory "
                        "holding all --env files); pass the same DIR to verify/eval --env-dir")
    p.add_argument("-n", type=int, required=True, help="accepted dialogues to write")
    p.add_argument("--seed", type=int, default=0, help="run seed; also the envs' seed (default 0)")
    p.add_argument("-o", "--output", type=Path, required=True, help="output JSONL")
    p.add_argument("--method", choices=["naig", "mas"], default="naig", help="ToolACE-MT (default) or the MAS baseline")
    p.add_argument("--backend", choices=["offline", "openai"], default="offline",
                   help="offline (default: no model) or openai (any OpenAI-compatible server, see README)")
    _add_model_arguments(p, concurrency=True)
    p.add_argument("--workers", type=int, help="worker processes (default 1; with --executor ray: Ray actors)")
    add_executor_arguments(p)
    p.add_argument("--refine-steps", type=int, default=5, help="mask-and-fill budget (default 5)")
    p.add_argument("--inject", help="injection types to use, comma-separated (default all: "
                                    + ",".join(INJECTION_TYPES) + ")")
    p.add_argument("--injections", type=_range, default=(1, 3), help="injection types per dialogue (default 1-3)")
    p.add_argument("--subtasks", type=_range, default=(2, 5), help="sub-tasks per dialogue (default 2-5)")
    p.add_argument("--steps", type=_range, default=(1, 6), help="tool-calling steps per sub-task (default 1-6)")
    p.add_argument("--max-attempts", type=int, help="stop after this many attempts (default 3N)")
    p.add_argument("--keep-failed", type=Path, metavar="PATH", help="write dropped dialogues here, with failures")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted run; the settings that decide the records must match "
                        "(-n, --workers, --max-attempts may differ)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(handler=cmd_generate)

    p = sub.add_parser("schema", help="print the JSON Schema of a dialogue record",
                       epilog="example: toolace-mt schema > record.schema.json")
    p.set_defaults(handler=cmd_schema)

    p = sub.add_parser(
        "stats", help="turns, calls, tool coverage, ops mix, Distinct-n/entropy of user turns, pass rate",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  toolace-mt stats data.jsonl\n  toolace-mt stats a.jsonl b.jsonl --json\n"
               "  toolace-mt stats data.jsonl --html report.html\n\n"
               "exit code: 0 done (unreadable lines are reported on stderr and not counted), 2 no such file")
    p.add_argument("files", nargs="+", metavar="FILE", help="JSONL files of dialogue records (read as a stream)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--html", type=Path, metavar="REPORT.html",
                   help="also write the tables, charts and one example dialogue per failed check as one "
                        "self-contained HTML page (no script, no network)")
    add_env_ref_arguments(p)  # records naming env files: the policies of the trajectory section
    p.set_defaults(handler=run_stats)

    p = sub.add_parser(
        "export", help="write dialogues in the openai, sharegpt (LLaMA-Factory) or toolace format, or as a "
                       "Hugging Face dataset (hf)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  toolace-mt export data.jsonl --format openai -o train.openai.jsonl\n"
               "  toolace-mt export data.jsonl --format sharegpt -o train.sharegpt.jsonl\n"
               "  toolace-mt export data.jsonl --format hf -o train_dataset --license apache-2.0\n\n"
               "exit code: 0 every record exported, 1 some were skipped (not records, malformed, failed\n"
               "verification, or not expressible in the format; each named on stderr), 2 bad arguments")
    p.add_argument("file", metavar="FILE", help="JSONL file of dialogue records")
    p.add_argument("--format", required=True, choices=FORMATS, help="output format")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="output JSONL file (one line per record); for --format hf a new or empty directory")
    p.add_argument("--license", metavar="ID", help="--format hf: the dataset card's license field, a Hugging Face "
                                                    "license id such as apache-2.0 or cc-by-4.0 (default: other)")
    p.set_defaults(handler=run_export)

    p = sub.add_parser(
        "serve", help="serve an env over MCP (stdio or Streamable HTTP): one fresh state per session",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  toolace-mt serve retail --seed 7\n"
               "  toolace-mt serve retail --transport http --port 8765 --record sessions.jsonl\n"
               "  toolace-mt verify sessions.jsonl --checks replay,state\n\n"
               "state resources: toolace://state/hash, toolace://state/diff, toolace://state/tables,\n"
               "  toolace://tables/{table}?offset=0&limit=100\n"
               "exit code: 0 the server stopped, 2 bad arguments (unknown env, port in use, mcp not installed)")
    p.add_argument("env", help="built-in env name or path to a .py env module")
    p.add_argument("--seed", type=int, default=0, help="seed of every session's initial state (default 0)")
    p.add_argument("--transport", choices=["stdio", "http"], default="stdio",
                   help="stdio (default: the client starts this command) or http (Streamable HTTP at /mcp)")
    p.add_argument("--host", default="127.0.0.1", help="http: address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="http: port (default 8000; 0 picks a free one)")
    p.add_argument("--record", type=Path, metavar="OUT.jsonl",
                   help="append each session, when it ends, as a trace record (calls, real outputs, final state)")
    p.add_argument("--max-sessions", type=int, default=16, help="sessions open at once (default 16)")
    p.add_argument("--max-calls", type=int, default=1000, help="tool calls per session (default 1000)")
    p.add_argument("--idle-timeout", type=float, default=600.0,
                   help="seconds without a request before a session is closed (default 600)")
    p.add_argument("--warm", type=int, default=1,
                   help="envs kept seeded ahead of new sessions, so a session starts at once (default 1)")
    p.set_defaults(handler=cmd_serve)

    add_eval_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except EnvLoadError as exc:
        return _fail(f"the env module does not load:\n{exc}")
    except SandboxError as exc:
        return _fail(str(exc))
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
