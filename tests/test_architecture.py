"""Dependencies point one way: infrastructure ← summit ← sessions ← registration ← badges ←
checkin.

An app may import from the apps to its left, never from those to its right. The
infrastructure (summit/infrastructure/) is at the bottom: every app may import it, and it
imports none of them. Check-in is an app of its own nested in badges/ (badges/checkin/, label
``checkin``): it uses badges to verify codes, and badges never imports it. The project's root URL
configuration and settings (summit/urls.py, summit/settings.py) wire every app together and are
exempt, as are the migrations Django writes.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# App → the Python package that holds it; an app nested in another's folder comes first.
PACKAGES = {
    "infrastructure": "summit.infrastructure",
    "summit": "summit",
    "sessions": "sessions",
    "registration": "registration",
    "badges": "badges",
    "checkin": "badges.checkin",
}
ORDER = ["infrastructure", "summit", "sessions", "registration", "badges", "checkin"]
EXEMPT = {Path("summit/urls.py"), Path("summit/settings.py")}


def app_of_module(name: str) -> str | None:
    """The app a dotted module name belongs to (the most nested package that holds it)."""
    holders = [
        app
        for app, package in PACKAGES.items()
        if name == package or name.startswith(package + ".")
    ]
    return max(holders, key=lambda app: len(PACKAGES[app]), default=None)


def module_name(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {app for app in map(app_of_module, names) if app is not None}


def modules():
    folders = sorted({package.split(".")[0] for package in PACKAGES.values()})
    for path in sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py")):
        relative = path.relative_to(ROOT)
        app = app_of_module(module_name(relative))
        if app is None or "migrations" in relative.parts or relative in EXEMPT:
            continue
        yield app, relative


@pytest.mark.parametrize(("app", "relative"), list(modules()), ids=lambda v: str(v))
def test_app_imports_only_from_its_left(app, relative):
    allowed = set(ORDER[: ORDER.index(app) + 1])

    forbidden = imported_apps(ROOT / relative) - allowed

    assert forbidden == set()


def test_every_app_is_checked():
    assert {app for app, _ in modules()} == set(ORDER)


# --- No import cycles between modules ----------------------------------------------------------


def our_modules() -> dict[str, Path]:
    """Every module of the apps, by dotted name (packages by their ``__init__``)."""
    folders = sorted({package.split(".")[0] for package in PACKAGES.values()})
    paths = (path for folder in folders for path in (ROOT / folder).rglob("*.py"))
    return {module_name(path.relative_to(ROOT)): path for path in paths}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ours that ``name`` imports, anywhere in it (functions included).

    Only the modules named: importing a.b.c also runs the packages a and a.b first, but a
    package that gathers its modules' names (sessions/services/) makes no cycle with them.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            # `from a.b import c` imports the module a.b.c if there is one, else takes c from a.b.
            for alias in node.names:
                module = f"{base}.{alias.name}"
                found.add(module if module in known else base)
    return (found & known) - {name}


def import_graph() -> dict[str, set[str]]:
    modules = our_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [cycle_in(graph, group) for group in groups]


def cycle_in(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest way from the group's first module back to itself, within the group."""
    start = min(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node] & group):
            if target == start:
                return [*paths[node], start]
            if target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError(f"no cycle in {sorted(group)}")


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, queue = {start}, [start]
    while queue:
        for target in graph[queue.pop()] - seen:
            seen.add(target)
            queue.append(target)
    return seen


def reaching(graph: dict[str, set[str]], start: str) -> set[str]:
    reverse: dict[str, set[str]] = {node: set() for node in graph}
    for node, targets in graph.items():
        for target in targets:
            reverse[target].add(node)
    return reachable(reverse, start)


def test_the_graph_sees_function_level_and_relative_imports(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from pkg import b\n")
    (package / "b.py").write_text("from . import c\n")
    (package / "c.py").write_text("import pkg.a\n")
    known = {"pkg", "pkg.a", "pkg.b", "pkg.c"}
    graph = {
        name: imports_of(name, package / f"{name.split('.')[-1]}.py", known)
        for name in ("pkg.a", "pkg.b", "pkg.c")
    }
    graph["pkg"] = set()

    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]


def test_no_import_cycles_between_modules():
    graph = import_graph()
    found = []
    for cycle in cycles(graph):
        others = sorted(reachable(graph, cycle[0]) & reaching(graph, cycle[0]) - set(cycle))
        found.append(" → ".join(cycle) + (f" (and {', '.join(others)})" if others else ""))

    assert found == []


def test_checkin_uses_badges_only_to_verify_codes():
    """Check-in reads the badge a code names (the Badge model) and verifies the code."""
    graph = import_graph()
    used = {
        target
        for name, targets in graph.items()
        if app_of_module(name) == "checkin"
        for target in targets
        if app_of_module(target) == "badges"
    }

    assert used == {"badges.models", "badges.signing"}
