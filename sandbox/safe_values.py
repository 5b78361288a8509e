"""What env code gets back from trusted code: exceptions as copies, text without addresses.

Two boundaries of the sandbox, applied by sandbox.restricted:
- every exception env code catches (`except ... as e`) is replaced by a fresh copy of the
  same class holding plain data only: no `.obj` (AttributeError's real object), no
  arguments that are objects of trusted code, no cause, context or traceback;
- text made from objects (repr, str, format, f-strings, `%`, print) never shows a
  memory address ("<function f at 0x7f...>" becomes "<function f>"): an address differs
  between runs, so it would make a replay differ. `hash()` is limited to values whose
  hash is not an address.
"""

from __future__ import annotations

import builtins
import datetime as dt
import decimal
import fractions
import re
import uuid
from collections.abc import Callable
from typing import Any

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+(?=>)")
_ADDRESS_BYTES = re.compile(rb" at 0x[0-9a-fA-F]+(?=>)")
_SCALARS = (str, bytes, int, float, complex, bool, type(None), dt.date, dt.time, dt.timedelta, decimal.Decimal,
            fractions.Fraction, uuid.UUID)
_MAX_COPY_DEPTH = 20
_GROUP: Any = getattr(builtins, "BaseExceptionGroup", None)


class SandboxViolation(Exception):
    """Raised inside the worker when env code does something the sandbox forbids."""


def scrub(text: Any) -> Any:
    """The text without the addresses of default object reprs (other values unchanged)."""
    if isinstance(text, str):
        return _ADDRESS.sub("", text) if " at 0x" in text else text
    if isinstance(text, bytes):
        return _ADDRESS_BYTES.sub(b"", text) if b" at 0x" in text else text
    return text


def safe_repr(value: Any) -> str:
    return scrub(repr(value))


def safe_ascii(value: Any) -> str:
    return scrub(ascii(value))


def safe_format(value: Any, spec: str = "") -> str:
    return scrub(format(value, spec))


def format_value(value: Any, conversion: int, spec: str) -> str:
    """One f-string field `{value!conversion:spec}` (conversion: -1, or ord of 's', 'r', 'a')."""
    if conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("s"):
        value = str(value)
    elif conversion == ord("a"):
        value = ascii(value)
    return scrub(format(value, spec))


def modulo(left: Any, right: Any) -> Any:
    """`left % right`: for text, the formatted text without addresses."""
    return scrub(left % right)


def _hashable_value(value: Any, depth: int = 0) -> bool:
    if depth > _MAX_COPY_DEPTH:
        return False
    if isinstance(value, (float, complex, decimal.Decimal)) and value != value:
        return False  # the hash of a NaN is its address
    if isinstance(value, complex) and (value.real != value.real or value.imag != value.imag):
        return False
    if isinstance(value, _SCALARS):
        return True
    if type(value) in (tuple, frozenset):
        return all(_hashable_value(v, depth + 1) for v in value)
    return False


def safe_hash(value: Any) -> int:
    """hash() of values whose hash is a function of the value (with PYTHONHASHSEED fixed)."""
    if not _hashable_value(value):
        raise SandboxViolation(f"hash() of a {type(value).__name__} is not available in the sandbox (it is the "
                               "object's address, which differs between runs); hash str, numbers or tuples")
    return hash(value)


class _StrType(type):
    """Makes `str` of the sandbox stand for the real `str`: isinstance, type hints, dict keys."""

    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, str) if cls is SafeStr else type.__instancecheck__(cls, obj)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, str) if cls is SafeStr else type.__subclasscheck__(cls, sub)

    def __eq__(cls, other: object) -> bool:
        return other is str or other is SafeStr if cls is SafeStr else cls is other

    def __hash__(cls) -> int:
        return hash(str) if cls is SafeStr else type.__hash__(cls)

    def __repr__(cls) -> str:
        return "<class 'str'>" if cls is SafeStr else type.__repr__(cls)


class SafeStr(str, metaclass=_StrType):
    """The sandbox's `str`: `str(x)` is the real text of x without object addresses."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        text = scrub(str(*args, **kwargs))
        return text if cls is SafeStr else str.__new__(cls, text)


def _plain_copy(value: Any, depth: int = 0) -> Any:
    """Plain data as it is (containers copied); anything else as its text."""
    if isinstance(value, _SCALARS):
        return value
    if depth < _MAX_COPY_DEPTH and type(value) in (list, tuple, set, frozenset):
        return type(value)(_plain_copy(v, depth + 1) for v in value)
    if depth < _MAX_COPY_DEPTH and type(value) is dict:
        return {_plain_copy(k, depth + 1): _plain_copy(v, depth + 1) for k, v in value.items()}
    try:
        return safe_repr(value)
    except Exception:  # noqa: BLE001 - a repr that fails still must not hand the object over
        return f"<{type(value).__name__}>"


def exception_copier(env_module: str) -> Callable[[BaseException], BaseException]:
    """The function applied to every exception env code catches (see the module docstring).

    Exceptions of classes the env module defined itself pass as they are: they hold only
    what env code put in them.
    """

    def copy(exc: BaseException) -> BaseException:
        cls = type(exc)
        if getattr(cls, "__module__", None) == env_module:
            return exc
        if _GROUP is not None and isinstance(exc, _GROUP):  # Python 3.11+
            return _GROUP(scrub(str(exc.message)), [copy(e) for e in exc.exceptions])
        args = tuple(_plain_copy(a) for a in exc.args)
        try:
            fresh = cls.__new__(cls, *args)
            fresh.args = args
        except Exception:  # noqa: BLE001 - a class we cannot rebuild becomes its nearest builtin
            base = next(c for c in cls.__mro__ if c.__module__ == "builtins")
            fresh = base(*args)
        # Attributes C code keeps outside __dict__ (AttributeError.obj is left out on purpose).
        for name in ("name", "value", "errno", "strerror", "filename", "msg", "lineno", "offset", "text", "path"):
            held = getattr(exc, name, None)
            if held is not None and isinstance(held, _SCALARS):
                try:
                    setattr(fresh, name, held)
                except (AttributeError, TypeError):
                    pass
        for name, held in getattr(exc, "__dict__", {}).items():
            try:
                setattr(fresh, name, _plain_copy(held))
            except (AttributeError, TypeError):
                pass
        return fresh

    return copy
