"""Dependencies point one way: summit ← sessions ← registration ← badges.

An app may import from the apps to its left, never from those to its right. The project's
root URL configuration and settings (summit/urls.py, summit/settings.py) wire every app
together and are exempt, as are the migrations Django writes.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["summit", "sessions", "registration", "badges"]
EXEMPT = {Path("summit/urls.py"), Path("summit/settings.py")}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name.split(".")[0] for name in names} & set(ORDER)


def modules():
    for app in ORDER:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or relative in EXEMPT:
                continue
            yield app, relative


@pytest.mark.parametrize(("app", "relative"), list(modules()), ids=lambda v: str(v))
def test_app_imports_only_from_its_left(app, relative):
    allowed = set(ORDER[: ORDER.index(app) + 1])

    forbidden = imported_apps(ROOT / relative) - allowed

    assert forbidden == set()
