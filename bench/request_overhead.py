"""What two per-request costs take: the connection health check and loading the login session.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bayline_bench \\
      REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python bench/request_overhead.py

In process, on a migrated database (it writes one session row and deletes it): the
``SELECT 1`` that ``CONN_HEALTH_CHECKS`` sends before a request reuses a connection, and a
login session read by the ``db`` engine (a query and the signed data decoded) against the
``cached_db`` engine finding it in Redis. Wall time and this process's CPU time per call.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "summit.settings")


def timed(call, rounds: int = 2000) -> str:
    for _ in range(100):
        call()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        call()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return f"wall {wall / rounds * 1000:.3f} ms, CPU {cpu / rounds * 1000:.3f} ms"


def main() -> None:
    import django

    django.setup()
    from django.contrib.sessions.backends.cached_db import SessionStore as CachedStore
    from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
    from django.db import connection

    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL: cached_db sessions are only used with Redis.")
    connection.ensure_connection()
    print(f"{connection.vendor}: health check (SELECT 1)  {timed(connection.is_usable)}")
    session = DatabaseStore()
    session.update({"_auth_user_id": "1", "_auth_user_hash": "x" * 64})
    session.save()
    key = session.session_key
    CachedStore(key).save()  # now in Redis too
    try:
        print(f"session read, db engine           {timed(lambda: DatabaseStore(key).load())}")
        print(f"session read, cached_db (Redis)   {timed(lambda: CachedStore(key).load())}")
    finally:
        CachedStore(key).delete()


if __name__ == "__main__":
    main()
