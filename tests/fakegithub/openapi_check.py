"""Every request the fake receives and every response it sends, checked against GitHub's
published OpenAPI description (the operations vendored in openapi/operations.json by
scripts/refresh-openapi.py).

The schema checker is a deliberately small JSON-Schema subset, enough for GitHub's
description: type (with OpenAPI's `nullable` and type lists), enum, properties, required,
additionalProperties, items, minItems/maxItems, minimum/maximum, minLength/maxLength,
anyOf/oneOf (one alternative must fit; oneOf's "exactly one" is not enforced), allOf.
`format` and `pattern` are not checked. Schemas cut by the refresh script ({}) accept anything.

What counts as a violation:
- a request whose (method, path) is no documented operation;
- a path or query parameter whose value does not fit its schema, a missing required one;
- a JSON body that does not fit the request body schema (or is missing when required);
- a 2xx answer with a status the operation does not document, or a JSON body that does
  not fit the documented schema of its status. Error answers (4xx/5xx) are checked only
  when their status is documented with a schema.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache

# Where GitHub itself departs from its description, the fake follows GitHub. Each gap is named.
KNOWN_GAPS = [
    (
        re.compile(r"/pulls/(\d+/)?comments.*\.(line|position): NoneType null is not integer$"),
        "an outdated review comment has line and position null on GitHub; the description types them integer",
    ),
]

HERE = os.path.dirname(os.path.abspath(__file__))
OPERATIONS_FILE = os.path.join(HERE, "openapi", "operations.json")
# parameters that may span several path segments
GREEDY = {"path", "ref", "basehead"}


@lru_cache(maxsize=1)
def _operations() -> list[tuple[str, re.Pattern, int, dict, str]]:
    with open(OPERATIONS_FILE, encoding="utf-8") as fh:
        data = json.load(fh)
    out = []
    for key, op in data["operations"].items():
        method, template = key.split(" ", 1)
        pattern, literal = "", 0
        for part in re.split(r"(\{[^}]+\})", template):
            if part.startswith("{"):
                name = part[1:-1]
                pattern += f"(?P<{name}>.+)" if name in GREEDY else f"(?P<{name}>[^/]+)"
            else:
                pattern += re.escape(part)
                literal += len(part)
        out.append((method, re.compile(pattern + "/?$"), literal, op, template))
    return out


def find_operation(method: str, path: str) -> tuple[str, dict, dict] | None:
    """(template, operation, path params) of the most specific documented match."""
    best = None
    for m, rx, literal, op, template in _operations():
        if m != method:
            continue
        hit = rx.match(path)
        if hit and (best is None or literal > best[0]):
            best = (literal, template, op, hit.groupdict())
    return None if best is None else best[1:]


def _type_ok(value, t: str) -> bool:
    if t == "null":
        return value is None
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "boolean":
        return isinstance(value, bool)
    if t == "string":
        return isinstance(value, str)
    if t == "array":
        return isinstance(value, list)
    if t == "object":
        return isinstance(value, dict)
    return True


def validate(value, schema, where: str = "$") -> list[str]:
    """The violations of `value` against `schema` (empty when it fits)."""
    if not isinstance(schema, dict) or not schema:
        return []
    if value is None and schema.get("nullable"):
        return []
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [validate(value, s, where) for s in schema[key]]
            if not any(not errs for errs in options):
                best = min(options, key=len)
                return [f"{where}: fits none of {key} ({best[0] if best else '?'})"]
    errors: list[str] = []
    for sub in schema.get("allOf", []):
        errors += validate(value, sub, where)
    types = schema.get("type")
    if types is not None:
        types = types if isinstance(types, list) else [types]
        if schema.get("nullable"):
            types = [*types, "null"]
        if not any(_type_ok(value, t) for t in types):
            return errors + [f"{where}: {type(value).__name__} {_short(value)} is not {'/'.join(types)}"]
    if "enum" in schema and value not in schema["enum"] and not (value is None and schema.get("nullable")):
        errors.append(f"{where}: {_short(value)} not in enum {schema['enum'][:8]}")
    if isinstance(value, dict):
        errors += _object(value, schema, where)
    elif isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            errors.append(f"{where}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(f"{where}: more than {schema['maxItems']} items")
        for i, item in enumerate(value):
            errors += validate(item, schema.get("items"), f"{where}[{i}]")
    elif isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append(f"{where}: shorter than {schema['minLength']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(f"{where}: longer than {schema['maxLength']}")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{where}: {value} < minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{where}: {value} > maximum {schema['maximum']}")
    return errors


def _object(value: dict, schema: dict, where: str) -> list[str]:
    errors = [f"{where}: missing required {name!r}" for name in schema.get("required", []) if name not in value]
    props = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in props:
            errors += validate(item, props[name], f"{where}.{name}")
        elif extra is False:
            errors.append(f"{where}: unexpected property {name!r}")
        elif isinstance(extra, dict):
            errors += validate(item, extra, f"{where}.{name}")
    return errors


def _short(value) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _param_value(raw: str, schema: dict):
    """A query/path string as the type its schema names (as GitHub reads it)."""
    t = schema.get("type")
    t = t[0] if isinstance(t, list) else t
    if t == "integer":
        return int(raw) if re.fullmatch(r"-?\d+", raw) else raw
    if t == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    return raw


def check_request(method: str, path: str, query: dict, body) -> tuple[dict | None, list[str]]:
    found = find_operation(method, path)
    if found is None:
        return None, [f"{method} {path}: no such operation in GitHub's description"]
    template, op, path_params = found
    name = f"{method} {template}"
    errors = []
    for p in op["parameters"]:
        source = path_params if p["in"] == "path" else query
        if p["name"] not in source:
            if p["required"]:
                errors.append(f"{name}: missing required {p['in']} parameter {p['name']!r}")
            continue
        value = _param_value(str(source[p["name"]]), p["schema"])
        errors += validate(value, p["schema"], f"{name} {p['in']}:{p['name']}")
    if op.get("requestBody") is not None and body is not None:
        errors += validate(body, op["requestBody"], f"{name} body")
    elif op.get("requestBodyRequired") and body is None:
        errors.append(f"{name}: request body required")
    return op, errors


def check_response(method: str, path: str, op: dict | None, status: int, payload) -> list[str]:
    if op is None:
        return []
    responses = op["responses"]
    if str(status) not in responses:
        return [f"{method} {path}: status {status} is not documented"] if 200 <= status < 300 else []
    schema = responses[str(status)]
    if schema is None or payload is None:
        return []
    errors = validate(payload, schema, f"{method} {path} -> {status}")
    return [e for e in errors if not any(rx.search(e) for rx, _why in KNOWN_GAPS)]
