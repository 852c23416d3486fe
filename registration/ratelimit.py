"""A small fixed-window rate limit in the shared cache (Redis in production).

allauth limits sign-up and login itself (ACCOUNT_RATE_LIMITS); this guards the registration
forms. Limits are per account, not per address: many guests share one address behind a
carrier's NAT or a delegation's office network.
"""

import time

from django.core.cache import cache

# Submissions of the registration and choice forms: at most LIMIT per WINDOW seconds.
LIMIT = 10
WINDOW = 60


def allow(scope: str, who: str, *, limit: int | None = None, window: int | None = None) -> bool:
    """Count one hit for ``who`` and say whether it is within the limit."""
    limit = LIMIT if limit is None else limit
    window = WINDOW if window is None else window
    bucket = int(time.time() // window)
    key = f"ratelimit:{scope}:{who}:{bucket}"
    cache.add(key, 0, window + 1)
    try:
        hits = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window + 1)
        hits = 1
    return hits <= limit
