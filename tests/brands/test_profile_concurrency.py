"""Two first saves of the same creator's profile at once: both succeed, one profile remains."""

import pytest

from apps.brands.profile_models import CooperationProfile, CreatorDiscoveryRow
from tests.brands.discovery_factories import make_creator
from tests.concurrency import client_for, run_concurrently
from tests.notes.factories import category

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]
URL = "/api/v1/creator/cooperation-profile"


def test_racing_first_saves_make_one_profile() -> None:
    category("beauty")
    for _ in range(5):
        creator = make_creator()
        bodies = [
            {"rates": {"image_note": 100_000}, "availability": "available"},
            {"rates": {"video_note": 300_000}, "availability": "not_taking_work"},
        ]
        results = run_concurrently(
            [
                lambda body=body, who=creator: client_for(who).put(URL, body, format="json")
                for body in bodies
            ]
        )
        assert [r.status_code for r in results] == [200, 200], [r.content for r in results]
        profile = CooperationProfile.objects.get(pk=creator.pk)
        # The later save replaced the earlier one as a whole (PUT), and the row followed it.
        assert (profile.rate_image_note is None) != (profile.rate_video_note is None)
        row = CreatorDiscoveryRow.objects.get(pk=creator.pk)
        assert (row.rate_image_note, row.rate_video_note) == (
            profile.rate_image_note,
            profile.rate_video_note,
        )
