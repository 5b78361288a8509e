"""The openai backend's engine overhead, against the local fake server (no network).

The fake server (tests/fake_openai_server.py) answers as the scripted model of the tests
(tests/fake_model.py) after a configurable latency, so the figures show what the engine
costs around the model: requests per second, the share of wall time during which no
request was in flight (the engine's own work: sandbox calls, verification, prompt
building), and NAIG vs MAS requests per accepted dialogue.

    python bench/backend.py --env retail -n 8 --latency 0.2 --concurrency 1 8
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fake_model import ScriptedModel
from fake_openai_server import FakeOpenAIServer, FakeReply

from toolace_mt.generation.run import RunOptions, run_generate
from toolace_mt.llm import ModelSettings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="retail")
    parser.add_argument("-n", type=int, default=8, help="accepted dialogues per run")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds the fake model takes per request")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--methods", nargs="+", default=["naig", "mas"])
    args = parser.parse_args()

    model = ScriptedModel(args.env, args.seed)

    def handler(body: dict) -> FakeReply:
        start = time.monotonic()
        message = model(body)  # the scripted model's own work counts as the model's time
        return FakeReply(delay=max(0.0, args.latency - (time.monotonic() - start)), message=message)

    print(f"env {args.env}, n {args.n}, seed {args.seed}, latency {args.latency:g} s per request, no cache")
    print(f"{'method':<6}{'conc':>5}{'accepted':>9}{'attempts':>9}{'requests':>9}{'req/acc':>9}{'req/s':>8}"
          f"{'wall s':>8}{'outside model':>15}")
    with FakeOpenAIServer(handler) as server, tempfile.TemporaryDirectory() as tmp:
        for method in args.methods:
            for concurrency in args.concurrency:
                server.reset_counters()
                settings = ModelSettings(model="fake-model", base_url=server.base_url, cache_path=None,
                                         concurrency=concurrency, timeout=60)
                options = RunOptions(envs=[args.env], n=args.n, seed=args.seed, out=Path(tmp) / f"{method}.jsonl",
                                     method=method, backend="openai", max_attempts=3 * args.n, model=settings)
                start = time.monotonic()
                accepted, summary, _ = run_generate(options)
                wall = time.monotonic() - start
                requests = server.request_count
                outside = server.idle_seconds() / wall
                print(f"{method:<6}{concurrency:>5}{accepted:>9}{summary.attempts:>9}{requests:>9}"
                      f"{requests / max(accepted, 1):>9.1f}{requests / wall:>8.1f}{wall:>8.1f}{outside:>14.0%}")
    model.close()


if __name__ == "__main__":
    main()
