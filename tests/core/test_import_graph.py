"""No import circle between modules: a circle makes the import order matter, hides which
feature stands on which, and defeats the layers contract in pyproject.toml. The graph is
grimp's (the one import-linter builds), lazy imports inside functions included."""

from __future__ import annotations

import grimp
import pytest


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("app", "widgets", cache_dir=None)


def _cycles(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """One module chain per strongly connected group of modules under ``package`` (iterative
    Tarjan), each chain closing on its first module."""
    modules = sorted(m for m in graph.modules if m == package or m.startswith(package + "."))
    inside = set(modules)
    edges = {m: sorted(d for d in graph.find_modules_directly_imported_by(m) if d in inside) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in edges[node]:
                    groups.append(sorted(group))
    chains = []
    for group in groups:
        first, members = group[0], set(group)
        back = next(d for d in edges[first] if d in members)
        chain = graph.find_shortest_chain(importer=back, imported=first) if back != first else (first,)
        chains.append([first, *chain])
    return chains


def test_cycle_finder_finds_a_circle():
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.c")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    assert _cycles(graph, "pkg") == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]
    graph.remove_import(importer="pkg.c", imported="pkg.a")
    assert _cycles(graph, "pkg") == []


def test_no_import_circle_in_app(graph):
    assert len([m for m in graph.modules if m.startswith("app.")]) > 40
    assert _cycles(graph, "app") == []


def test_no_import_circle_in_widgets(graph):
    """The scenario controller once reached back into the main window (launch -> main_window ->
    scenario_controller -> main_window); now both go through the session."""
    assert len([m for m in graph.modules if m.startswith("widgets.")]) > 30
    assert _cycles(graph, "widgets") == []


def test_storage_is_used_only_through_its_package(graph):
    """The repositories are the storage layer's public API: outside ``app.storage`` nothing
    imports its modules (engine, schema, transactions), only the package itself."""
    inside = {m for m in graph.modules if m.startswith("app.storage.")}
    assert {"app.storage.database", "app.storage.schema", "app.storage.watch_pairs"} <= inside
    bypasses = sorted((importer, module) for module in inside
                      for importer in graph.find_modules_that_directly_import(module)
                      if importer != "app.storage" and not importer.startswith("app.storage."))
    assert bypasses == []
