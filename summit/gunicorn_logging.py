"""gunicorn's logger with secrets and personal data masked (summit/redact.py).

Used by bin/production: ``gunicorn --logger-class summit.gunicorn_logging.RedactingLogger``.
The filter sits on gunicorn's two loggers themselves, so it applies to every handler they
get (files, stdout, syslog), also after a reload or a log reopen (SIGUSR1).
"""

from gunicorn.glogging import Logger

from summit.redact import RedactingFilter


class RedactingLogger(Logger):
    def __init__(self, cfg):
        super().__init__(cfg)
        self.redacting_filter = RedactingFilter()
        for log in (self.error_log, self.access_log):
            log.addFilter(self.redacting_filter)
