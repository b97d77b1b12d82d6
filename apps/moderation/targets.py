"""Moderation's view of the review-target registry (``apps/core/review_targets.py``).

The registry itself lives in core so that every app, accounts included, registers its own
reviewable content in its ``AppConfig.ready()``; moderation is its only reader. These names are
re-exported for the apps above moderation that already import them from here.
"""

from apps.core.review_targets import (
    ModerationTarget,
    Visibility,
    all_targets,
    get_target,
    register_target,
)

__all__ = ["ModerationTarget", "Visibility", "all_targets", "get_target", "register_target"]
