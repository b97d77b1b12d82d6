import pytest


@pytest.fixture(autouse=True)
def _small_audiences(settings) -> None:
    """Test audiences are a handful of users; the minimum itself has its own test."""
    settings.PROMOTION_MIN_AUDIENCE = 1
