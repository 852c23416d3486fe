"""`make demo` (bin/demo) on a fresh database: it seeds, serves, sums up the logins and the
door device's token at the end of start-up, the token and a badge code from
`manage.py badge_code` work with the check-in API as the README shows, and Ctrl-C stops
everything cleanly, leaving no process behind."""

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def processes_with(marker: str) -> list[int]:
    """Processes whose environment holds ``marker`` (every process the demo started does)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def lines_of(stream, into: queue.Queue) -> None:
    for line in iter(stream.readline, ""):
        into.put(line)
    into.put(None)


def read_until(lines: queue.Queue, seen: list[str], wanted: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=deadline - time.monotonic())
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if wanted in line:
            return
    raise AssertionError(f"never saw {wanted!r}:\n" + "".join(seen[-40:]))


@pytest.mark.skipif(not Path("/proc").exists(), reason="looks for leftover processes in /proc")
def test_demo_starts_sums_up_and_stops_cleanly_on_ctrl_c(tmp_path):
    port = free_port()
    marker = f"sqlite:///{tmp_path}/demo.sqlite3"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"} and not key.startswith("PYTEST")
    }
    env.update(
        DATABASE_URL=marker,
        MEDIA_ROOT=str(tmp_path / "media"),
        PYTHON=sys.executable,
        PORT=str(port),
        GUESTS="6",
        DEBUG="1",
        PYTHONUNBUFFERED="1",
    )
    demo = subprocess.Popen(
        ["bash", "bin/demo"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lines_of, args=(demo.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        read_until(lines, seen, "Bayline runs at", timeout=240)
        read_until(lines, seen, "=" * 80, timeout=30)
        summary = "".join(seen[-8:])
        token = summary.split("Door device token:")[1].split()[0]
        code = subprocess.run(
            [sys.executable, "manage.py", "badge_code"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/checkin",
            data=json.dumps({"code": code, "checkpoint": "main-entrance-day-1"}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.load(response)

        os.killpg(demo.pid, signal.SIGINT)  # Ctrl-C in the terminal
        returncode = demo.wait(timeout=120)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
    while (line := lines.get(timeout=10)) is not None:
        seen.append(line)
    demo.stdout.close()
    output = "".join(seen)

    assert f"Bayline runs at http://127.0.0.1:{port}/" in summary
    assert "Organiser login:" in summary and "organiser@bayline.test / bayline-demo" in summary
    assert "Door staff login:" in summary and token.startswith("bld_")
    # Links the demo prints and e-mails point at the server it started.
    assert (
        f"Invitation link:                 http://127.0.0.1:{port}/register/invitation/" in output
    )
    assert answer["checkpoint"]["slug"] == "main-entrance-day-1"
    assert answer["status"] == "ok"  # the demo summit starts today, whatever the date
    assert returncode == 0
    assert "Segmentation fault" not in output
    assert "Traceback" not in output
    assert processes_with(marker) == []
