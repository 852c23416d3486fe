"""gunicorn's logger: secrets and personal data masked (summit/infrastructure/redact.py), JSON
lines.

Used by bin/production: ``gunicorn --logger-class
summit.infrastructure.gunicorn_logging.RedactingLogger``. The filter sits on gunicorn's two loggers
themselves, so it applies to every handler they get (files, stdout, syslog); ``setup`` runs again on
a reload (SIGHUP), and so do we. Before an access line is formatted, each of its atoms that holds an
address (the request line, the path, the Referer…) is masked whole when it lies under a private
prefix, whatever the access log format.
"""

import os

from gunicorn.glogging import Logger

from summit.infrastructure.logs import JSONFormatter
from summit.infrastructure.redact import RedactingFilter, mask_address

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

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: mask_address(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }
