"""The house has floors and no circles: read from the source, no module imports one of a higher layer
(knowledge_base -> tools -> agent -> training), and no chain of imports leads from a module back to itself.

Every import counts, at module level or inside a function (a deferred import is still a dependency), except those
under `if TYPE_CHECKING:` (annotations only). `from gene_r1.tools import name` resolves through the package's lazy table
(`gene_r1.tools._HOME`) to the module that defines `name`.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("knowledge_base", "tools", "agent", "training")


def module_name(path: Path) -> str:
    """agent/nodes/judge.py -> gene_r1.agent.nodes.judge (pyproject's package-dir; agent/package_root is gene_r1)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[:2] == ["agent", "package_root"]:
        parts = parts[2:]
    return ".".join(["gene_r1", *(parts[:-1] if parts[-1] == "__init__" else parts)])


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for layer in LAYERS for p in (ROOT / layer).rglob("*.py")}


def owner(name: str) -> str | None:
    """The project module `name` (a module, or an attribute of one) lives in; None outside the project."""
    while name and name not in modules():
        name = name.rpartition(".")[0]
    return name or None


@cache
def lazy_table(package: str) -> dict[str, str]:
    """`_HOME = {"name": ".module", ...}` of a package's __init__ (names it imports on first use), made absolute."""
    path = modules().get(package)
    if path is None or path.name != "__init__.py":
        return {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "_HOME" for t in node.targets):
            return {name: package + home for name, home in ast.literal_eval(node.value).items()}
    return {}


def type_checking_nodes(tree: ast.AST) -> set[int]:
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside |= {id(sub) for sub in ast.walk(node)}
    return inside


def imports_of(module: str) -> set[str]:
    path = modules()[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = type_checking_nodes(tree)
    found: set[str | None] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {owner(alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            package = module if path.name == "__init__.py" else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = ".".join(p for p in ((package if node.level else ""), node.module or "") if p)
            for alias in node.names:
                lazy = lazy_table(base).get(alias.name)
                found.add(lazy or owner(f"{base}.{alias.name}") or owner(base))
    return {m for m in found if m and m != module}


@cache
def graph() -> dict[str, set[str]]:
    return {module: imports_of(module) for module in modules()}


def layer(module: str) -> int:
    """The root package `gene_r1` is the public API: it sits above every floor."""
    top = module.split(".")[1] if module.count(".") else ""
    return LAYERS.index(top) if top in LAYERS else len(LAYERS)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that reach each other (Tarjan's strongly connected components of two or more)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_no_module_imports_a_module_of_a_higher_layer():
    upward = sorted(f"{module} -> {target}" for module, targets in graph().items() for target in targets
                    if layer(target) > layer(module))

    assert upward == []


def test_no_chain_of_imports_leads_back_to_where_it_started():
    assert cycles(graph()) == []


def test_the_reader_sees_deferred_imports_and_the_lazy_table_and_skips_type_checking_ones():
    assert "gene_r1.agent.trees" in graph()["gene_r1.agent.ranker"]  # module level
    assert "gene_r1.knowledge_base.embedded" in graph()["gene_r1.knowledge_base.index"]  # inside a function
    assert "gene_r1.tools.search" in graph()["gene_r1.agent.evidence"]  # imported inside a function
    assert "gene_r1.tools.genes" in graph()["gene_r1.agent.nodes.normalise"]  # `from tools import normalise_genes`
    assert "gene_r1.tools.genes" not in graph()["gene_r1.tools.enrichment_index"]  # only under `if TYPE_CHECKING:`


def test_a_circle_and_its_members_are_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
