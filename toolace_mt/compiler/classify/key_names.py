"""A parameter named only `id` (or `uuid`...) that holds the key of the row its tool acts on
is named as the module names that key (PUT /pet {id, name...} -> `petId`, as getPetById and
the rows findPetsByStatus returns name it). `id` is reserved in a module and would become
`id_value`, which links to nothing: the generator matches values to parameters by their
names' words, so a pet id read elsewhere could never reach updatePet."""

from __future__ import annotations

from dataclasses import replace

from toolace_mt.compiler.names import words
from toolace_mt.compiler.plan import EnvPlan
from toolace_mt.compiler.spellings import display_names

# A name that says which row but not of what.
BARE_KEYS = frozenset({"id", "uuid", "guid", "key", "ref", "identifier"})


def name_bare_keys(env: EnvPlan) -> None:
    """Each bare key parameter takes its table key's name as the module shows it (the spec's
    spelling where there is one, see spellings), unless another parameter of the tool has it."""
    shown = display_names(env)
    for plan in env.tools:
        table = env.tables.get(plan.table or "")
        if table is None or table.lookup or table.singleton:
            continue
        name = shown.get(table.key, table.key)
        taken = {p.ident for p in plan.params}
        for param in plan.params:
            said = set(words(param.spec.name))
            if not said or not said <= BARE_KEYS or name in taken or \
                    (param.role != "key" and param.column != table.key):
                continue
            param.ident = name
            taken.add(name)
            key_spec = table.key_column.spec
            if not param.spec.description and key_spec is not None and key_spec.description:
                param.spec = replace(param.spec, description=key_spec.description)  # not "petId: id."
