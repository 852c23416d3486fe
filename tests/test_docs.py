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
