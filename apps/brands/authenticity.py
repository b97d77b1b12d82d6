"""The audience-authenticity score (0-100) and the discovery fit score, as pure functions.

Both are computed by the discovery refresh from analytics figures and stored on the creator's
discovery row, so brands can sort by them through an index; the formulas are written out in
docs/brands.md ("Creator profiles, discovery and the data card").

Authenticity asks three questions of a creator's fans:

* ``A`` - are they alive? the share active in the last 30 days, counted full from
  ``ACTIVE_TARGET`` (half the fans active in a month is what a healthy audience shows);
* ``N`` - were they ever people? the share with no day of activity on record, ever;
* ``B`` - did they arrive naturally? the share of the last 30 days' follows that came in burst
  hours (far above the creator's normal hourly rate: bought follows arrive in batches).

    score = round(100 * (0.4 * min(1, A / ACTIVE_TARGET) + 0.4 * (1 - N) + 0.2 * (1 - B)))

A creator without fans has no score (None); without follows in the window ``B`` is 0.
"""

import math
from dataclasses import dataclass

ACTIVE_TARGET = 0.5
WEIGHT_ACTIVE = 0.4
WEIGHT_EVER_ACTIVE = 0.4
WEIGHT_NATURAL = 0.2


@dataclass(frozen=True, slots=True)
class AuthenticityInputs:
    fans: int
    active_fans_30d: int
    never_active: int
    follows_30d: int
    burst_follows: int

    @property
    def active_share(self) -> float | None:
        return _share(self.active_fans_30d, self.fans)

    @property
    def never_active_share(self) -> float | None:
        return _share(self.never_active, self.fans)

    @property
    def burst_share(self) -> float:
        return _share(self.burst_follows, self.follows_30d) or 0.0


def _share(part: int, whole: int) -> float | None:
    if whole <= 0:
        return None
    return round(min(1.0, max(0.0, part / whole)), 4)


def authenticity_score(inputs: AuthenticityInputs) -> int | None:
    """The 0-100 score of the module docstring; None for a creator without fans."""
    active, never = inputs.active_share, inputs.never_active_share
    if active is None or never is None:
        return None
    value = (
        WEIGHT_ACTIVE * min(1.0, active / ACTIVE_TARGET)
        + WEIGHT_EVER_ACTIVE * (1.0 - never)
        + WEIGHT_NATURAL * (1.0 - inputs.burst_share)
    )
    return max(0, min(100, round(100 * value)))


# The fit score: what a brand gets for its money, independent of the query (the filters say what
# the brand is looking for; the fit orders what matches). Each part is 0..1:
#   engagement = min(1, engagement_rate / ENGAGEMENT_FULL)     (10% engagement counts full)
#   trust      = authenticity / 100                            (0.5 when not yet scored)
#   reach      = min(1, log10(fans) / REACH_FULL_LOG10)        (a million fans counts full)
#   fit        = round(100 * (0.45 engagement + 0.35 trust + 0.20 reach), 2)
ENGAGEMENT_FULL = 0.10
REACH_FULL_LOG10 = 6.0


def fit_score(*, engagement_rate: float, authenticity: int | None, fans: int) -> float:
    """The documented fit score (0-100, two decimals), stored for sorting."""
    engagement = min(1.0, max(0.0, engagement_rate) / ENGAGEMENT_FULL)
    trust = 0.5 if authenticity is None else authenticity / 100
    reach = min(1.0, math.log10(fans) / REACH_FULL_LOG10) if fans > 1 else 0.0
    return round(100 * (0.45 * engagement + 0.35 * trust + 0.20 * reach), 2)
