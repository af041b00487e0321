"""The Redis cache keeps one client per pool, and behaves as Django's does."""

import uuid

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache

from common.redis_cache import ReusingRedisCache


@pytest.fixture
def cache() -> ReusingRedisCache:
    # Its own key prefix on the suite's Redis: nothing of another test is touched.
    return ReusingRedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"t-{uuid.uuid4()}"})


def test_every_call_uses_the_same_client_instead_of_building_one(cache) -> None:
    first = cache._cache.get_client(write=True)

    assert cache._cache.get_client(write=True) is first
    assert cache._cache.get_client("key") is first


def test_add_set_get_and_delete_behave_as_django_s_redis_cache(cache) -> None:
    plain = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": cache.key_prefix})

    assert cache.add("kick", 1, 5) is True
    assert cache.add("kick", 2, 5) is False
    assert plain.get("kick") == 1
    cache.set_many({"a": 1, "b": 2}, 5)
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}
    cache.delete("kick")
    assert plain.get("kick") is None
    cache.delete_many(["a", "b"])


def test_production_settings_use_it() -> None:
    from config.settings import base

    assert base.CACHES["default"]["BACKEND"] == "common.redis_cache.ReusingRedisCache"
