from django.core.cache import cache
from django.http import Http404

from summit.models import Summit

CURRENT_SUMMIT_CACHE_KEY = "summit:current-id"


def current_summit() -> Summit | None:
    """The edition the site is about: the one that starts last.

    Only its id is cached (cheap to invalidate, nothing stale to render: the row holds the
    seat counter); the row is read fresh, by its primary key.
    """
    summit_id = cache.get(CURRENT_SUMMIT_CACHE_KEY)
    if summit_id is not None:
        try:
            return Summit.objects.get(pk=summit_id)
        except Summit.DoesNotExist:
            pass  # deleted (or restored over): find the current one again
    summit = Summit.objects.order_by("-starts_on", "-pk").first()
    if summit is not None:
        cache.set(CURRENT_SUMMIT_CACHE_KEY, summit.pk, 300)
    return summit


def summit_or_404() -> Summit:
    """The current summit, for views: a 404 while none is set up."""
    summit = current_summit()
    if summit is None:
        raise Http404("No summit is set up yet; run `python manage.py seed_demo`.")
    return summit


def is_current_summit(summit_id: int) -> bool:
    """Whether ``summit_id`` is the current summit's, as ``current_summit()`` would say, for a
    caller that has read the row already (it exists): the cached id alone answers, without
    reading the row a second time."""
    if cache.get(CURRENT_SUMMIT_CACHE_KEY) == summit_id:
        return True
    summit = current_summit()
    return summit is not None and summit.pk == summit_id


def forget_current_summit() -> None:
    """The current summit is read again from the database at the next request."""
    cache.delete(CURRENT_SUMMIT_CACHE_KEY)
