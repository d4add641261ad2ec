"""The documentation keeps up with the code: every stable error code a ``DomainError`` can carry
is in the error-code table of docs/architecture.md, so a new code cannot go undocumented."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

from tamdesk.core.exceptions import DomainError

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "tamdesk"
ARCHITECTURE = ROOT / "docs" / "architecture.md"


def _modules() -> list[tuple[str, ast.Module]]:
    modules = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        dotted = ".".join(path.relative_to(SOURCE.parent).with_suffix("").parts)
        modules.append((dotted.removesuffix(".__init__"), ast.parse(path.read_text())))
    return modules


def _class_codes(dotted: str, tree: ast.Module) -> dict[str, str]:
    """``{class name: code}`` of the DomainError subclasses defined in the module."""
    found = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        for statement in node.body:
            if (
                isinstance(statement, ast.Assign)
                and [getattr(t, "id", None) for t in statement.targets] == ["code"]
                and isinstance(statement.value, ast.Constant)
            ):
                cls = getattr(importlib.import_module(dotted), node.name)
                if issubclass(cls, DomainError):
                    found[node.name] = statement.value.value
    return found


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def domain_error_codes() -> set[str]:
    """Every code of a DomainError subclass, and every ``code="..."`` given to one when raised."""
    modules = _modules()
    classes: dict[str, str] = {}
    for dotted, tree in modules:
        classes |= _class_codes(dotted, tree)
    codes = set(classes.values())
    for _dotted, tree in modules:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called_name(node) in classes:
                for keyword in node.keywords:
                    if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                        codes.add(keyword.value.value)
    return codes


def documented_codes() -> set[str]:
    return set(re.findall(r"^\| `([a-z_]+)` \|", ARCHITECTURE.read_text(), re.MULTILINE))


def test_the_collector_finds_class_codes_and_codes_given_when_raised():
    codes = domain_error_codes()

    assert {"domain_error", "tasks_open", "calendar_in_use"} <= codes  # class attributes
    assert {"client_has_policy", "no_recipients", "not_yours"} <= codes  # given when raised
    assert "out_of_range" not in codes  # a Django ValidationError's code, not a domain error's


def test_every_domain_error_code_is_in_the_architecture_table():
    missing = domain_error_codes() - documented_codes()

    assert not missing, f"add these codes to the table in docs/architecture.md: {sorted(missing)}"
