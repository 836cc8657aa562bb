"""Django's Redis cache, with one redis-py client per connection pool.

Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` object
on every cache call; its constructor fills a table of some 400 response
callbacks, which costs about as much CPU as the network round trip of a
`GET`. A page served from the cache makes two calls (the session and the
page), so this is a measurable share of a cached request (bench/
cached_profile.py). The client keeps no state of its own besides the pool it
wraps (thread-safe in redis-py), and Django's cache handler gives every
thread its own cache object anyway: keeping it is safe.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
