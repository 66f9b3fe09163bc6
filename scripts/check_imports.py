"""Check the package's layering: no import cycle, and no stage importing a later one.

The stages, in the order data flows through them (each may import the ones before it, never one after):

    model -> derive -> notation -> codegen -> numeric -> documents -> the edge (cli/, the public API)

Support modules (errors, progress, resources, templating, choices, files) import only one another and may be
imported from anywhere. Every import inside the package counts, also one inside a function: a cycle hidden in a
function body is still a cycle. Run ``python scripts/check_imports.py``; it prints each problem and exits 1 if
there is any (the tests run it).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "symbackprop"
STAGES = ("model", "derive", "notation", "codegen", "numeric", "documents")
SUPPORT = frozenset({"errors", "progress", "resources", "templating", "choices", "files"})
#: Modules at the top of the package, after every stage: the command line and the public API over the stages.
EDGE = frozenset({"cli", "outputs", "api", "__init__", "__main__"})


def module_name(path: Path, package: Path = PACKAGE) -> str:
    """``symbackprop/derive/engine.py`` -> ``derive.engine``; a package's ``__init__`` is the package."""
    parts = path.relative_to(package).with_suffix("").parts
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def imports(path: Path, modules: set[str], package_dir: Path = PACKAGE) -> Iterator[tuple[int, str]]:
    """(line, module) for every import of a module of the package in the file at ``path``."""
    name = module_name(path, package_dir)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                stem = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.split(".")[0] == "symbackprop":
                stem = node.module.split(".")[1:]
            else:
                continue
            for alias in node.names:
                candidate = ".".join([*stem, alias.name])
                target = candidate if candidate in modules else ".".join(stem) or "__init__"
                if target in modules:  # a name from the package itself (from .. import x) is from its __init__
                    yield node.lineno, target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "symbackprop" and ".".join(parts[1:]) in modules:
                    yield node.lineno, ".".join(parts[1:])


def rank(module: str) -> int:
    """The module's place in the flow: support first, then the stages in order, then the edge."""
    head = module.split(".")[0]
    if head in SUPPORT:
        return 0
    if head in STAGES:
        return 1 + STAGES.index(head)
    if head in EDGE or module == "":
        return 1 + len(STAGES)
    raise ValueError(f"symbackprop/{module.replace('.', '/')}: not in a stage, support or the edge; place it")


def problems(package: Path = PACKAGE) -> list[str]:
    """Every upward import and every cycle in the package at ``package``, as lines to print."""
    paths = sorted(package.rglob("*.py"))
    modules = {module_name(p, package) for p in paths}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    found = []
    for path in paths:
        source = module_name(path, package)
        for line, target in imports(path, modules, package):
            if target == source or (path.name == "__init__.py" and target.startswith(source + ".")):
                continue
            graph[source].add(target)
            if rank(target) > rank(source):
                found.append(f"{path.relative_to(package.parent)}:{line}: {source} imports {target}, a later stage")
    for component in components(graph):
        found.append(f"import cycle among {', '.join(component)} (one: {' -> '.join(_a_cycle(graph, component))})")
    return found


def components(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module, each a set of modules that import one another
    in a circle (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _a_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """A path from the component's first module back to itself, within the component."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        node = frontier.pop(0)
        for nxt in sorted(graph[node] & members):
            if nxt == start:
                return [*paths[node], start]
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                frontier.append(nxt)
    return component


def main() -> int:
    found = problems()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
