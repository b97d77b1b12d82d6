"""seed_demo --events: a year of realistic, time-ordered events; a second run changes nothing."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min
from django.utils import timezone

from apps.accounts.models import Category, Profile, User
from apps.analytics.models import Event
from apps.analytics.selectors import note_model
from tests.analytics.factories import make_note

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_notes():
    for position, slug in enumerate(("beauty", "travel", "food", "fitness", "digital")):
        Category.objects.get_or_create(
            slug=slug, defaults={"name": slug.title(), "name_zh": slug, "position": position}
        )
    call_command("seed_demo", users=60, events=0, quiet=True)
    creators = User.objects.filter(username__startswith="creator_")
    return [
        make_note(creator, kind=("image", "video")[i % 3 == 0])
        for i, creator in enumerate(list(creators) * 4)
    ]


def test_seeded_events_are_realistic_and_idempotent(demo_notes) -> None:
    call_command("seed_demo", users=60, events=3_000, quiet=True)
    assert Event.objects.count() == 3_000
    snapshot = list(Event.objects.order_by("id").values_list("id", "kind", "occurred_at"))
    call_command("seed_demo", users=60, events=3_000, quiet=True)
    assert list(Event.objects.order_by("id").values_list("id", "kind", "occurred_at")) == snapshot

    kinds = dict(Event.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds["impression"] > kinds["view"] > kinds["like"] > kinds["comment"] > 0
    assert kinds["follow"] > 0
    span = Event.objects.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    assert span["last"] - span["first"] > timedelta(days=330)
    assert span["last"] <= timezone.now()
    # Written in time order, which is what makes the BRIN index on occurred_at selective.
    times = [moment for _, _, moment in snapshot]
    assert times == sorted(times)

    authors = dict(note_model().objects.values_list("pk", "author_id"))
    for note_id, author_id in (
        Event.objects.filter(note_id__isnull=False)
        .exclude(kind="follow")
        .values_list("note_id", "author_id")[:500]
    ):
        assert authors[note_id] == author_id
    event = Event.objects.filter(kind="view").first()
    profile = Profile.objects.get(user_id=event.actor_id)
    assert (event.gender, event.region) == (profile.gender, profile.region)
    assert event.interests == sorted(profile.interests.values_list("pk", flat=True))
    assert event.dwell_ms > 0


def test_another_size_replaces_the_seeded_stream(demo_notes) -> None:
    call_command("seed_demo", users=60, events=800, quiet=True)
    call_command("seed_demo", users=60, events=500, quiet=True)
    assert Event.objects.count() == 500
