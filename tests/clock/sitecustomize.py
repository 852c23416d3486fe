"""A moved clock for every Python process of a test run: CI runs the suite as if it were
during the summit and long after it (.ci/run), subprocesses included (gunicorn, task
workers, the benchmarks).

Put this directory on PYTHONPATH and set BAYLINE_TEST_CLOCK to an ISO 8601 moment
(``2026-12-09T10:30:00+08:00``). Python imports ``sitecustomize`` at start-up; this one moves
the clock with time-machine (``time.time()``, ``datetime.now()``…; monotonic clocks and
sleeps are left alone) to that moment, and it runs on from there. The first process notes
the real time it started at (BAYLINE_TEST_CLOCK_SET_AT), and the processes it starts inherit
it, so that every process reads the same moved time: a task worker started a minute later
does not lag a minute behind the web server.

Not libfaketime: under it Python 3.11's sleeps fail (EINVAL) or timed waits hang, and
Chromium hangs. Chromium keeps the real clock; each browser context is given the server's
(tests/conftest.py, ``browser_context``). PostgreSQL keeps the real clock too: the product
takes every timestamp from Python.
"""

import os

_MOMENT = os.environ.get("BAYLINE_TEST_CLOCK")

if _MOMENT:
    import datetime
    import time

    import time_machine

    _set_at = float(os.environ.setdefault("BAYLINE_TEST_CLOCK_SET_AT", repr(time.time())))
    _moved = datetime.datetime.fromisoformat(_MOMENT).timestamp() + (time.time() - _set_at)
    time_machine.travel(_moved, tick=True).start()
    time.time()  # the moved clock runs from its first reading: from now on
