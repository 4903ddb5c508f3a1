"""The package is layered (ARCHITECTURE.md): a module imports only from layers below it.

Read from the source with ``ast`` (module-level and deferred imports alike, so a deferred
import is no way around the rule), one assertion per rule.
"""

from __future__ import annotations

import ast
from pathlib import Path

import qgsym

PACKAGE = Path(qgsym.__file__).parent

#: Layer of each top-level module or package of qgsym (ARCHITECTURE.md, bottom to top; within
#: one numbered line of its table, the line's order where one uses the other).
LAYERS = {
    "errors": 1.0, "cache": 1.1,  # cache raises qgsym errors
    "symbolic": 2, "symmetry": 2,
    "model": 3,
    "bands": 4, "formulas": 4,
    "responses": 5,
    "derive": 6, "compute": 6,
    "claims": 7,
    "compare": 8.0, "report": 8.1,  # the report shows user formulas through compare
    "derivations": 9, "model_check": 9, "testing": 9,
    "cli": 10,
    "api": 11,
    "__init__": 12,
}


def _top(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imported_tops(path: Path) -> set[str]:
    tops = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            names = []  # relative imports: none in qgsym (checked below)
            tops.add("<relative>")
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "qgsym" and len(parts) > 1:
                tops.add(parts[1])
            elif parts[0] == "qgsym" and isinstance(node, ast.ImportFrom):
                tops.update(alias.name for alias in node.names)  # from qgsym import x
    return tops


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_has_a_layer():
    assert {_top(p) for p in _modules()} <= set(LAYERS)


def test_imports_only_go_down():
    upward = []
    for path in _modules():
        own = _top(path)
        for top in _imported_tops(path):
            if top == "<relative>" or top not in LAYERS:
                upward.append(f"{path.relative_to(PACKAGE)} imports qgsym.{top} (unknown)")
            elif top != own and LAYERS[top] >= LAYERS[own]:
                upward.append(f"{path.relative_to(PACKAGE)} (layer {LAYERS[own]}) imports "
                              f"qgsym.{top} (layer {LAYERS[top]})")
    assert upward == []


def test_deferred_and_package_imports_are_seen(tmp_path):
    # The rule must not be dodged by importing inside a function or through "from qgsym".
    source = tmp_path / "sample.py"
    source.write_text("def f():\n    from qgsym.claims import base\n"
                      "from qgsym import report\nimport qgsym.bands.kspace\n")
    assert _imported_tops(source) == {"claims", "report", "bands"}
