"""Tool arguments that do not fit a tool's input schema, told in words a person can act on.

The SDK validates arguments with Pydantic and would pass its raw report to the assistant,
rejected values included. Here each problem becomes one sentence naming the argument and the
rule from the schema, and the value itself is never repeated (it may be huge, or a secret).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

# Advice after the rule, where the rule alone leaves the person stuck.
HINTS = {"party_size": "for a larger party call the restaurant"}
# Longest argument name repeated back; anything longer is cut (it came from the caller).
_NAME_SHOWN = 40


def unknown(schema: Mapping[str, Any], arguments: Iterable[str]) -> str | None:
    """Why ``arguments`` are refused for naming nothing in ``schema``, or None."""
    known = schema.get("properties", {})
    extra = sorted(name for name in arguments if name not in known)
    if not extra:
        return None
    named = ", ".join(shown(name) for name in extra[:5])
    more = f" and {len(extra) - 5} more" if len(extra) > 5 else ""
    accepted = ", ".join(known) or "no arguments"
    noun = "argument" if len(extra) == 1 else "arguments"
    return f"Unknown {noun} {named}{more}. This tool takes: {accepted}."


def refusal(schema: Mapping[str, Any], error: ValidationError) -> str:
    """One sentence per argument that breaks ``schema``, as ``error`` found them."""
    properties: Mapping[str, Any] = schema.get("properties", {})
    sentences: dict[str, str] = {}
    for detail in error.errors():
        name = str(detail["loc"][0]) if detail["loc"] else "arguments"
        if name not in sentences:
            sentences[name] = _sentence(name, properties.get(name, {}), detail)
    return " ".join(sentences.values())


def _sentence(name: str, field: Mapping[str, Any], detail: ErrorDetails) -> str:
    kind = detail["type"]
    label = shown(name)
    # Optional arguments appear as anyOf [the type, null]; the bounds are on the type.
    rule = next((s for s in field.get("anyOf", []) if s.get("type") != "null"), field)
    if len(detail["loc"]) > 1 and "items" in rule:
        rule, label = rule["items"], f"each of {label}"
    if kind == "missing":
        text = f"{label} is required"
    elif kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        low, high = rule.get("minimum"), rule.get("maximum")
        if low is not None and high is not None:
            text = f"{label} must be {low} to {high}"
        elif high is not None:
            text = f"{label} must be at most {high}"
        else:
            text = f"{label} is too small"
    elif kind == "string_too_long":
        text = f"{label} must be at most {rule.get('maxLength')} characters"
    elif kind == "string_too_short":
        text = f"{label} must not be empty"
    elif kind == "too_long":
        text = f"{label} takes at most {rule.get('maxItems')} items"
    elif kind == "too_short":
        text = f"{label} needs at least {rule.get('minItems')} item"
    else:
        text = f"{label} must be {_kind(rule)}"
    if name in HINTS:
        text += f"; {HINTS[name]}"
    return text + "."


def _kind(rule: Mapping[str, Any]) -> str:
    return {
        "integer": "a whole number",
        "boolean": "true or false",
        "array": "a list of texts",
        "string": "a text",
    }.get(str(rule.get("type")), "of the type the tool's input schema shows")


def shown(name: str) -> str:
    """``name`` as safe to repeat: short, on one line, nothing unprintable."""
    cut = "".join(c if c.isprintable() else "?" for c in name[:_NAME_SHOWN])
    return cut if len(name) <= _NAME_SHOWN else cut + "..."
