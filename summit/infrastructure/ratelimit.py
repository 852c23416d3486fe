"""Fixed-window rate limits in the shared cache (Redis in production), for every app.

Each limit counts hits of one ``scope`` (what is limited) by one ``who`` (an account, a door
device, a client: ``client_key``, an IPv6 client by its /64) in windows of ``window``
seconds. ``hit`` counts and answers; ``exceeded`` only looks, for limits that count failures
alone (a wrong invitation code, an unknown calendar feed) but refuse everything once there
were too many.

Which limits exist is in docs/configuration.md ("Rate limits"); allauth limits sign-up, login
and password resets itself (ACCOUNT_RATE_LIMITS), by the same client address and the same /64.
"""

import contextlib
import functools
import ipaddress
import re
import time

import redis
from django.conf import settings
from django.core.cache import cache


def _key(scope: str, who: str, window: int) -> tuple[str, int]:
    now = time.time()
    bucket = int(now // window)
    retry_after = (bucket + 1) * window - int(now)
    return f"ratelimit:{scope}:{who}:{window}:{bucket}", max(retry_after, 1)


def _count(key: str, timeout: int) -> int:
    """Add one to the counter at ``key`` (made with ``timeout``) and return its value.

    In Redis, one ``INCR`` on the cache's own key (``cache.make_key``), which makes a missing
    counter at 0 first; the first hit of a window gives it its expiry. Django's cache API
    needs two commands for every ``incr`` (it checks that the key exists first), and every
    door scan counts one hit. Elsewhere (a per-process memory cache) through the cache API.
    """
    client = _redis()
    if client is not None:
        full_key = cache.make_key(key)
        hits = client.incr(full_key)
        if hits == 1:
            client.expire(full_key, timeout)
        return hits
    try:
        hits = cache.incr(key)
    except ValueError:  # the first hit of this window
        if cache.add(key, 1, timeout):
            return 1
        hits = cache.incr(key)  # another process made it meanwhile
    if hits == 1:
        # The counter expired between the cache's existence check and its increment, and
        # the increment made it anew, without an expiry: give it one, so it does not linger.
        cache.touch(key, timeout)
    return hits


def _redis() -> redis.Redis | None:
    """A client of the Redis server the cache writes to, when the cache is Django's Redis
    cache; its values are read back through the cache API (integers are stored as such)."""
    settings_of_cache = settings.CACHES["default"]
    if settings_of_cache["BACKEND"] != "django.core.cache.backends.redis.RedisCache":
        return None
    location = settings_of_cache["LOCATION"]
    return _client_for(location if isinstance(location, str) else tuple(location))


@functools.cache
def _client_for(location: str | tuple[str, ...]) -> redis.Redis:
    servers = re.split("[;,]", location) if isinstance(location, str) else location
    return redis.Redis.from_url(servers[0])  # the cache writes to the first server


def hit(scope: str, who: str, *, limit: int, window: int) -> int | None:
    """Count one hit; None while within the limit, else the seconds to wait (Retry-After)."""
    key, retry_after = _key(scope, who, window)
    hits = _count(key, window + 1)
    return None if hits <= limit else retry_after


def exceeded(scope: str, who: str, *, limit: int, window: int) -> int | None:
    """Like ``hit`` without counting: the seconds to wait if ``who`` already used the limit."""
    key, retry_after = _key(scope, who, window)
    return retry_after if (cache.get(key) or 0) >= limit else None


def client_address(request) -> str:
    """The address of the client: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front,
    the entry of X-Forwarded-For that the outermost trusted proxy added (the Nth from the
    right; entries further left are whatever the client sent, so never trusted)."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        entries = [entry.strip() for entry in forwarded.split(",")]
        if len(entries) >= proxies:
            candidate = entries[-proxies]
            with contextlib.suppress(ValueError):  # not an address: keep the proxy's own
                address = str(ipaddress.ip_address(candidate))
    return address


# An IPv6 subscriber is usually given a /64 (or more) and may use any address in it.
IPV6_CLIENT_PREFIX = 64


def client_key(request) -> str:
    """The client as per-client limits count it: its IPv4 address, or its IPv6 address's /64
    network (one client may pick any of the network's 2^64 addresses); an IPv4 address
    written as IPv6 (a dual-stack socket's ``::ffff:a.b.c.d``) counts as that IPv4 address.
    allauth makes the same cut itself (``ALLAUTH_RATE_LIMIT_IPV6_PREFIX``), so its adapter
    is given ``client_address``."""
    address = client_address(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, IPV6_CLIENT_PREFIX), strict=False))
    return address
