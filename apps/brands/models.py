"""Brands' models, one module per concern; Django finds them through these imports."""

from apps.brands.aftercare_models import *  # noqa: F403
from apps.brands.cooperation_models import *  # noqa: F403
from apps.brands.profile_models import (  # noqa: F401
    CooperationProfile,
    CooperationProfileCategory,
    CreatorDiscoveryRow,
)
