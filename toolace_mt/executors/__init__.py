"""Where attempts (generate) and batches of records (verify) run: `local` processes on
this machine, or `ray` actors across a Ray cluster. Both give results in input order, so
the output does not depend on the executor."""

from toolace_mt.executors.choice import EXECUTORS, ExecutorChoice, ExecutorName

__all__ = ["EXECUTORS", "ExecutorChoice", "ExecutorName"]
