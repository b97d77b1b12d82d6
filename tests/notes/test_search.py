"""Search: notes by title, body or topic (two Chinese characters suffice), users by name."""

import pytest
from django.db import connection

from apps.accounts.models import Block, Profile
from apps.moderation.targets import Visibility
from apps.notes.models import Note, NoteStatus, NoteVisibility
from apps.notes.selectors import search_notes
from tests.factories import UserFactory
from tests.notes.factories import NoteFactory, image_upload

pytestmark = pytest.mark.django_db


def _ids(client, url: str) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def _publish(client, title: str, body: str) -> int:
    response = client.post(
        "/api/v1/notes",
        {"title": title, "body": body, "category": "beauty", "images": [image_upload()]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_two_character_chinese_query_finds_notes_by_title_body_and_topic(make_client, user) -> None:
    author = make_client(UserFactory())
    in_title = _publish(author, "这支口红绝了", "日常通勤")
    in_body = _publish(author, "秋冬妆容", "今天用的是新买的口红，很显白")
    in_topic = _publish(author, "好物分享", "#口红试色 合集")
    _publish(author, "周末去爬山", "天气很好")
    found = _ids(make_client(user), "/api/v1/search/notes?q=口红")
    assert sorted(found) == sorted([in_title, in_body, in_topic])
    assert _ids(make_client(user), "/api/v1/search/notes?q=试色") == [in_topic]


def test_search_is_case_insensitive_and_ignores_extra_spaces(api) -> None:
    note = NoteFactory(title="OOTD Daily", search_text="ootd daily\n春季 穿搭")
    assert _ids(api, "/api/v1/search/notes?q=ootd") == [note.pk]
    assert _ids(api, "/api/v1/search/notes?q=OOTD%20%20DAILY") == [note.pk]


def test_search_respects_visibility_and_blocks(api, user) -> None:
    text = "露营装备清单"
    visible = NoteFactory(search_text=text)
    for fields in (
        {"visibility": NoteVisibility.PRIVATE},
        {"status": NoteStatus.DRAFT, "published_at": None},
        {"status": NoteStatus.DELETED},
        {"moderation": Visibility.REVIEW},
        {"moderation": Visibility.HIDDEN},
    ):
        NoteFactory(search_text=text, **fields)
    blocked, blocker = UserFactory(), UserFactory()
    Block.objects.create(blocker=user, blocked=blocked)
    Block.objects.create(blocker=blocker, blocked=user)
    NoteFactory(author=blocked, search_text=text)
    NoteFactory(author=blocker, search_text=text)
    assert _ids(api, "/api/v1/search/notes?q=露营") == [visible.pk]


@pytest.mark.parametrize("query", ["", "口", "x" * 51])
def test_query_length_is_checked(api, query: str) -> None:
    response = api.get(f"/api/v1/search/notes?q={query}")
    assert response.status_code == 400
    assert "q" in response.json()["error"]["fields"]
    assert api.get(f"/api/v1/search/users?q={query}").status_code == 400


def test_user_search_by_display_name_most_followed_first(api, user) -> None:
    small, big, other = UserFactory(), UserFactory(), UserFactory()
    Profile.objects.filter(user=small).update(display_name="小雨的日常", fans_count=3)
    Profile.objects.filter(user=big).update(display_name="雨天读书", fans_count=900)
    Profile.objects.filter(user=other).update(display_name="晴天")
    blocked = UserFactory()
    Profile.objects.filter(user=blocked).update(display_name="雨后彩虹")
    Block.objects.create(blocker=blocked, blocked=user)
    response = api.get("/api/v1/search/users?q=小雨")
    assert [row["id"] for row in response.json()["results"]] == [small.pk]
    rows = api.get("/api/v1/search/users?q=雨").status_code
    assert rows == 400  # one character is too short
    both = api.get("/api/v1/search/users?q=雨天").json()["results"]
    assert [row["id"] for row in both] == [big.pk]
    assert set(both[0]) >= {"id", "username", "display_name", "avatar", "fans", "bio"}


@pytest.mark.postgres
def test_trigram_indexes_serve_note_and_user_search(user) -> None:
    """The LIKE that search_notes() builds is one the GIN index can answer (the planner picks
    it once the table is large; here sequential scans are switched off to ask)."""
    NoteFactory.create_batch(5, search_text="护肤品推荐")
    where = search_notes(query="护肤品", viewer=user).query.where
    assert any("search_text" in str(child) for child in where.children)
    sql, params = (
        Note.objects.filter(search_text__contains="护肤品").values("id").query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "note_search_trgm_idx" in plan, plan
        cursor.execute(
            "EXPLAIN SELECT user_id FROM accounts_profile "
            "WHERE UPPER(display_name::text) LIKE UPPER(%s)",
            ["%小雨%"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "profile_display_name_trgm_idx" in plan, plan


@pytest.mark.postgres
def test_two_character_query_is_answered_from_the_trigram_index(user) -> None:
    """pg_trgm cannot cut a two-character pattern into trigrams; the GIN index is still
    scanned whole and rechecked, which stays correct (and the index stays the access path)."""
    NoteFactory.create_batch(3, search_text="口红试色")
    NoteFactory.create_batch(3, search_text="爬山")
    notes = search_notes(query="口红", viewer=user)
    assert notes.count() == 3
    assert Note.objects.count() == 6
