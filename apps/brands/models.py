"""Brands' models, one import line per part of the app (each part keeps its own module)."""

from apps.brands.profile_models import (  # noqa: F401
    CooperationProfile,
    CooperationProfileCategory,
    CreatorDiscoveryRow,
)
