"""No product module uses another package's private names, but the adapter modules.

A private name is one its package does not document: an underscore name (``x._name``,
``from x import _name``, ``getattr(x, "_name")``, ``import x._module``), or a module of
WeasyPrint outside its documented API. Such names change without notice from one release
to the next; where one still buys a large, measured gain, it lives in one adapter module
per library, next to a public-API path and a test comparing the two (see STYLE.md).

The scan is static, so it judges attribute access by what it can see: ``._name`` on
``self``, ``cls``, ``super()``, or a name this module defines or imports from the project's
own apps is the project's own; on anything else (a third-party module, an object a library
returned), it is another package's.
"""

import ast
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The project's own packages: every top-level package but the tests and benchmarks.
APPS = sorted(
    path.parent.name
    for path in ROOT.glob("*/__init__.py")
    if path.parent.name not in {"tests", "bench"}
)
ADAPTERS = {Path("badges/weasyprint_adapter.py")}
# Underscore names their package documents as public API.
DOCUMENTED = {
    "_meta",  # Django's Model _meta API (docs/ref/models/meta)
}
# Packages whose public API is a set of documented modules, not every module they ship (a
# name ending in a dot stands for every module under it).
PUBLIC_MODULES = {
    # WeasyPrint's API reference: the root package and these modules; "anything else should
    # not be used outside of WeasyPrint itself".
    "weasyprint": {
        "weasyprint",
        "weasyprint.document",
        "weasyprint.text.fonts",
        "weasyprint.css.counters",
    },
    # qrcode's README: the package, its constants and its image factories.
    "qrcode": {"qrcode", "qrcode.constants", "qrcode.image", "qrcode.image."},
}
# Private names of other packages that other parts of issue 15 remove (the ORM bypass);
# each entry fails as soon as its module is clean, so that it is taken off this list.
PENDING = {
    Path("summit/ratelimit.py"): "issue 15, ORM part: backend._cache",
    Path("summit/rows.py"): "issue 15, ORM part: _state",
    Path("sessions/services/schedule.py"): "issue 15, ORM part: _state, _prefetched_objects_cache",
}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name not in DOCUMENTED


def _own(module: str | None) -> bool:
    return module is not None and module.split(".")[0] in APPS


def _undocumented(module: str) -> bool:
    public = PUBLIC_MODULES.get(module.split(".")[0])
    if public is None:
        return False
    return module not in public and not any(
        prefix.endswith(".") and module.startswith(prefix) for prefix in public
    )


def _submodule(package: str, name: str) -> str | None:
    """``package.name`` if it is a module (``from package import name`` imports it)."""
    if package.split(".")[0] not in PUBLIC_MODULES:
        return None
    candidate = f"{package}.{name}"
    try:
        return candidate if importlib.util.find_spec(candidate) is not None else None
    except ModuleNotFoundError:
        return None


def private_names(source: str) -> list[str]:
    """Every use of another package's private name in ``source``, as "line: what"."""
    tree = ast.parse(source)
    own_names = {"self", "cls"}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            own_names.add(node.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _own(alias.name):
                    own_names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _own(node.module):
            own_names.update(alias.asname or alias.name for alias in node.names)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
            modules += filter(None, (_submodule(node.module, alias.name) for alias in node.names))
            if not _own(node.module):
                found += [
                    f"{node.lineno}: from {node.module} import {alias.name}"
                    for alias in node.names
                    if _private(alias.name)
                ]
        else:
            modules = []
        for module in modules:
            if _own(module):
                continue
            if any(_private(part) for part in module.split(".")):
                found.append(f"{node.lineno}: import of {module}")
            if _undocumented(module):
                found.append(f"{node.lineno}: undocumented module {module}")
        if isinstance(node, ast.Attribute) and _private(node.attr):
            base = node.value
            ours = (isinstance(base, ast.Name) and base.id in own_names) or (
                isinstance(base, ast.Call)
                and isinstance(base.func, ast.Name)
                and base.func.id == "super"
            )
            if not ours:
                found.append(f"{node.lineno}: .{node.attr}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"getattr", "setattr", "hasattr", "delattr"}
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
        ):
            found.append(f"{node.lineno}: {node.func.id}(…, {node.args[1].value!r})")
    return found


def product_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" not in relative.parts and relative not in ADAPTERS:
                yield relative


def _marked(relative: Path):
    if relative in PENDING:
        return pytest.param(
            relative, marks=pytest.mark.xfail(reason=PENDING[relative], strict=True)
        )
    return relative


@pytest.mark.parametrize("relative", [_marked(path) for path in product_modules()], ids=str)
def test_module_uses_no_private_name_of_another_package(relative):
    assert private_names((ROOT / relative).read_text(encoding="utf-8")) == []


def test_each_adapter_module_exists():
    assert all((ROOT / path).exists() for path in ADAPTERS)


def test_the_scan_covers_the_apps():
    assert {"summit", "sessions", "registration", "badges"} <= set(APPS)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import pydyf\npydyf._to_bytes(1)", ["2: ._to_bytes"]),
        ("def f(document):\n    return document.pages[0]._page_box", ["2: ._page_box"]),
        (
            "from weasyprint.text.line_break import Layout",
            ["1: undocumented module weasyprint.text.line_break"],
        ),
        ("from pydyf import _to_bytes", ["1: from pydyf import _to_bytes"]),
        ("import django.utils._os", ["1: import of django.utils._os"]),
        ("from qrcode import base, constants", ["1: undocumented module qrcode.base"]),
        ("from qrcode.image.svg import SvgPathImage", []),
        ("getattr(form, '_errors', None)", ["1: getattr(…, '_errors')"]),
        ("from badges import devices\ndevices._seen.clear()", []),
        ("class A:\n    def f(self):\n        return self._x, A._y", []),
        ("from weasyprint import HTML\nfrom weasyprint.document import DocumentMetadata", []),
        ("from django.db import models\nmodels.Model._meta", []),
    ],
)
def test_the_scan_finds_private_names(source, expected):
    assert private_names(source) == expected
