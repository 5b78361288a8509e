"""Fixtures more than one test module uses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from toolace_mt.generation.workbench import Workbench


@pytest.fixture(scope="module")
def tau() -> Iterator[Workbench]:
    """tau_retail made ready for generation (seed 1), once per module."""
    bench = Workbench("tau_retail", 1)
    yield bench
    bench.close()
