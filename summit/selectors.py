from django.core.cache import cache
from django.db import connection

from summit.models import Summit

CURRENT_SUMMIT_CACHE_KEY = "summit:current-id"

# The SQL that reads a summit by id, built by the ORM once per process and database: building
# it cost ten times what running it does, on every page (``Summit.objects.raw`` still turns
# the row into a Summit with the fields' own conversions).
_BY_ID_SQL: dict[str, str] = {}


def _summit_by_id(summit_id: int) -> Summit | None:
    sql = _BY_ID_SQL.get(connection.vendor)
    if sql is None:
        sql, _params = Summit.objects.filter(pk=0).query.sql_with_params()
        _BY_ID_SQL[connection.vendor] = sql
    return next(iter(Summit.objects.raw(sql, [summit_id])), None)


def current_summit() -> Summit | None:
    """The edition the site is about: the one that starts last.

    Only its id is cached (cheap to invalidate, nothing stale to render); the row is read
    fresh, one indexed query.
    """
    summit_id = cache.get(CURRENT_SUMMIT_CACHE_KEY)
    if summit_id is not None:
        summit = _summit_by_id(summit_id)
        if summit is not None:
            return summit
    summit = Summit.objects.order_by("-starts_on", "-pk").first()
    if summit is not None:
        cache.set(CURRENT_SUMMIT_CACHE_KEY, summit.pk, 300)
    return summit
