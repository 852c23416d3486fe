"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py summit.wsgi`.

Every value can be tuned from the environment (docs/configuration.md); the defaults are what
serves the summit best on a 2-core machine (docs/benchmarks.md):

- threaded workers (`gthread`), `cpu_count + 1` processes of 4 threads each: they keep the door
  devices' HTTP connections alive (a sync worker closes every connection after one answer), and
  a thread waiting for PostgreSQL lets another run. Every request is short: slow work (e-mails,
  badge printing) runs in task workers. Each thread holds its own persistent database connection
  (CONN_MAX_AGE), so PostgreSQL sees workers × threads connections per web host.
- workers are recycled after about 100,000 requests, not 5,000: a busy door process reaches
  5,000 in seconds, and each recycle drops its connections and prepared statements.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = os.environ.get("BIND", "0.0.0.0:8000")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = _int("GUNICORN_THREADS", 4 if worker_class == "gthread" else 1)
_cores = multiprocessing.cpu_count()
workers = _int("WEB_CONCURRENCY", _cores + 1 if worker_class == "gthread" else _cores * 2 + 1)
# Load the app in the master: unsafe settings stop the whole server before it binds workers
# (summit/wsgi.py), and workers share the imported code's memory.
preload_app = True
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
# Seconds an idle kept-alive connection stays open (threaded workers only; sync workers close
# every connection). Door devices scan every few seconds: 20 s keeps them connected.
keepalive = _int("GUNICORN_KEEPALIVE", 20)
# Recycle workers now and then so that no slow leak can grow for the whole summit; the jitter
# keeps them from restarting all at once. 0 turns recycling off.
max_requests = _int("GUNICORN_MAX_REQUESTS", 100_000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 10)
accesslog = "-" if os.environ.get("ACCESS_LOG", "1") == "1" else None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Recent gunicorn opens a control socket at one fixed path per user (~/.gunicorn/gunicorn.ctl), so
# two servers on one host (a blue/green switch, a benchmark next to the site) would take it
# from each other. Nothing here uses it: it is off unless GUNICORN_CONTROL_SOCKET names a path.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
