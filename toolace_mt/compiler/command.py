"""`toolace-mt envs compile SPEC... -o ENV.py`: the command line of the compiler."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from toolace_mt.compiler.compile import compile_specs
from toolace_mt.compiler.errors import CompileError, SpecError
from toolace_mt.llm import ModelError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

EPILOG = """examples:
  toolace-mt envs compile fixtures/specs/bfcl/ticket_api.json -o ticket_env.py
  toolace-mt envs compile openapi.yaml -o shop_env.py --json
  toolace-mt envs compile tools.json -o env.py --force --report compile_report.json
  toolace-mt envs compile mcp_tools.json -o env.py --backend openai --model gpt-4o-mini

Formats are detected: OpenAI `tools` (a list or {"tools": [...]}), MCP tools/list results,
OpenAPI 3.x (JSON or YAML), BFCL function docs (JSON lines). Several files make one env.

The module is validated by execution before it is written: `envs check` passes, every tool
succeeds at least once from the seeded state (or a state a write reaches), tools with
arguments reach a domain error, and every write shows through some read. A module that
does not validate is not written unless --force is given (then the report says why).

exit code: 0 written and valid, 1 not valid (not written, or written with --force),
2 bad input (a spec that cannot be read names the file and the place)"""


def add_compile_parser(envs_sub: argparse._SubParsersAction, add_model_arguments: Callable[..., None],
                       model_settings: Callable[[argparse.Namespace], object]) -> None:
    p = envs_sub.add_parser("compile", help="compile tool specs (OpenAI, MCP, OpenAPI, BFCL) into an env module",
                            formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    p.add_argument("specs", nargs="+", type=Path, metavar="SPEC", help="spec files (formats are detected)")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="ENV.py", help="the env module to write")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--report", type=Path, metavar="PATH", help="also write the JSON report here")
    p.add_argument("--force", action="store_true", help="write the module even if it does not validate")
    p.add_argument("--backend", choices=["rules", "openai"], default="rules",
                   help="rules (default: no model) or openai: a model rewrites the bodies the rules could not "
                        "write with confidence or that fail their probes, until they pass")
    p.add_argument("--rounds", type=int, default=3, help="--backend openai: re-asks per tool (default 3)")
    add_model_arguments(p, concurrency=False)
    p.set_defaults(handler=lambda args: cmd_envs_compile(args, model_settings))


def cmd_envs_compile(args: argparse.Namespace, model_settings: Callable[[argparse.Namespace], object]) -> int:
    if args.output.suffix != ".py":
        print(f"error: the output must be a .py file, got {args.output}", file=sys.stderr)
        return EXIT_USAGE
    missing = [str(p) for p in args.specs if not p.is_file()]
    if missing:
        print(f"error: no such spec file: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    author = None
    if args.backend == "openai":
        from toolace_mt.compiler.model_author import ModelAuthor

        try:
            author = ModelAuthor(model_settings(args), rounds=max(1, args.rounds))
        except (ValueError, ModelError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
    try:
        result = compile_specs(list(args.specs), args.output, force=args.force, author=author,
                               progress=lambda message: print(message, file=sys.stderr))
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CompileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ModelError as exc:
        print(f"error: the model failed, nothing was written: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (RecursionError, MemoryError, KeyError, ValueError, TypeError, AttributeError, IndexError) as exc:
        # A spec shape the rules did not foresee: say so plainly, write nothing.
        print(f"error: the compiler could not handle these specs ({type(exc).__name__}: {str(exc)[:200]}); "
              "nothing was written", file=sys.stderr)
        return EXIT_FAILED
    finally:
        if author is not None:
            author.close()
    report = result.report
    if args.report:
        args.report.write_text(report.model_dump_json(indent=2), encoding="utf-8")
    if args.json:
        print(json.dumps(report.model_dump(), indent=2, default=str))
    else:
        print(report.text())
    if not report.valid:
        print(f"{args.output}: {'written anyway (--force)' if report.written else 'NOT written'}: the module does "
              "not validate (see the problems above)", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
