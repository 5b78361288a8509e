"""Each generation module imports on its own, first in a fresh interpreter: a cycle between
the plan and the language (new_keys <- value_phrases <- plan.values) once made
`from toolace_mt.generation.language import wording` fail unless the plan came first."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", [
    "toolace_mt.generation.language.wording",
    "toolace_mt.generation.language.value_phrases",
    "toolace_mt.generation.language.tool_language",
    "toolace_mt.generation.plan.new_keys",
])
def test_a_module_imports_first(module: str) -> None:
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-600:]
