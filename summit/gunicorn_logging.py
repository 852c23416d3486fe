"""gunicorn's logger: secrets and personal data masked (summit/redact.py), JSON lines.

Used by bin/production: ``gunicorn --logger-class summit.gunicorn_logging.RedactingLogger``.
The filter sits on gunicorn's two loggers themselves, so it applies to every handler they
get (files, stdout, syslog); ``setup`` runs again on a reload (SIGHUP), and so do we.
"""

import os

from gunicorn.glogging import Logger

from summit.logs import JSONFormatter
from summit.redact import RedactingFilter

REDACTING_FILTER = RedactingFilter()


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        json_lines = os.environ.get("LOG_FORMAT", "json") == "json"
        for log in (self.error_log, self.access_log):
            log.addFilter(REDACTING_FILTER)
            if json_lines:
                for handler in log.handlers:
                    handler.setFormatter(JSONFormatter())
