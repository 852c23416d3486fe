"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py summit.wsgi`.

Sync workers: every request is short (the slow work runs in task workers), and a sync worker
holds one persistent database connection (CONN_MAX_AGE) instead of opening one per request.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Load the app in the master: unsafe settings stop the whole server before it binds workers
# (summit/wsgi.py), and workers share the imported code's memory.
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so that no slow leak can grow for the whole summit.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-" if os.environ.get("ACCESS_LOG", "1") == "1" else None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
