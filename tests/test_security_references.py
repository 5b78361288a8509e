"""Issue 15 class 1: no object env code can reach carries a reference to trusted code.

Each attack tries to get hold of an unrestricted object (through an exception, a Faker,
stdlib or engine view, a type hint, a class) and use it to write its marker file. Each
must fail with its typed error, write nothing, leave the state as it was, and leave the
engine answering the next call as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from envkit import load_many, load_source, module_source, seed_source, tool_source

from sandbox import EnvLoadError

# The step an attack takes once it holds the real Faker: an unrestricted getattr by name
# (here: reseed from OS entropy, so the state would not replay).
ESCAPE = 'leaked.get_formatter("seed_instance")(None)'


@dataclass(frozen=True)
class Attack:
    name: str
    body: str
    error: str
    fragment: str


ATTACKS = [
    # exceptions raised in trusted code, caught by env code
    Attack("attribute_error_obj_of_type_hint",
           'import typing\ntry:\n    typing.Iterable.nope\nexcept Exception as e:\n    leaked = e.obj\n'
           'leaked.register(int)\nreturn {}',
           "ToolCrash", "'SandboxViolation' object has no attribute 'obj'"),
    Attack("attribute_error_obj_of_module_function",
           'import json\ntry:\n    json.loads.nope\nexcept AttributeError as e:\n    leaked = e.obj\n'
           'leaked.__globals__\nreturn {}',
           "ToolCrash", "nope"),
    Attack("attribute_error_obj_is_gone",
           'import json\ntry:\n    json.loads.nope\nexcept AttributeError as e:\n    leaked = e.obj\n'
           'if leaked is None:\n    raise ToolError("no object")\nreturn {}',
           "ToolError", "no object"),
    Attack("exception_args_hold_classes",
           'import decimal\ntry:\n    decimal.Decimal("not a number")\nexcept Exception as e:\n'
           '    leaked = e.args[0][0]\nif not isinstance(leaked, str):\n    leaked.mro()\n'
           'raise ToolError("args are text: " + leaked[:8])',
           "ToolError", "args are text"),
    Attack("exception_from_db_handle",
           'try:\n    db.nope\nexcept AttributeError as e:\n    leaked = e.obj\n' + ESCAPE + '\nreturn {}',
           "ToolCrash", "NoneType"),
    Attack("exception_chain_in_handler",
           'import json\ntry:\n    try:\n        json.loads("{")\n    except ValueError:\n'
           '        typing_hint = {}.nope\nexcept AttributeError as e:\n    leaked = e.obj\n' + ESCAPE + '\nreturn {}',
           "ToolCrash", "NoneType"),
    Attack("exception_group_members",
           'try:\n    db.nope\nexcept Exception as e:\n    group = e.exceptions\nreturn {}',
           "ToolCrash", "exceptions"),
    Attack("reraise_copy_keeps_message",
           'try:\n    db.query("SELECT nope FROM items")\nexcept Exception as e:\n'
           '    raise ToolError("caught: " + str(e)[:20])',
           "ToolError", "caught: "),
    # type hints and classes
    Attack("typing_register", 'import typing\ntyping.Iterable.register(int)\nreturn {}', "SandboxViolation",
           "type hints"),
    Attack("typing_origin_attribute", 'from typing import List\nleaked = List.copy\nreturn {}', "SandboxViolation",
           "type hints"),
    Attack("typing_subscripted_attribute", 'import typing\nleaked = typing.Dict[str, int].fromkeys\nreturn {}',
           "SandboxViolation", "type hints"),
    Attack("builtin_generic_alias_attribute", 'leaked = list[int].append\nleaked([], 1)\nreturn {}',
           "SandboxViolation", "type hints"),
    Attack("class_mro_to_object", 'leaked = int.mro()[-1]\nreturn {"r": str(leaked)}', "SandboxViolation", "mro"),
    Attack("typed_dict_mro", 'import typing\nT = typing.TypedDict("T", {"a": int})\nleaked = T.mro()\nreturn {}',
           "SandboxViolation", "mro"),
    Attack("subclass_of_abc_register",
           'import typing\nclass Mine(typing.Iterable):\n    pass\nMine.register(int)\nreturn {}',
           "SandboxViolation", "register"),
    # the authoring module
    Attack("authoring_callable_register",
           'import sandbox.authoring\nsandbox.authoring.Callable.register(int)\nreturn {}',
           "ToolCrash", "Callable"),
    Attack("authoring_protocol_register", 'from sandbox.authoring import Db\nDb.register(int)\nreturn {}',
           "SandboxViolation", "register"),
    Attack("authoring_random_module", 'import sandbox.authoring\nreturn {"r": sandbox.authoring.Protocol}',
           "ToolCrash", "Protocol"),
    # functions passed to trusted code: the guard still applies inside env callbacks
    Attack("callback_through_sorted",
           'def key(x):\n    return x.__class__\nreturn {"r": sorted([1], key=key)}', "SandboxViolation", ""),
]

PROBE = tool_source("probe", 'return {"items": db.query("SELECT * FROM items ORDER BY item_id")}', params={})


def _compile_safe(attack: Attack) -> bool:
    return "__class__" not in attack.body and "__globals__" not in attack.body


@pytest.fixture(scope="module")
def attack_env(tmp_path_factory):
    parts = [tool_source(a.name, a.body) for a in ATTACKS if _compile_safe(a)]
    env = load_source(tmp_path_factory.mktemp("references"), "references", module_source(PROBE, *parts))
    yield env
    env.close()


@pytest.fixture(scope="module")
def baseline(attack_env):
    return attack_env.call("probe").result, attack_env.state_hash()


@pytest.mark.parametrize("attack", [a for a in ATTACKS if _compile_safe(a)], ids=lambda a: a.name)
def test_reference_attack_is_contained(attack_env, baseline, tmp_path, attack: Attack):
    marker = tmp_path / "marker"
    result = attack_env.call(attack.name, {"marker": str(marker)})
    assert not marker.exists()
    assert result.error is not None, f"the attack got through: {result.result!r}"
    assert result.error.type == attack.error, result.error
    assert attack.fragment in result.error.message, result.error
    assert attack_env.state_hash() == baseline[1]
    assert attack_env.call("probe").result == baseline[0]


@pytest.mark.parametrize("attack", [a for a in ATTACKS if not _compile_safe(a)], ids=lambda a: a.name)
def test_dunder_attacks_never_compile(tmp_path, attack: Attack):
    source = module_source(tool_source(attack.name, attack.body))
    with pytest.raises(EnvLoadError, match="invalid attribute name"):
        load_source(tmp_path, "dunder", source)


# --------------------------------------------------------------------------- Faker, in seed()

INSERT = 'db.insert("items", [{"item_id": "I%02d" % i, "qty": i} for i in range(5)])\n'
MARKER_SEED = 'marker = MARKER\n'

FAKER_ATTACKS = {
    # (seed body, fragment of the load error)
    "pylist_value_types_reseeds": ('fake.pylist(nb_elements=1, value_types=["seed_instance"])', "fake.pylist"),
    "pydict_value_types": ('fake.pydict(value_types=["get_formatter"])', "fake.pydict"),
    "get_formatter": ('leaked = fake.get_formatter("name")\n' + ESCAPE, "fake.get_formatter"),
    "attribute_error_obj": ('try:\n    fake.no_such_provider\nexcept AttributeError as e:\n'
                            '    leaked = e.obj\n' + ESCAPE,
                            "fake.no_such_provider is not available"),
    "unique_clear": ("fake.unique.clear()", "fake.clear"),
    "callable_argument": ('fake.random_element(elements=[db.query])', "cannot be passed to a fake method"),
    "object_argument": ('import datetime\nfake.date_time_between(tzinfo=datetime.timezone.utc)',
                        "cannot be passed to a fake method"),
    "template_method": ('fake.pystr_format("{{seed_instance}}")', "fake.pystr_format"),
    "enum_class_argument": ('import collections\nfake.enum(collections.OrderedDict)', "fake.enum"),
    "seed_parameter": ('fake.passport_gender(seed=1)', "fake.passport_gender"),
}


@pytest.fixture(scope="module")
def faker_loads(tmp_path_factory):
    directory = tmp_path_factory.mktemp("faker")
    sources = {}
    for name, (body, _) in FAKER_ATTACKS.items():
        prelude = f"\nMARKER = {str(directory / (name + '.marker'))!r}\n"
        sources[name] = module_source(seed=seed_source(MARKER_SEED + INSERT + body), prelude=prelude)
    sources["clean"] = module_source(seed=seed_source(INSERT + 'fake.name()\nfake.unique.first_name()'))
    results = load_many(directory, sources)
    yield directory, results
    for result in results.values():
        if not isinstance(result, EnvLoadError):
            result.close()


@pytest.mark.parametrize("name", list(FAKER_ATTACKS))
def test_faker_attack_is_refused(faker_loads, name: str):
    directory, results = faker_loads
    result = results[name]
    assert isinstance(result, EnvLoadError), f"the module loaded: {name}"
    message = result.problems[0][2]
    assert message.startswith("seed(): SandboxViolation"), message
    assert FAKER_ATTACKS[name][1] in message, message
    assert not (directory / f"{name}.marker").exists()
    clean = results["clean"]
    assert not isinstance(clean, EnvLoadError), clean
    assert clean.call("ping").ok  # the engine loads and answers others as before


def test_faker_allow_list_keeps_plain_providers():
    from sandbox.fake_view import allowed_providers

    allowed = allowed_providers()
    assert {"name", "email", "date_between", "random_int", "uuid4", "sentence"} <= allowed
    assert not allowed & {"pylist", "pydict", "get_formatter", "seed_instance", "pystr_format", "enum"}


# --------------------------------------------------------------------------- compile errors


def test_underscore_names_give_one_problem_per_name_with_its_line(tmp_path: Path):
    source = module_source(
        "\n_hidden = 1\n\ndef helper(value, _secret=2):\n    return value._private\n\n\nalso = _hidden\n")
    with pytest.raises(EnvLoadError) as info:
        load_source(tmp_path, "underscores", source)
    lines = source.splitlines()
    expected = {
        ("_hidden", next(n for n, t in enumerate(lines, 1) if t.startswith("_hidden"))),
        ("_secret", next(n for n, t in enumerate(lines, 1) if "_secret" in t)),
        ("_private", next(n for n, t in enumerate(lines, 1) if "_private" in t)),
        ("_hidden", next(n for n, t in enumerate(lines, 1) if t.startswith("also"))),
    }
    got = {(message.split('"')[1], line) for _, line, message in info.value.problems}
    assert got == expected
    assert len(str(info.value).splitlines()) == len(expected)  # one line each
    assert all(f":{line}: " in text for text, (_, line) in
               zip(str(info.value).splitlines(), sorted(expected, key=lambda e: e[1]), strict=True))
