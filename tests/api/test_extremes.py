"""Every operation of the OpenAPI schema, driven with extreme values one field at a time (the
others valid): the ends of the calendar, huge and negative numbers, control characters,
non-ASCII digits, very long strings, wrong types. None may answer 5xx.

Per backend: every parameter and top-level body field of every operation, times the extremes
of its type, sent as a user and as an admin; the case count is printed and asserted."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI

pytestmark = pytest.mark.anyio

TEXT = [
    "",
    "\x00",
    "a\x00b",
    "\x1b[2J",
    "\u0663\u0660",
    "\u00b2",
    "\uff13",
    "x" * 5000,
    "\U0001f4a5" * 300,
    "right/UTC",
    "../../etc/passwd",
    " ",
]
INSTANTS = [
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "1969-12-31T23:59:59Z",
    "2200-01-01T00:00:00Z",
    "1764597600",
    "2026-02-30T09:00:00Z",
    "2026-12-01T09:00:00",
    "\u0662\u0660\u0662\u0666-12-01T09:00:00Z",
]
DATES = ["0001-01-01", "9999-12-31", "1969-12-31", "2200-01-01", "2026-02-30", "20261201"]
NUMBERS: list[Any] = [0, -1, 2**31, 2**63, 10**30, -(10**30), 1.5, "\u00b2", "1e400"]
ZONES = ["posix/UTC", "localtime", "Factory", "Etc/GMT+12", "Pacific/Kiritimati", "UTC\x00"]
WRONG_TYPES: list[Any] = [None, True, [], {}, "", [0] * 1000]


def _type(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _type(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    for branch in schema.get("anyOf", []):
        if branch.get("type") != "null":
            return _type(branch, components)
    return schema


def extremes(name: str, schema: dict[str, Any], *, in_body: bool) -> list[Any]:
    kind, fmt = schema.get("type"), schema.get("format")
    if fmt == "date-time":
        values: list[Any] = list(INSTANTS)
    elif fmt == "date":
        values = list(DATES)
    elif kind in ("integer", "number"):
        values = list(NUMBERS)
    elif kind == "string":
        values = TEXT + (ZONES if name in ("tz", "timezone") else [])
    else:
        values = []
    return values + (WRONG_TYPES if in_body else [])


def valid(schema: dict[str, Any]) -> Any:
    """A plain valid value, so that the one extreme field is what the request is about."""
    if schema.get("default") is not None:
        return schema["default"]
    fmt, kind = schema.get("format"), schema.get("type")
    if fmt == "date-time":
        return "2026-12-01T09:00:00Z"
    if fmt == "date":
        return "2026-12-01"
    if fmt == "email":
        return "someone@example.com"
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return {}
    return "UTC"


@dataclass
class Shape:
    """One operation: where each parameter goes, and a valid body to vary one field of."""

    path: str
    params: dict[str, tuple[str, dict[str, Any]]]
    base_body: dict[str, Any]
    has_body: bool
    me: int

    def request(self, name: str, value: Any) -> dict[str, Any]:
        path_values: dict[str, Any] = {
            n: self.me for n, (where, _) in self.params.items() if where == "path"
        }
        query: dict[str, Any] = {}
        body = dict(self.base_body)
        if name in self.params:
            where = self.params[name][0]
            (path_values if where == "path" else query)[name] = value
        else:
            body[name] = value
        url = self.path.format(**{k: quote(str(v), safe="") for k, v in path_values.items()})
        return {"url": url, "params": query, "json": body if self.has_body else None}


def cases(openapi: dict[str, Any], me: int) -> list[tuple[str, dict[str, Any]]]:
    components = openapi["components"]["schemas"]
    found = []
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            params = {
                p["name"]: (p["in"], _type(p["schema"], components))
                for p in operation.get("parameters", [])
            }
            body_schema: dict[str, Any] = {}
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body_schema = _type(content["application/json"]["schema"], components)
            base_body = {
                name: valid(_type(field, components))
                for name, field in body_schema.get("properties", {}).items()
                if name in body_schema.get("required", [])
            }

            operation_shape = Shape(path, params, base_body, bool(body_schema), me)
            for name, (_, schema) in params.items():
                if name.lower() in ("authorization", "idempotency-key"):
                    continue
                for value in extremes(name, schema, in_body=False):
                    found.append((method.upper(), operation_shape.request(name, value)))
            for name, field in body_schema.get("properties", {}).items():
                for value in extremes(name, _type(field, components), in_body=True):
                    found.append((method.upper(), operation_shape.request(name, value)))
    return found


async def test_no_operation_answers_5xx_to_extreme_values(
    app: FastAPI, client: httpx.AsyncClient, sign_up: Any, make_admin: Any
) -> None:
    user, admin = await sign_up("Ada"), await make_admin()
    statuses: Counter[int] = Counter()
    server_errors = []
    for method, request in cases(app.openapi(), user.id):
        for person in (user, admin):
            sent = {k: v for k, v in request.items() if k != "json" or v is not None}
            response = await client.request(method, headers=person.auth, **sent)
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                server_errors.append((method, request, response.status_code, response.text[:200]))
    total = sum(statuses.values())
    print(f"\nextreme values: {total} cases, by status {dict(sorted(statuses.items()))}")
    assert total >= 1000
    assert server_errors == []
