"""Feeds and lists: ranking, interest lift, cursor paging, visibility and block rules."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import Block, Follow, Profile
from apps.moderation.targets import Visibility
from apps.notes import selectors, services
from apps.notes.models import NoteStatus, NoteVisibility
from apps.notes.ranking import INTEREST_BONUS, note_rank
from tests.factories import UserFactory
from tests.notes.factories import NoteFactory, category

pytestmark = pytest.mark.django_db

DISCOVER = "/api/v1/feed/discover"


def _walk(client, url: str) -> list[int]:
    seen: list[int] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        seen.extend(item["id"] for item in body["results"])
        url = body["next"]
    return seen


def _hidden_variants(author) -> list:
    """Notes nobody but their author may see in a feed."""
    return [
        NoteFactory(author=author, visibility=NoteVisibility.PRIVATE),
        NoteFactory(author=author, status=NoteStatus.DRAFT, published_at=None),
        NoteFactory(author=author, status=NoteStatus.DELETED),
        NoteFactory(author=author, moderation=Visibility.REVIEW),
        NoteFactory(author=author, moderation=Visibility.HIDDEN),
    ]


def test_discovery_orders_by_decayed_engagement(api) -> None:
    now = timezone.now()
    fresh = NoteFactory(published_at=now)
    day_old_popular = NoteFactory(published_at=now - timedelta(days=1), likes_count=7)
    week_old = NoteFactory(published_at=now - timedelta(days=7), likes_count=20)
    # 7 likes a day ago: log2(8) = 3 half-lives of lead, minus the one day of age.
    assert _walk(api, DISCOVER) == [day_old_popular.pk, fresh.pk, week_old.pk]


def test_interest_lift_raises_notes_in_my_categories(api, user) -> None:
    now = timezone.now()
    Profile.objects.get(user=user).interests.set([category("food")])
    other = NoteFactory(published_at=now, category=category("tech"))
    # Half a day older: decayed by 2**-0.5 = 0.71, lifted by 1.5 -> ahead of the fresh note.
    mine = NoteFactory(published_at=now - timedelta(hours=12), category=category("food"))
    # Two days older: 0.25 * 1.5 is still behind.
    too_old = NoteFactory(published_at=now - timedelta(days=2), category=category("food"))
    assert _walk(api, DISCOVER) == [mine.pk, other.pk, too_old.pk]
    assert round(1_000_000 * 0.5849625007211562) == INTEREST_BONUS  # log2(1.5)


def test_discovery_pages_cover_every_note_once_in_score_order(api, user) -> None:
    Profile.objects.get(user=user).interests.set([category("food"), category("pets")])
    now = timezone.now()
    notes = []
    for i in range(37):
        slug = ("food", "tech", "pets", "travel")[i % 4]
        # Ties on purpose: every third note shares its time with another.
        published = now - timedelta(hours=(i // 3) * 5)
        notes.append(
            NoteFactory(published_at=published, category=category(slug), likes_count=i % 5)
        )
    seen = _walk(api, f"{DISCOVER}?page_size=5")
    assert sorted(seen) == sorted(n.pk for n in notes)
    interests = {category("food").pk, category("pets").pk}

    def score(note) -> tuple[int, int]:
        return (note.rank + (INTEREST_BONUS if note.category_id in interests else 0), note.pk)

    assert seen == [n.pk for n in sorted(notes, key=score, reverse=True)]


def test_discovery_never_shows_blocked_private_held_or_own_notes(api, user) -> None:
    visible = NoteFactory()
    i_blocked, blocked_me = UserFactory(), UserFactory()
    Block.objects.create(blocker=user, blocked=i_blocked)
    Block.objects.create(blocker=blocked_me, blocked=user)
    NoteFactory(author=i_blocked)
    NoteFactory(author=blocked_me)
    _hidden_variants(UserFactory())
    NoteFactory(author=user)
    assert _walk(api, DISCOVER) == [visible.pk]


def test_discovery_marks_my_likes_and_has_no_promoted_items_yet(api, user) -> None:
    liked, other = NoteFactory(), NoteFactory()
    api.post(f"/api/v1/notes/{liked.pk}/like")
    results = api.get(DISCOVER).json()["results"]
    state = {item["id"]: (item["liked"], item["promoted"]) for item in results}
    assert state == {liked.pk: (True, False), other.pk: (False, False)}


@pytest.mark.parametrize("cursor", ["abc", "Zm9vOmJhcg", "OTk5OTk5OTk5OTk5OTk5OTk5OTk5OjE", "-"])
def test_forged_discovery_cursor_is_404(api, cursor: str) -> None:
    NoteFactory()
    response = api.get(f"{DISCOVER}?cursor={cursor}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_discovery_page_size_is_bounded(api) -> None:
    assert api.get(f"{DISCOVER}?page_size=0").status_code == 400
    assert api.get(f"{DISCOVER}?page_size=51").status_code == 400


def test_following_feed_is_newest_first_and_public_only(api, user) -> None:
    followed, stranger = UserFactory(), UserFactory()
    Follow.objects.create(follower=user, followee=followed)
    now = timezone.now()
    older = NoteFactory(author=followed, published_at=now - timedelta(hours=3))
    newer = NoteFactory(author=followed, published_at=now)
    _hidden_variants(followed)
    NoteFactory(author=stranger)
    assert _walk(api, "/api/v1/feed/following?page_size=1") == [newer.pk, older.pk]


def test_following_feed_loses_an_author_after_a_block(api, user) -> None:
    followed = UserFactory()
    api.post(f"/api/v1/users/{followed.pk}/follow")
    NoteFactory(author=followed)
    assert len(_walk(api, "/api/v1/feed/following")) == 1
    api.post(f"/api/v1/users/{followed.pk}/block")
    assert _walk(api, "/api/v1/feed/following") == []


def test_topic_page_lists_public_notes_of_the_topic(make_client, user) -> None:
    author = UserFactory()
    client = make_client(author)
    from tests.notes.factories import image_upload

    created = [
        client.post(
            "/api/v1/notes",
            {
                "title": f"探店{i}",
                "body": f"#上海美食 第{i}家",
                "category": "food",
                "images": [image_upload()],
            },
            format="multipart",
        ).json()
        for i in range(3)
    ]
    client.patch(f"/api/v1/notes/{created[0]['id']}", {"visibility": "private"})
    topic_id = created[1]["topics"][0]["id"]
    viewer = make_client(user)
    assert _walk(viewer, f"/api/v1/topics/{topic_id}/notes") == [created[2]["id"], created[1]["id"]]
    detail = viewer.get(f"/api/v1/topics/{topic_id}").json()
    assert detail == {"id": topic_id, "name": "上海美食", "notes_count": 2}
    assert viewer.get("/api/v1/topics/987654321").status_code == 404
    Block.objects.create(blocker=user, blocked=author)
    assert _walk(viewer, f"/api/v1/topics/{topic_id}/notes") == []


def test_user_notes_public_for_others_complete_for_the_author(make_client, user) -> None:
    author = UserFactory()
    public = NoteFactory(author=author)
    private = NoteFactory(author=author, visibility=NoteVisibility.PRIVATE)
    held = NoteFactory(author=author, moderation=Visibility.REVIEW)
    NoteFactory(author=author, status=NoteStatus.DRAFT, published_at=None)
    NoteFactory(author=author, status=NoteStatus.DELETED)
    url = f"/api/v1/users/{author.pk}/notes"
    assert _walk(make_client(user), url) == [public.pk]
    assert sorted(_walk(make_client(author), url)) == sorted([public.pk, private.pk, held.pk])
    Block.objects.create(blocker=author, blocked=user)
    refused = make_client(user).get(url)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "user.blocked"
    assert make_client(user).get("/api/v1/users/987654321/notes").status_code == 404


def test_my_notes_filters(api, user) -> None:
    draft = NoteFactory(author=user, status=NoteStatus.DRAFT, published_at=None)
    published = NoteFactory(author=user)
    private = NoteFactory(author=user, visibility=NoteVisibility.PRIVATE)
    NoteFactory(author=user, status=NoteStatus.DELETED)
    NoteFactory()
    assert sorted(_walk(api, "/api/v1/me/notes")) == sorted([draft.pk, published.pk, private.pk])
    assert _walk(api, "/api/v1/me/notes?status=draft") == [draft.pk]
    assert _walk(api, "/api/v1/me/notes?visibility=private") == [private.pk]
    rows = api.get("/api/v1/me/notes?status=draft").json()["results"]
    assert rows[0]["status"] == "draft"
    assert api.get("/api/v1/me/notes?status=deleted").status_code == 400


def test_note_detail_visibility(make_client, user) -> None:
    author = UserFactory()
    for note in _hidden_variants(author):
        assert make_client(user).get(f"/api/v1/notes/{note.pk}").status_code == 404
        expected = 404 if note.status == NoteStatus.DELETED else 200
        assert make_client(author).get(f"/api/v1/notes/{note.pk}").status_code == expected
    visible = NoteFactory(author=author)
    assert make_client(user).get(f"/api/v1/notes/{visible.pk}").status_code == 200
    Block.objects.create(blocker=user, blocked=author)
    assert make_client(user).get(f"/api/v1/notes/{visible.pk}").status_code == 404


def test_only_the_author_edits(make_client, user) -> None:
    note = NoteFactory()
    response = make_client(user).patch(f"/api/v1/notes/{note.pk}", {"title": "改"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "note.not_author"
    assert make_client(user).delete(f"/api/v1/notes/{note.pk}").status_code == 403
    private = NoteFactory(visibility=NoteVisibility.PRIVATE)
    assert (
        make_client(user).patch(f"/api/v1/notes/{private.pk}", {"title": "改"}).status_code == 404
    )
    note.refresh_from_db()
    assert note.title != "改"


def test_rank_changes_with_engagement_and_edit_keeps_it(api, user) -> None:
    author = UserFactory()
    draft = NoteFactory(author=author, status=NoteStatus.DRAFT, published_at=None)
    note = services.note_publish(note_id=draft.pk, actor=author)
    api.post(f"/api/v1/notes/{note.pk}/like")
    api.post(f"/api/v1/notes/{note.pk}/collect")
    api.post(f"/api/v1/notes/{note.pk}/comments", {"body": "好"})
    api.post(f"/api/v1/notes/{note.pk}/share", {"channel": "link"})
    note.refresh_from_db()
    assert note.rank == note_rank(
        published_at=note.published_at, likes=1, collects=1, comments=1, shares=1
    )
    services.note_update(note_id=note.pk, actor=author, title="新标题")
    before = note.rank
    note.refresh_from_db()
    assert note.rank == before


@pytest.mark.postgres
def test_postgres_lateral_statement_matches_the_portable_one(user) -> None:
    """The one-statement PostgreSQL page and the portable walks agree, page after page."""
    Profile.objects.get(user=user).interests.set([category("food"), category("pets")])
    Block.objects.create(blocker=user, blocked=(blocked := UserFactory()))
    Block.objects.create(blocker=(blocker := UserFactory()), blocked=user)
    now = timezone.now()
    authors = [UserFactory() for _ in range(4)] + [blocked, blocker, user]
    for i in range(45):
        NoteFactory(
            author=authors[i % len(authors)],
            category=category(("food", "tech", "pets", "travel", "home")[i % 5]),
            published_at=now - timedelta(hours=(i // 4) * 7),
            likes_count=(i * 7) % 11,
        )
    position, pages = None, 0
    while True:
        lateral = selectors.discovery_page_rows(viewer_id=user.pk, position=position, size=7)
        portable = selectors.discovery_page_rows(
            viewer_id=user.pk, position=position, size=7, portable=True
        )
        assert [(s, n.pk) for s, n in lateral] == [(s, n.pk) for s, n in portable]
        assert all(n.author_id not in (blocked.pk, blocker.pk, user.pk) for _, n in lateral)
        pages += 1
        if len(lateral) <= 7:
            break
        score, note = lateral[6]
        position = selectors.FeedPosition(score=score, note_id=note.pk)
    assert pages == 4  # 45 notes, 18 by hidden authors: 27 shown, 7 a page
