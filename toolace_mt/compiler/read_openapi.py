"""OpenAPI 3.x: each operation (path + method) becomes a tool.

Parameters come from path and query parameters and the JSON request body's properties;
the output from the first 2xx JSON response; `components.schemas` with properties feed
entity inference.
"""

from __future__ import annotations

import re
from typing import Any

from toolace_mt.compiler.errors import SpecError
from toolace_mt.compiler.schema_fields import Resolver, text, to_field
from toolace_mt.compiler.spec_model import Field, SpecSet, ToolIn

MAX_OPERATIONS = 300
METHODS = ("get", "post", "put", "patch", "delete")


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _operation_name(method: str, path: str) -> str:
    parts = [p for p in re.split(r"[/{}]+", path) if p]
    return "_".join([method, *parts]) if parts else method


def _json_schema(content: Any) -> Any:
    if not isinstance(content, dict):
        return None
    for media, body in content.items():
        if isinstance(media, str) and "json" in media and isinstance(body, dict):
            return body.get("schema")
    return None


def _parameters(items: Any, resolver: Resolver, where: str) -> list[Field]:
    fields: list[Field] = []
    if not isinstance(items, list):
        return fields
    for index, item in enumerate(items[:60]):
        here = f"{where}/{index}"
        if isinstance(item, dict) and isinstance(item.get("$ref"), str):
            item = resolver.resolve(item["$ref"], here)
        if not isinstance(item, dict):
            raise SpecError(resolver.file, here, "a parameter must be an object")
        if item.get("in") not in ("path", "query"):
            continue  # headers and cookies are transport, not the tool's arguments
        name = item.get("name")
        if not isinstance(name, str) or not name:
            raise SpecError(resolver.file, f"{here}/name", "a parameter needs a 'name'")
        param = to_field(item.get("schema", {}), name[:80], resolver, f"{here}/schema",
                         required=bool(item.get("required")) or item.get("in") == "path")
        param.description = text(item.get("description")) or param.description
        fields.append(param)
    return fields


def read_openapi(file: str, data: dict[str, Any], into: SpecSet) -> None:
    version = data.get("openapi")
    if not isinstance(version, str) or not version.startswith("3."):
        raise SpecError(file, "/openapi", f"only OpenAPI 3.x is supported, got {str(version)[:20]!r}")
    resolver = Resolver(file, data)
    info = data.get("info") if isinstance(data.get("info"), dict) else {}
    title = " ".join(t for t in (text(info.get("title")), text(info.get("description"))) if t)
    if title:
        into.titles.append(title)
    schemas = (data.get("components") or {}).get("schemas") if isinstance(data.get("components"), dict) else None
    if isinstance(schemas, dict):
        for name, schema in list(schemas.items())[:200]:
            if isinstance(name, str):
                component = to_field(schema, name, resolver, f"/components/schemas/{_escape(name)}")
                if component.type == "object" and component.properties:
                    into.components[name] = component
    paths = data.get("paths")
    if not isinstance(paths, dict):
        raise SpecError(file, "/paths", "an OpenAPI document needs a 'paths' object")
    count = 0
    for path, item in paths.items():
        if not isinstance(path, str) or not isinstance(item, dict):
            continue
        where = f"/paths/{_escape(path)}"
        shared = _parameters(item.get("parameters"), resolver, f"{where}/parameters")
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict) or count >= MAX_OPERATIONS:
                continue
            count += 1
            here = f"{where}/{method}"
            params = list(shared)
            for param in _parameters(operation.get("parameters"), resolver, f"{here}/parameters"):
                params = [p for p in params if p.name != param.name] + [param]
            body = operation.get("requestBody")
            if isinstance(body, dict) and isinstance(body.get("$ref"), str):
                body = resolver.resolve(body["$ref"], f"{here}/requestBody")
            schema = _json_schema(body.get("content")) if isinstance(body, dict) else None
            if schema is not None:
                payload = to_field(schema, "body", resolver, f"{here}/requestBody", required=True)
                if payload.type == "object" and payload.properties:
                    taken = {p.name for p in params}
                    params += [p for p in payload.properties if p.name not in taken]
                else:
                    payload.required = bool(body.get("required", True))
                    params.append(payload)
            output = None
            responses = operation.get("responses")
            if isinstance(responses, dict):
                for code in sorted(str(c) for c in responses):
                    response = responses.get(code, responses.get(int(code)) if code.isdigit() else None)
                    if not code.startswith("2"):
                        continue
                    if isinstance(response, dict) and isinstance(response.get("$ref"), str):
                        response = resolver.resolve(response["$ref"], f"{here}/responses/{code}")
                    schema = _json_schema(response.get("content")) if isinstance(response, dict) else None
                    if schema is not None:
                        output = to_field(schema, "output", resolver, f"{here}/responses/{code}")
                        break
            name = operation.get("operationId")
            name = name[:80] if isinstance(name, str) and name.strip() else _operation_name(method, path)
            description = text(operation.get("summary")) or text(operation.get("description"))
            if operation.get("summary") and operation.get("description"):
                description = f"{text(operation['summary']).rstrip('.')}. {text(operation['description'])}"
            into.tools.append(ToolIn(name=name, description=description, params=params, output=output,
                                     source=f"{file}#{here}", method=method, path=path))
    if count == 0:
        raise SpecError(file, "/paths", "the document has no operations (get/post/put/patch/delete)")
