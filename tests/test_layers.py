"""The house rules of ARCHITECTURE.md, read from the source (AST), not from a running import:

- each layer imports only from the layers above it (profiles, io, scoring, solvers, matching,
  engine, api, report, cli, service), with the narrower rules of report, cli and service;
- no module imports another package's private (``_name``) module;
- no import cycle between modules (imports inside functions count; ``TYPE_CHECKING`` ones do
  not, as they never run);
- every package's ``__init__`` says in two or three lines what the room is for and what it may
  import.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import matcher

ROOT = Path(matcher.__file__).parent

#: Top to bottom: a layer may import the layers before it (and the shared root modules).
ORDER = [
    "profiles",
    "io",
    "scoring",
    "solvers",
    "matching",
    "engine",
    "api",
    "report",
    "cli",
    "service",
]
#: Modules at the top of ``matcher/`` every layer may use.
SHARED = {"matcher._errors", "matcher._version"}
#: Narrower rules: report reads results and the public API; cli and service call only the
#: public API (``matcher``, ``matcher.api``, ``matcher.io``, ``matcher.report``) and the
#: public packages of profiles and results.
ALLOWED = {
    "report": {"profiles", "io", "scoring", "matching", "api", "matcher"},
    "cli": {"matcher", "api", "io", "report", "profiles", "matching"},
    "service": {"matcher", "api", "io", "report", "profiles", "matching"},
}
#: Imports the order alone would allow but the design does not: solvers see only arrays, the
#: engine is where scoring and solvers meet.
FORBIDDEN = {"solvers": {"scoring"}}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()
PACKAGES = sorted(
    p for p in MODULES if p.count(".") == 1 and (ROOT / p.split(".")[1] / "__init__.py").exists()
)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """Every module a module imports (``from a import b``: ``a.b`` when that is a module),
    with its line; imports under ``if TYPE_CHECKING:`` are left out."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                yield (full if full in MODULES else node.module), node.lineno
        stack.extend(ast.iter_child_nodes(node))


def _layer(module: str) -> str:
    """``profiles`` … ``service``, ``api``, ``matcher`` (the package root), or ``shared``."""
    if module in SHARED:
        return "shared"
    if module in ("matcher", "matcher.__main__"):
        return "matcher" if module == "matcher" else "cli"
    return module.split(".")[1]


def _edges() -> list[tuple[str, str, int]]:
    out = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for target, line in _imports(tree):
            if target == "matcher" or target.startswith("matcher."):
                out.append((name, target, line))
    return out


EDGES = _edges()


def test_the_layers_are_known() -> None:
    """Every package of matcher/ is a layer of ORDER (a new room is placed on purpose)."""
    for package in PACKAGES:
        assert package.split(".")[1] in ORDER, f"{package} is not in the layer order"
    top = {p.name for p in ROOT.iterdir() if p.suffix == ".py"}
    assert top <= {"__init__.py", "api.py", "_errors.py", "_version.py", "__main__.py"}, top


def test_each_layer_imports_only_from_the_layers_above_it() -> None:
    wrong = []
    for source, target, line in EDGES:
        src, dst = _layer(source), _layer(target)
        if src == dst or dst == "shared" or src == "matcher":
            continue
        if src == "shared":
            wrong.append(f"{source}:{line} imports {target} (shared modules import no layer)")
            continue
        if dst in FORBIDDEN.get(src, ()):
            ok = False
        elif src in ALLOWED:
            ok = dst in ALLOWED[src]
        else:
            ok = dst in ORDER and ORDER.index(dst) < ORDER.index(src)
        if not ok:
            wrong.append(f"{source}:{line} ({src}) imports {target} ({dst})")
    assert not wrong, "\n".join(wrong)


def test_no_module_imports_another_packages_private_module() -> None:
    wrong = []
    for source, target, line in EDGES:
        parts = target.split(".")
        private = [k for k, part in enumerate(parts) if part.startswith("_") and k > 0]
        if not private or target in SHARED:
            continue
        owner = ".".join(parts[: private[0]])  # the package whose private module it is
        if not (source == owner or source.startswith(owner + ".")):
            wrong.append(f"{source}:{line} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle() -> None:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for source, target, _ in EDGES:
        if target in MODULES and target != source:
            graph[source].add(target)
    # a package's __init__ re-exports its modules: its own modules importing the package
    # itself would be a cycle, and is caught here too
    state: dict[str, int] = {}
    path: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_says_what_it_is_for_and_what_it_may_import(package: str) -> None:
    tree = ast.parse(MODULES[package].read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree)
    assert doc, f"{package}/__init__.py has no docstring"
    lines = [line for line in doc.splitlines() if line.strip()]
    assert 2 <= len(lines) <= 3, f"{package}: {len(lines)} lines"
    assert "import" in doc, f"{package}: the docstring does not say what it may import"
