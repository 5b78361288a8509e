"""Issue 15 class 5, the builtins part: no text or value env code makes shows an address.

An object's address differs between processes, so a result built from it would not
replay. Every way to turn an object into text must give the same text in two workers,
and hash() of an object (its address) is refused.
"""

from __future__ import annotations

import pytest
from envkit import load_many, module_source, tool_source

from sandbox import EnvLoadError

PRELUDE = '''
class Thing:
    pass


def helper():
    return 1
'''

# (name, expression giving text made from objects with default reprs)
TEXTS = [
    ("repr_function", "repr(helper)"),
    ("str_function", "str(helper)"),
    ("repr_instance", "repr(Thing())"),
    ("str_db_handle", "str(db)"),
    ("str_rng", "str(db.rng)"),
    ("fstring_plain", 'f"{helper}"'),
    ("fstring_repr_conversion", 'f"{Thing()!r}"'),
    ("fstring_ascii_conversion", 'f"{helper!a:>80}"'),
    ("fstring_nested_spec", 'f"{helper!s:{40}}"'),
    ("percent_format", '"%s and %r" % (helper, Thing())'),
    ("percent_mapping", '"%(x)s" % {"x": db.query}'),
    ("format_builtin", "format(helper)"),
    ("ascii_builtin", "ascii([helper])"),
    ("repr_of_container", 'repr({"f": [helper, (Thing(),)]})'),
    ("generator_repr", "repr(x for x in [1])"),
    ("iterator_repr", "str(iter([1, 2]))"),
    ("lambda_repr", "str(lambda: 1)"),
    ("bound_method_repr", "str(db.query)"),
    ("str_of_key_error", 'str(KeyError(helper))'),
    ("operator_mod", 'operator.mod("%s", helper)'),
    ("userstring_data", "collections.UserString(helper).data"),
    ("print_collected", "print_it(helper)"),
    ("join_mapped_str", '",".join(map(str, [helper, Thing()]))'),
    ("augmented_percent", "augmented(helper)"),
    ("subclass_of_str", "MyText(helper)"),
]

HELPERS = '''
import collections
import operator


class MyText(str):
    pass


def print_it(value):
    print(value)
    return printed


def augmented(value):
    text = "%s"
    text %= value
    return text
'''

HASHES = [
    ("hash_function", "hash(helper)"),
    ("hash_instance", "hash(Thing())"),
    ("hash_nan", 'hash(float("nan"))'),
    ("hash_tuple_with_object", 'hash(("a", helper))'),
    ("hash_db", "hash(db)"),
]


def _module() -> str:
    tools = [tool_source(name, f"return {{'text': {expr}}}", params={}) for name, expr in TEXTS]
    tools += [tool_source(name, f"return {{'hash': {expr}}}", params={}) for name, expr in HASHES]
    tools.append(tool_source("hash_of_values", 'return {"h": [hash("abc"), hash(3), hash(("a", 1.5))]}', params={}))
    # (a function: instances of env classes are unhashable, see test_security_redteam)
    tools.append(tool_source("crash_message", "return {'r': {helper: 1}[print_it]}", params={}))
    return module_source(*tools, prelude=PRELUDE + HELPERS)


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    """The same module (same file name, other directory) in two worker processes: every
    answer must be the same in both."""
    envs = []
    for _ in range(2):
        result = load_many(tmp_path_factory.mktemp("determinism"), {"objects": _module()})["objects"]
        assert not isinstance(result, EnvLoadError), result
        envs.append(result)
    yield envs[0], envs[1]
    for env in envs:
        env.close()


@pytest.mark.parametrize(("name", "expr"), TEXTS, ids=[t[0] for t in TEXTS])
def test_text_of_objects_shows_no_address(two_workers, name: str, expr: str):
    first, second = two_workers
    one, other = first.call(name), second.call(name)
    assert one.ok, one.error
    assert " at 0x" not in one.result["text"], one.result
    assert one.result == other.result


@pytest.mark.parametrize(("name", "expr"), HASHES, ids=[h[0] for h in HASHES])
def test_hash_of_an_object_is_refused(two_workers, name: str, expr: str):
    first, _ = two_workers
    before = first.state_hash()
    result = first.call(name)
    assert result.error is not None and result.error.type == "SandboxViolation", result
    assert "hash()" in result.error.message
    assert first.state_hash() == before
    assert first.call("ping").ok


def test_hash_of_values_is_the_same_in_two_workers(two_workers):
    first, second = two_workers
    one, other = first.call("hash_of_values"), second.call("hash_of_values")
    assert one.ok and one.result == other.result


def test_crash_messages_show_no_address(two_workers):
    first, second = two_workers
    one, other = first.call("crash_message"), second.call("crash_message")
    assert one.error is not None and one.error.type == "ToolCrash"
    assert " at 0x" not in one.error.message and "KeyError" in one.error.message
    assert one.error.message == other.error.message
