"""``django.contrib.sessions.backends.db``, saving a new login session once (see the package)."""

from django.contrib.sessions.backends import db

from summit.infrastructure.session_engines import SaveNewLoginOnce


class SessionStore(SaveNewLoginOnce, db.SessionStore):
    pass
