"""``django.contrib.sessions.backends.cached_db``, saving a new login session once (see the
package)."""

from django.contrib.sessions.backends import cached_db

from summit.infrastructure.session_engines import SaveNewLoginOnce


class SessionStore(SaveNewLoginOnce, cached_db.SessionStore):
    pass
