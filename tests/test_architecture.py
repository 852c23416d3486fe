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
