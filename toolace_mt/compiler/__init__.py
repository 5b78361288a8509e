"""`toolace-mt envs compile`: tool specs (OpenAI, MCP, OpenAPI, BFCL) -> one env module.

The pipeline: read each spec into the neutral tool model (`spec_model`), infer entity
tables (`entities`), classify each tool's operation (`kinds`), plan seed data by field
meaning (`seed_plan`), write tool bodies (`bodies`), render the module (`render`), and
validate it by execution (`probe`) before anything is written (`compile`).
"""

