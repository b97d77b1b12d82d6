"""Creator-center tests: each test gets its own cache namespace (today's figures are cached)."""

import uuid

import pytest


@pytest.fixture(autouse=True)
def _own_cache(settings) -> None:
    """A fresh key prefix on the same backend, so cached "today" figures never leak between
    tests or concurrent runs (Redis when REDIS_URL is set)."""
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"{settings.CACHE_KEY_PREFIX}-creators-{uuid.uuid4().hex[:8]}"
    settings.CACHES = caches
