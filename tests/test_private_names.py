"""No product module uses another package's private names (STYLE.md, "Speed without reaching
into libraries"): an upgrade of Django, WeasyPrint or any other dependency must not break
Bayline in ways no test of that library promised.

The product's source is read (not imported; the libraries whose classes it inherits from are,
to list their private names) and every use of a name with a leading underscore is checked:

- ``from package import _name`` and imports of ``package._module`` from another package;
- ``thing._name``, unless ``thing`` is ``self``, ``cls`` or a module of our own;
- ``getattr``/``setattr``/``hasattr``/``delattr`` with a literal ``"_name"``;
- ``self._name``/``cls._name`` and methods named ``_name`` in a class that inherits from
  another package's class, when that class (or a class it inherits from) has the name: a
  private method overridden or called, a private attribute read or set;
- assigning a form's ``base_fields`` (Django copies them for each form; replacing them
  changes every form of the class);
- imports of a module outside a package's documented API, for packages whose public API is a
  set of documented modules (WeasyPrint, qrcode).

Names documented as public despite the underscore are allowed (``Model._meta``, a named
tuple's ``_replace`` …). Adapter modules (a file whose name contains ``adapter``) may use a
library's private names: each sits beside a reference implementation on the public API with a
test comparing the two, and checks the pinned version (STYLE.md).
"""

import ast
import functools
import importlib
import inspect
from fnmatch import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The project's own packages: every top-level package; the product is all but tests and benches.
OURS = tuple(sorted(path.parent.name for path in ROOT.glob("*/__init__.py")))
PRODUCT = tuple(name for name in OURS if name not in {"tests", "bench"})
ADAPTERS = "*adapter*.py"
# Documented as public although they start with an underscore.
PUBLIC = {
    "_meta",  # Django's Model _meta API (docs: ref/models/meta)
    "_replace",  # named tuples
    "_asdict",
    "_fields",
    "_make",
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


def product_modules() -> list[Path]:
    files = [path for package in PRODUCT for path in sorted((ROOT / package).rglob("*.py"))]
    files += sorted(ROOT.glob("*.py"))
    return [path for path in files if not fnmatch(path.name, ADAPTERS)]


def is_ours(module: str) -> bool:
    return module.split(".")[0] in OURS


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name not in PUBLIC


def is_undocumented(module: str) -> bool:
    public = PUBLIC_MODULES.get(module.split(".")[0])
    if public is None:
        return False
    return module not in public and not any(
        prefix.endswith(".") and module.startswith(prefix) for prefix in public
    )


class Imports:
    """What the names of a module's top level refer to: module paths and imported objects."""

    def __init__(self, tree: ast.Module) -> None:
        self.modules: dict[str, str] = {}  # local name -> module path
        self.objects: dict[str, tuple[str, str]] = {}  # local name -> (module path, name)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.split(".")[0]
                    self.modules[local] = alias.name if alias.asname else local
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    local = alias.asname or alias.name
                    self.objects[local] = (node.module, alias.name)

    def module_of(self, node: ast.expr) -> str | None:
        """The module path that ``node`` (a name or dotted attribute) is, if it is one."""
        if isinstance(node, ast.Name):
            if node.id in self.modules:
                return self.modules[node.id]
            if node.id in self.objects:
                module, name = self.objects[node.id]
                full = f"{module}.{name}"
                return full if _is_module(full) else None
            return None
        if isinstance(node, ast.Attribute):
            parent = self.module_of(node.value)
            return (
                f"{parent}.{node.attr}" if parent and _is_module(f"{parent}.{node.attr}") else None
            )
        return None

    def library_class(self, node: ast.expr) -> type | None:
        """The class of another package that a base-class expression names, if it does."""
        if isinstance(node, ast.Name) and node.id in self.objects:
            module, name = self.objects[node.id]
        elif isinstance(node, ast.Attribute):
            module, name = self.module_of(node.value), node.attr
        else:
            return None
        if not module or is_ours(module):
            return None
        found = getattr(importlib.import_module(module), name, None)
        return found if inspect.isclass(found) else None


def _undocumented_submodule(package: str, name: str) -> bool:
    """``from package import name`` imports an undocumented module of ``package``."""
    full = f"{package}.{name}"
    return package.split(".")[0] in PUBLIC_MODULES and _is_module(full) and is_undocumented(full)


@functools.cache
def _is_module(path: str) -> bool:
    if is_ours(path):
        return (ROOT / path.replace(".", "/")).is_dir() or (
            ROOT / (path.replace(".", "/") + ".py")
        ).is_file()
    try:
        importlib.import_module(path)
    except ImportError:
        return False
    return True


@functools.cache
def private_names_of(cls: type) -> frozenset[str]:
    """The private names a library class and the classes it inherits from define: class
    attributes and methods, and the attributes their methods set on ``self``."""
    names = set()
    for klass in inspect.getmro(cls):
        if klass is object or klass.__module__ == "builtins":
            continue
        names.update(name for name in vars(klass) if is_private(name))
        try:
            source = inspect.getsource(klass)
        except (OSError, TypeError):
            continue
        tree = ast.parse(inspect.cleandoc("\n" + source) if source[0].isspace() else source)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
                and is_private(node.attr)
            ):
                names.add(node.attr)
    return frozenset(names)


def violations_in(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports = Imports(tree)
    found = []

    def report(node: ast.AST, name: str) -> None:
        found.append((node.lineno, name))

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not is_ours(node.module):
                if any(is_private(part) for part in node.module.split(".")):
                    report(node, node.module)
                if is_undocumented(node.module):
                    report(node, node.module)
                for alias in node.names:
                    if is_private(alias.name):
                        report(node, alias.name)
                    elif _undocumented_submodule(node.module, alias.name):
                        report(node, f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if not is_ours(alias.name) and (
                    any(is_private(part) for part in alias.name.split("."))
                    or is_undocumented(alias.name)
                ):
                    report(node, alias.name)
        elif isinstance(node, ast.Attribute):
            if node.attr == "base_fields" and isinstance(node.ctx, ast.Store):
                report(node, "base_fields")
            if not is_private(node.attr):
                continue
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue  # checked with the class, below
            module = imports.module_of(owner)
            if module is not None and is_ours(module):
                continue  # a module of our own
            report(node, node.attr)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and is_private(node.args[1].value)
        ):
            report(node, node.args[1].value)
        elif isinstance(node, ast.ClassDef):
            inherited = set()
            for base in node.bases:
                library = imports.library_class(base)
                if library is not None:
                    inherited |= private_names_of(library)
            for inner in ast.walk(node):
                if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef):
                    if inner.name in inherited:
                        report(inner, inner.name)
                elif (
                    isinstance(inner, ast.Attribute)
                    and isinstance(inner.value, ast.Name)
                    and inner.value.id in ("self", "cls")
                    and inner.attr in inherited
                ):
                    report(inner, inner.attr)
    return sorted(set(found))


def all_violations() -> list[tuple[str, int, str]]:
    found = []
    for path in product_modules():
        relative = path.relative_to(ROOT).as_posix()
        found += [(relative, line, name) for line, name in violations_in(path)]
    return found


def test_no_module_uses_another_packages_private_names():
    assert all_violations() == []


EXAMPLES = {
    "a private name imported": (
        "from redis.client import _RedisCallbacks\n",
        [(1, "_RedisCallbacks")],
    ),
    "a private module imported": (
        "from django.db.models._private import thing\n",
        [(1, "django.db.models._private")],
    ),
    "a library module's private function": (
        "import pydyf\npydyf._to_bytes(1)\n",
        [(2, "_to_bytes")],
    ),
    "an object's private state": (
        "def f(obj):\n    obj._state.adding = False\n",
        [(2, "_state")],
    ),
    "a backend's private client": (
        "def f(backend):\n    return backend._cache.get_client()\n",
        [(2, "_cache")],
    ),
    "a private name by getattr": (
        "def f(obj):\n    return getattr(obj, '_prefetched_objects_cache', {})\n",
        [(2, "_prefetched_objects_cache")],
    ),
    "a library class's private methods, from a subclass": (
        "from django.core.cache.backends import redis\n"
        "class Client(redis.RedisCacheClient):\n"
        "    def get_client(self, key=None, *, write=False):\n"
        "        return self._client(connection_pool=self._get_connection_pool(write))\n",
        [(4, "_client"), (4, "_get_connection_pool")],
    ),
    "a library class's private method, overridden": (
        "from django import forms\n"
        "class Form(forms.ModelForm):\n"
        "    def _post_clean(self):\n"
        "        pass\n",
        [(3, "_post_clean")],
    ),
    "a form's fields replaced": (
        "from django import forms\nclass F(forms.Form):\n    pass\nF.base_fields = {}\n",
        [(4, "base_fields")],
    ),
    "allowed: a class's own private names": (
        "from django import forms\n"
        "class F(forms.Form):\n"
        "    def _own(self):\n"
        "        self._value = 1\n"
        "        return self._value\n",
        [],
    ),
    "allowed: the documented _meta": ("def f(model):\n    return model._meta.db_table\n", []),
    "allowed: a module of our own": (
        "from badges.checkin import devices\ndevices._seen.clear()\n",
        [],
    ),
    "an undocumented module of WeasyPrint": (
        "from weasyprint.text.line_break import Layout\n",
        [(1, "weasyprint.text.line_break")],
    ),
    "an undocumented module of qrcode, imported by name": (
        "from qrcode import base, constants\n",
        [(1, "qrcode.base")],
    ),
    "allowed: documented modules": (
        "from qrcode.image.svg import SvgPathImage\n"
        "from weasyprint.document import DocumentMetadata\n",
        [],
    ),
}


@pytest.mark.parametrize(("source", "expected"), EXAMPLES.values(), ids=EXAMPLES.keys())
def test_the_check_finds_private_names(tmp_path, source, expected):
    module = tmp_path / "module.py"
    module.write_text(source, encoding="utf-8")

    assert violations_in(module) == expected


def test_the_scan_covers_the_apps_and_the_adapter_exists():
    assert {"summit", "sessions", "registration", "badges"} <= set(PRODUCT)
    assert (ROOT / "badges/weasyprint_adapter.py").exists()
