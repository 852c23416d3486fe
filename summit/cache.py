"""The Redis cache backend of production (settings.CACHES when REDIS_URL is set).

Django's backend builds a new ``redis.Redis`` client for every cache call, and redis-py fills
each new client's table of about 170 response callbacks: that cost more CPU than the round
trip itself, and every logged-in request makes one (the session) or more (the current summit,
rate limits). A client only wraps a connection pool and is safe to share between threads, so
this backend keeps one per pool.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
