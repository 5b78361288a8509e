"""The `fake` handle seed() gets: a seeded Faker behind an allow-list of provider methods.

Env code never holds a Faker object. It may call the provider methods that take and
return plain data only: methods that call other methods by name (`pylist(value_types=
["seed_instance"])`, templates), take classes or callables, reseed, or reach the
generator (`get_formatter`, `providers`, ...) are not on the list, and every argument
must be plain data (str, numbers, dates and lists/dicts of them).

Some providers draw from Python's module-level `random` (seeded from the OS) instead of
the Faker's own RNG (`passport_full` picks the gender so): before each call that module
is seeded from the Faker's state, so the same seed gives the same data.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import inspect
import random
from typing import Any

from sandbox.restricted import SandboxViolation

# Methods that reach Faker's internals, reseed it, parse "{{method}}" templates (which
# call any method by name), build files or bytes, or read the real clock at import time.
_DENIED = frozenset({
    "seed", "seed_instance", "seed_locale", "random", "providers", "add_provider",
    "get_providers", "provider", "factories", "locales", "weights", "format", "parse",
    "set_formatter", "get_formatter", "set_arguments", "del_arguments", "get_arguments",
    "items", "optional", "unique",
    "pystr_format", "json", "json_bytes", "fixed_width", "dsv", "csv", "tsv", "psv", "xml",
    "passport_dates", "binary", "zip", "tar", "image", "enum",
})
# A method with one of these parameters names methods, classes or formats to run.
_DENIED_PARAMETERS = frozenset({
    "value_types", "allowed_types", "data_columns", "cls", "enum_cls", "object_type",
    "string_format", "dialect", "fmtparams", "seed",
})
_PLAIN = (str, int, float, bool, type(None), dt.date, dt.time, dt.timedelta, decimal.Decimal)
_MAX_ARGUMENT_ITEMS = 10_000
_MAX_ARGUMENT_DEPTH = 8


@functools.cache
def allowed_providers() -> frozenset[str]:
    """The provider methods env code may call (read from the pinned Faker, en_US)."""
    from faker import Faker

    generator = Faker("en_US", use_weighting=False)._factories[0]
    allowed = set()
    for provider in generator.providers:
        for name in dir(provider):
            if name.startswith("_") or name in _DENIED:
                continue
            method = getattr(provider, name, None)
            if not callable(method) or isinstance(method, type):
                continue
            try:
                parameters = inspect.signature(method).parameters
            except (TypeError, ValueError):
                continue
            if not _DENIED_PARAMETERS.intersection(parameters):
                allowed.add(name)
    return frozenset(allowed)


def plain(value: Any) -> Any:
    """Faker's result as plain data (lists for tuples and sets)."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    raise SandboxViolation(f"Faker returned a {type(value).__name__}; only plain data is passed on")


def _check_argument(value: Any, where: str, depth: int = 0, budget: list[int] | None = None) -> None:
    budget = [_MAX_ARGUMENT_ITEMS] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0 or depth > _MAX_ARGUMENT_DEPTH:
        raise SandboxViolation(f"{where}: arguments to fake methods must be small plain data")
    if isinstance(value, _PLAIN):
        return
    if type(value) in (list, tuple, set, frozenset):
        for item in value:
            _check_argument(item, where, depth + 1, budget)
        return
    if type(value) is dict:
        for key, item in value.items():
            _check_argument(key, where, depth + 1, budget)
            _check_argument(item, where, depth + 1, budget)
        return
    raise SandboxViolation(f"{where}: a {type(value).__name__} cannot be passed to a fake method; "
                           "only str, numbers, dates and lists/dicts of them")


class FakeView:
    """A seeded Faker that runs allowed provider methods on plain data only."""

    __slots__ = ("_faker", "_rng")

    def __init__(self, faker: Any, rng: random.Random | None = None) -> None:
        object.__setattr__(self, "_faker", faker)
        object.__setattr__(self, "_rng", faker.random if rng is None else rng)

    def __getattr__(self, name: str) -> Any:
        if name == "unique":
            return FakeView(self._faker.unique, self._rng)
        if name.startswith("_") or name not in allowed_providers():
            raise SandboxViolation(f"fake.{name} is not available in an env module")
        faker, rng = self._faker, self._rng

        def provider(*args: Any, **kwargs: Any) -> Any:
            where = f"fake.{name}()"
            _check_argument(list(args), where)
            _check_argument(dict(kwargs), where)
            # From the Faker's state, without drawing from it: its own sequence is unchanged.
            random.seed(hash(rng.getstate()))
            return plain(getattr(faker, name)(*args, **kwargs))

        return provider

    def __setattr__(self, name: str, value: Any) -> None:
        raise SandboxViolation("fake is read-only")

    def __repr__(self) -> str:
        return "<fake (sandboxed Faker)>"
