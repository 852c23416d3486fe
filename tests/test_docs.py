"""Docs that stay true (STYLE.md, "Comments and docs").

- Code comments and docstrings say why, not how fast: a measured figure (milliseconds, MiB,
  scans a second, "3× faster") goes stale with the next change, so it lives in
  docs/benchmarks.md, one current table with the command that produced each figure.
- docs/configuration.md lists every environment variable the project reads, and reads no
  variable it does not list.
- Every relative link and file path named in the README and docs/ exists; the README's two
  commands are Makefile targets; every ``manage.py <command>`` named exists; every command of
  the benchmarks table runs a script that exists in bench/.

Files are read, not imported, so that the checks hold however the project is laid out.
"""

import ast
import io
import re
import subprocess
import tokenize
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THIS = Path(__file__).resolve()
DOCS = ROOT / "docs"
README = ROOT / "README.md"


@cache
def tracked_files() -> tuple[Path, ...]:
    """The project's files as git knows them (tracked, or new and not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return tuple(ROOT / name for name in sorted(set(listed)) if (ROOT / name).is_file())


# --- Comments say why, not how fast ----------------------------------------------------------

_NUMBER = r"(?<![\w.])\d[\d,]*(?:\.\d+)?"
# A number with a unit of time (below a second: a measurement, never a setting), of memory, of
# throughput, or a speed-up. Seconds and minutes alone are not matched: timeouts and intervals
# are settings, and a comment may explain them.
FIGURE = re.compile(
    "|".join(
        [
            _NUMBER + r"\s*(?:ms|µs|us|ns|msec|milliseconds?|microseconds?)\b",
            _NUMBER + r"\s*(?:[KMGT]i?B|[kKMG]B)\b(?!\s*(?:of|long|limit|cap))",
            _NUMBER + r"\s*(?:[\w ]{0,20})?(?:/s|/sec|per second|a second|an hour)\b",
            _NUMBER + r"\s*(?:scans|registrations|guests|badges|requests|req|queries)/",
            _NUMBER + r"\s*(?:×|x)\s*(?:faster|slower|quicker|less|more|the|its|cheaper)\b",
            _NUMBER + r"\s*×(?!\s*A\d)",
            _NUMBER + r"\s*%\s*(?:faster|slower|quicker|less|more|of\s+(?:a|an|the|each|its)\s)",
            _NUMBER + r"\s*(?:s|sec|seconds?)\s+(?:of\s+)?(?:CPU|wall)",
            r"(?:speed-?up|faster|slower)\s+(?:of|by)\s+" + _NUMBER,
            _NUMBER + r"\s*(?:→|->)\s*" + _NUMBER + r"\s*(?:ms|µs|s|MiB|MB|%)",
        ]
    ),
    re.IGNORECASE,
)
# Where a figure is the subject, not a stale measurement: the benchmark records, vendored code.
NOT_SCANNED = ("docs/", "tests/vendor/", "locale/")
NOT_SCANNED_NAMES = {"test_docs.py"}


def _scanned(path: Path) -> bool:
    relative = path.relative_to(ROOT).as_posix()
    if any(part in {"vendor", "locale", "migrations_data"} for part in path.parts):
        return False
    if relative.startswith(NOT_SCANNED) or path.name in NOT_SCANNED_NAMES:
        return False
    return not path.name.endswith(".min.js")


def python_comments(source: str) -> list[tuple[int, str]]:
    """Comments and docstrings of a Python source, with their line numbers."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            found.append((token.start[0], token.string))
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            docstring = ast.get_docstring(node, clean=False)
            if docstring and node.body:
                found.append((node.body[0].lineno, docstring))
    return found


_BLOCK = re.compile(r"/\*.*?\*/", re.DOTALL)
_LINE = re.compile(r"(?<![:\"'\\])//[^\n]*")
_HTML = re.compile(r"<!--.*?-->|\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.DOTALL)
_HASH = re.compile(r"(?:^|\s)#[^\n]*")


def _with_lines(source: str, pattern: re.Pattern) -> list[tuple[int, str]]:
    return [(source.count("\n", 0, m.start()) + 1, m.group(0)) for m in pattern.finditer(source)]


def comments(path: Path) -> list[tuple[int, str]]:
    """The comments (and docstrings) of a file of code, by the file's kind."""
    try:
        source = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return []
    name = path.name
    if name.endswith(".py"):
        return python_comments(source)
    if name.endswith((".js", ".css")):
        return _with_lines(source, _BLOCK) + _with_lines(source, _LINE)
    if name.endswith((".html", ".txt", ".svg")):
        return _with_lines(source, _HTML)
    first_line = source.split("\n", 1)[0]
    if (
        name in {"Makefile"}
        or name.endswith((".toml", ".conf", ".service", ".env", ".sh", ".cfg", ".ini"))
        or first_line.startswith("#!")
    ):
        return _with_lines(source, _HASH)
    return []


def figures_in(text: str) -> list[str]:
    return [m.group(0) for m in FIGURE.finditer(text)]


def test_figure_pattern_finds_measurements():
    measured = [
        "planned once: 0.5 ms → 0.06 ms",
        "a scan costs 1.2 ms of CPU",
        "peaks at 382 MiB PSS",
        "about 1,034 scans/s",
        "1,000 scans a second",
        "3× faster than before",
        "11 × its scans per second",
        "40 % less CPU",
        "10 instead of 58 MB a process",
        "password hashing costs 0.4 s of CPU per login",
        "about 2 % of a door scan",
    ]
    assert [bool(figures_in(text)) for text in measured] == [True] * len(measured)


def test_figure_pattern_leaves_settings_and_layouts_alone():
    settings = [
        "recycled after 100,000 requests",
        "seconds an idle connection stays open: 20 s keeps them connected",
        "one A6 badge per page, or 4 × A6 on A4",
        "refreshes every 5 minutes",
        "3 % of badges scanned twice",
        "a body larger than 2.5 MB of JSON is refused",
        "x = 4 * 2",
    ]
    assert [figures_in(text) for text in settings] == [[]] * len(settings)


def test_comments_carry_no_timing_or_memory_figures():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {figure!r}"
        for path in tracked_files()
        if _scanned(path)
        for line, text in comments(path)
        for figure in figures_in(text)
    ]
    assert found == [], (
        "Comments say why, not how fast: put measured figures in docs/benchmarks.md\n"
        + "\n".join(found)
    )


# --- Documents true to the code ---------------------------------------------------------------


def documents() -> list[Path]:
    return [README, *sorted(DOCS.rglob("*.md"))]


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# Reads of the environment in Python: os.environ.get("X"), os.environ["X"], os.getenv("X"),
# os.environ.setdefault("X", …), and the settings' and gunicorn's helpers (env_bool("X") …).
_PYTHON_READ = re.compile(
    r"""(?:\benviron(?:\.get|\.setdefault)?\(?|\bgetenv\(|\benv_\w+\(|\b_int\()\s*\[?\s*"""
    r"""["']([A-Z][A-Z0-9_]+)["']"""
)
# dj-database-url reads DATABASE_URL itself.
_IMPLICIT_READS = {"dj_database_url.config(": "DATABASE_URL"}
# Reads in shell scripts: ${NAME:-default} (a variable that may come from the environment).
_SHELL_READ = re.compile(r"\$\{([A-Z][A-Z0-9_]*):?[-=]")
# Code that is not the product: tests and benches set their own environment.
_NOT_PRODUCT = ("tests/", "bench/", "docs/")


def environment_reads() -> dict[str, set[str]]:
    """Every environment variable the product reads, with the files that read it."""
    reads: dict[str, set[str]] = {}
    for path in tracked_files():
        relative = _relative(path)
        if relative.startswith(_NOT_PRODUCT):
            continue
        if path.suffix == ".py":
            source = path.read_text(encoding="utf-8")
            names = set(_PYTHON_READ.findall(source))
            names |= {name for call, name in _IMPLICIT_READS.items() if call in source}
        elif relative.startswith("bin/"):
            names = set(_SHELL_READ.findall(path.read_text(encoding="utf-8")))
        else:
            continue
        for name in names:
            reads.setdefault(name, set()).add(relative)
    return reads


def documented_variables() -> set[str]:
    """The variables in the first column of docs/configuration.md's tables."""
    names = set()
    for line in (DOCS / "configuration.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_cell))
    return names


def test_environment_reads_are_found():
    reads = environment_reads()
    assert {"SECRET_KEY", "DATABASE_URL", "GUNICORN_THREADS", "TASK_WORKERS", "GUESTS"} <= set(
        reads
    )


def test_every_environment_variable_read_is_documented():
    undocumented = {
        name: sorted(files)
        for name, files in environment_reads().items()
        if name not in documented_variables()
    }
    assert undocumented == {}, "Add these to docs/configuration.md"


def test_every_documented_environment_variable_is_read():
    assert sorted(documented_variables() - set(environment_reads())) == []


_FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_PATH = re.compile(r"[\w.@-]+(?:/[\w.@-]+)*/?")
_FILE_EXTENSIONS = (".py", ".md", ".conf", ".service", ".env", ".js", ".html", ".toml", ".css")


def _anchors(markdown: str) -> set[str]:
    """GitHub's anchors for a document's headings."""
    anchors = set()
    for heading in re.findall(r"^#+\s+(.*)$", _FENCE.sub("", markdown), re.MULTILINE):
        text = re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower())
        anchors.add(text.replace(" ", "-"))
    return anchors


def _mentioned_paths(markdown: str) -> set[str]:
    """File paths named in backticks or in code blocks: a word with a slash that starts with one
    of the checkout's top-level names, or ends like a file of the project."""
    top_level = {_relative(path).split("/", 1)[0] for path in tracked_files()}
    words = set(_INLINE_CODE.findall(_FENCE.sub("", markdown)))
    for block in _FENCE.findall(markdown):
        words |= {word.strip("\"'`()[],;") for word in block.split()}
    paths = set()
    for word in words:
        word = word.strip()
        if "/" not in word or not _PATH.fullmatch(word) or word.startswith((".venv", "/")):
            continue
        if word.split("/", 1)[0] in top_level or word.endswith(_FILE_EXTENSIONS):
            paths.add(word)
    return paths


def test_documents_name_paths_that_exist():
    missing = [
        f"{_relative(document)}: {path}"
        for document in documents()
        for path in sorted(_mentioned_paths(document.read_text(encoding="utf-8")))
        if not (ROOT / path).exists() and not (document.parent / path).exists()
    ]
    assert missing == []


def test_documents_link_to_files_and_headings_that_exist():
    broken = []
    for document in documents():
        text = document.read_text(encoding="utf-8")
        for target in _LINK.findall(_FENCE.sub("", text)):
            if re.match(r"[a-z]+:", target):
                continue  # http:, https:, mailto:
            file_part, _, anchor = target.partition("#")
            linked = (document.parent / file_part).resolve() if file_part else document
            if not linked.exists():
                broken.append(f"{_relative(document)}: {target}")
            elif (
                anchor
                and linked.suffix == ".md"
                and anchor not in _anchors(linked.read_text(encoding="utf-8"))
            ):
                broken.append(f"{_relative(document)}: {target} (no such heading)")
    assert broken == []


def test_readme_commands_are_makefile_targets():
    readme = README.read_text(encoding="utf-8")
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    block = _FENCE.search(setup).group(0)
    commands = re.findall(r"^make (\S+)", block, re.MULTILINE)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([\w-]+):", makefile, re.MULTILINE))
    assert (commands, set(commands) <= targets) == (["demo", "test"], True)


def test_manage_commands_named_in_documents_exist():
    from django.core.management import get_commands

    named = {
        (_relative(document), command)
        for document in documents()
        for command in re.findall(r"manage\.py\s+([a-z_]+)", document.read_text(encoding="utf-8"))
    }
    assert sorted(pair for pair in named if pair[1] not in get_commands()) == []


def benchmark_rows() -> list[list[str]]:
    text = (DOCS / "benchmarks.md").read_text(encoding="utf-8")
    table = text.split("## Current figures", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows[2:]]


def test_benchmark_commands_run_scripts_that_exist():
    rows = benchmark_rows()
    named = {script for row in rows for script in re.findall(r"bench/\w+\.py", row[-1])}
    without = [row[0] for row in rows if not re.search(r"bench/\w+\.py|^the ", row[-1])]
    assert (sorted(p for p in named if not (ROOT / p).is_file()), without) == ([], [])


def test_every_benchmark_script_has_a_row():
    rows = benchmark_rows()
    named = {script for row in rows for script in re.findall(r"bench/\w+\.py", row[-1])}
    helpers = {"__init__.py", "balancer.py", "common.py", "surge_settings.py"}
    scripts = {
        _relative(path) for path in (ROOT / "bench").glob("*.py") if path.name not in helpers
    }
    assert sorted(scripts - named) == []


def test_benchmark_commands_use_options_their_scripts_take():
    unknown = []
    for row in benchmark_rows():
        for script in re.findall(r"bench/\w+\.py", row[-1]):
            source = (ROOT / script).read_text(encoding="utf-8")
            taken = set(re.findall(r"""["'](--[\w-]+)["']""", source))
            unknown += [
                f"{script} {option}"
                for option in re.findall(r"(?<!\S)(--[\w-]+)", row[-1])
                if option not in taken
            ]
    assert unknown == []
