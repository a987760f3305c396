"""Errors as ``application/problem+json`` (RFC 9457), and their documentation in OpenAPI."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from concierge import errors
from concierge.errors import ConciergeError

PROBLEM_JSON = "application/problem+json"


class Problem(BaseModel):
    type: str = Field(description="A URI naming the kind of problem")
    title: str
    status: int
    detail: str
    code: str = Field(description="Stable machine-readable code; see the API contract")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="For invalid_request: each offending field and why"
    )


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


_UNREADABLE_BODY = "There was an error parsing the body"


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://concierge.dev/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **{k: v for k, v in extra.items() if v is not None},
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(p) for p in err.get("loc", ())), "message": err.get("msg", "")}
        for err in exc.errors()
    ]


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> str:
    """Every method some route serves at the request's path, for the ``Allow`` header (each
    method is tried against the routes: included routers keep their routes to themselves)."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]
    return ", ".join(allowed)


def _worded(exc: ConciergeError) -> str:
    """The detail, with the next step in an API client's terms."""
    if exc.next_step is None:
        return exc.detail
    return f"{exc.detail} Pick a start from GET /v1/users/{exc.next_step.host_id}/slots."


def install(app: FastAPI) -> None:
    """Route every error the app can raise through one renderer."""

    @app.exception_handler(ConciergeError)
    async def _domain(_: Request, exc: ConciergeError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        if "retry_after" in exc.extra:
            headers = {"Retry-After": str(exc.extra["retry_after"])}
        extra = {k: v for k, v in exc.extra.items() if k != "retry_after"}
        return problem_response(exc.status, exc.code, exc.title, _worded(exc), headers, **extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = _field_errors(exc)
        summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
        return problem_response(
            422, "invalid_request", "Invalid request", summary or "Invalid request", errors=fields
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == _UNREADABLE_BODY:
            # FastAPI's answer to a body that is not even text; for the client it is one more
            # body that fails validation, so it gets the same 422 as malformed JSON.
            message = "The body is not JSON: send UTF-8 encoded JSON."
            return problem_response(
                422,
                "invalid_request",
                "Invalid request",
                message,
                errors=[{"field": "body", "message": message}],
            )
        code = _HTTP_CODES.get(exc.status_code, "error")
        title = code.replace("_", " ").capitalize()
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            # Starlette names the methods of the first route that matched the path only.
            headers = {**(headers or {}), "Allow": allowed_methods(request)}
        return problem_response(exc.status_code, code, title, str(exc.detail), headers)


# --------------------------------------------------------------------------- OpenAPI documentation

_CODES_BY_STATUS: dict[int, list[str]] = {}
for _cls in vars(errors).values():
    if isinstance(_cls, type) and issubclass(_cls, ConciergeError) and _cls is not ConciergeError:
        _CODES_BY_STATUS.setdefault(_cls.status, []).append(_cls.code)


def documented(*statuses: int, **codes: list[str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error statuses a route can answer with.

    ``codes`` narrows the listed codes, e.g. ``documented(409, s409=["slot_unavailable"])``.
    """
    result: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        listed = codes.get(f"s{status}") or _CODES_BY_STATUS.get(status) or [_HTTP_CODES[status]]
        result[status] = {
            "description": "Problem: " + ", ".join(f"`{c}`" for c in listed),
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return result


def add_problem_schema(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    return schema
