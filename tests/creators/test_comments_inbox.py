"""The creator's comment inbox: what it holds, its filters, bad input and its query count."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.db import connection

from apps.moderation.targets import Visibility
from apps.notes.models import Comment, NoteStatus
from apps.notes.services import comment_delete, comment_moderation_set
from tests.creators.comments_factories import (
    comment,
    fan_of,
    victim_with_comments,
)
from tests.factories import UserFactory
from tests.notes.factories import NoteFactory

pytestmark = pytest.mark.django_db

INBOX = "/api/v1/creator/comments"


def _ids(client, **params) -> list[int]:
    response = client.get(INBOX, params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_inbox_holds_others_comments_on_my_notes_newest_first(user, api) -> None:
    data = victim_with_comments(user)
    other_creator_note = NoteFactory()
    comment(data["fan"], other_creator_note, "别人的笔记")
    own = comment(user, data["notes"][0], "我自己的评论")
    in_review = comment(data["stranger"], data["notes"][0], "待审")
    comment_moderation_set(comment=in_review, visibility=Visibility.REVIEW)
    deleted = comment(data["stranger"], data["notes"][1], "删掉")
    comment_delete(comment_id=deleted.pk, actor=data["stranger"])
    gone_note = NoteFactory(author=user)
    comment(data["fan"], gone_note, "笔记删了")
    gone_note.status = NoteStatus.DELETED
    gone_note.save(update_fields=["status"])

    open_ids = [data[name].pk for name in ("hidden", "reply", "pinned", "visible")]
    assert _ids(api) == open_ids  # newest first; held, own, in review, deleted: not here
    assert own.pk not in _ids(api)
    assert _ids(api, state="held") == [data["held"].pk]
    assert _ids(api, state="hidden") == [data["hidden"].pk]
    assert _ids(api, state="visible") == [data[n].pk for n in ("reply", "pinned", "visible")]
    assert _ids(api, state="rejected") == []

    rows = {row["id"]: row for row in api.get(INBOX).json()["results"]}
    hidden, pinned, reply = rows[data["hidden"].pk], rows[data["pinned"].pk], rows[data["reply"].pk]
    assert hidden["state"] == "hidden" and hidden["pinned"] is False
    assert pinned["pinned"] is True and pinned["author_is_fan"] is True
    assert pinned["author_is_trusted"] is True and pinned["author_blocked"] is False
    assert pinned["note"] == {
        "id": data["notes"][0].pk,
        "title": data["notes"][0].title,
        "cover": None,
    }
    assert pinned["author"]["id"] == data["fan"].pk
    assert reply["parent_id"] == data["visible"].pk and reply["reply_to_user"]["id"] == (
        data["stranger"].pk
    )
    assert rows[data["visible"].pk]["replies_count"] == 1
    assert rows[data["visible"].pk]["replied_at"] is None


def test_filters_note_author_unreplied_keyword_fans_and_days(user, api) -> None:
    data = victim_with_comments(user)
    first, second = data["notes"]
    assert _ids(api, note=second.pk) == [data["hidden"].pk]
    assert _ids(api, note=NoteFactory().pk) == []  # someone else's note: nothing, not an error
    assert _ids(api, author=data["fan"].pk) == [data["reply"].pk, data["pinned"].pk]
    assert set(_ids(api, fans_only="true")) == {data["reply"].pk, data["pinned"].pk}
    assert _ids(api, q="好看") == [data["visible"].pk]
    assert _ids(api, q="丑") == [data["hidden"].pk]
    latin = comment(data["stranger"], first, "Nice LIPSTICK colour")
    assert _ids(api, q="lipstick") == [latin.pk]  # case-insensitive

    unreplied = set(_ids(api, unreplied="true"))
    assert data["visible"].pk in unreplied and data["pinned"].pk in unreplied
    response = api.post(f"{INBOX}/{data['reply'].pk}/reply", {"body": "谢谢"})
    assert response.status_code == 201, response.content
    # Answering a reply takes it and its thread's top-level comment out of "not yet replied".
    unreplied = set(_ids(api, unreplied="true"))
    assert data["reply"].pk not in unreplied and data["visible"].pk not in unreplied
    assert data["pinned"].pk in unreplied

    # Days are Asia/Shanghai days: 2026-03-01 00:30 in Shanghai is still Feb 28 in UTC.
    Comment.objects.filter(pk=data["pinned"].pk).update(
        created_at=datetime(2026, 2, 28, 16, 30, tzinfo=UTC)
    )
    Comment.objects.filter(pk=data["visible"].pk).update(
        created_at=datetime(2026, 2, 28, 15, 30, tzinfo=UTC)
    )
    assert _ids(api, date_from="2026-03-01", date_to="2026-03-01") == [data["pinned"].pk]
    assert _ids(api, date_to="2026-02-28") == [data["visible"].pk]
    assert data["visible"].pk not in _ids(api, date_from="2026-03-01")


@pytest.mark.parametrize(
    "params",
    [
        {"date_to": "not-a-day"},
        {"q": "x" * 51},
        {"state": "deleted"},
        {"note": "abc"},
        {"note": 0},
        {"note": 2**63},
        {"unreplied": "maybe"},
        {"cursor": "bogus"},
    ],
)
def test_bad_filters_are_a_clear_4xx(api, params: dict) -> None:
    response = api.get(INBOX, params)
    assert response.status_code in (400, 404), response.content
    assert "error" in response.json()


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-03-02", "date_to": "2026-03-01"},
        {"date_to": "0799-11-13"},
        {"date_from": "9999-12-31"},
    ],
)
def test_days_the_schema_allows_are_an_empty_page_not_a_400(user, api, params: dict) -> None:
    """The schema states no bounds on a day: an empty or out-of-range window selects nothing."""
    victim_with_comments(user)
    response = api.get(INBOX, params)
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []


def test_a_day_before_2000_selects_from_the_start(user, api) -> None:
    data = victim_with_comments(user)
    assert data["visible"].pk in _ids(api, date_from="1999-12-31")


def test_detail_shows_any_state_and_my_own_comments(user, api) -> None:
    data = victim_with_comments(user)
    body = api.get(f"{INBOX}/{data['held'].pk}").json()
    assert body["state"] == "held" and body["body"] == "加微信聊"
    own = comment(user, data["notes"][0], "置顶说明")
    assert api.get(f"{INBOX}/{own.pk}").json()["id"] == own.pk
    assert api.get(f"{INBOX}/{2**40}").status_code == 404


def _fill(creator, count: int) -> None:
    notes = [NoteFactory(author=creator) for _ in range(min(count, 5))]
    fans = [fan_of(creator) for _ in range(min(count, 5))]
    for index in range(count):
        top = comment(fans[index % len(fans)], notes[index % len(notes)], f"第{index}条")
        if index % 3 == 0:
            comment(UserFactory(), notes[index % len(notes)], "回复", reply_to=top)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"unreplied": "true"},
        {"fans_only": "true"},
        {"q": "条"},
        {"state": "visible"},
        {"date_from": "2020-01-01", "date_to": "2999-01-01"},
    ],
    ids=["all", "unreplied", "fans", "keyword", "state", "days"],
)
def test_inbox_makes_the_same_queries_for_1_and_50_comments(
    make_client, count_queries: Callable, django_assert_max_num_queries, params: dict
) -> None:
    def fetch(count: int) -> int:
        creator = UserFactory()
        _fill(creator, count)
        client = make_client(creator)

        def run() -> None:
            response = client.get(INBOX, {**params, "page_size": 50})
            assert response.status_code == 200
            assert len(response.json()["results"]) >= min(count, 1)

        with django_assert_max_num_queries(2):
            run()
        return count_queries(run)

    assert fetch(1) == fetch(50)


def test_list_endpoints_of_filters_make_constant_queries(
    user, make_client, count_queries: Callable
) -> None:
    def fetch(count: int) -> tuple[int, int]:
        creator = UserFactory()
        client = make_client(creator)
        for index in range(count):
            assert (
                client.post(
                    "/api/v1/creator/comment-filters/words", {"word": f"词{index}"}
                ).status_code
                == 201
            )
            trusted = UserFactory()
            assert (
                client.post(
                    "/api/v1/creator/comment-filters/trusted", {"user_id": trusted.pk}
                ).status_code
                == 201
            )
        return (
            count_queries(lambda: client.get("/api/v1/creator/comment-filters/words")),
            count_queries(
                lambda: client.get("/api/v1/creator/comment-filters/trusted?page_size=50")
            ),
        )

    assert fetch(1) == fetch(50)


# --- the inbox is served by its indexes (PostgreSQL) ------------------------------------------


INBOX_INDEXES = {i.name for i in Comment._meta.indexes if i.name.startswith("comment_inbox")}


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("params", "index"),
    [
        ({}, "comment_inbox_idx"),
        ({"unreplied": True}, "comment_inbox_unreplied_idx"),
        ({"note": True}, "comment_inbox_note_idx"),
        ({"author": True}, "comment_inbox_author_idx"),
        ({"state": "held"}, "comment_inbox_state_idx"),
        ({"state": "hidden"}, "comment_inbox_state_idx"),
    ],
    ids=["all", "unreplied", "note", "author", "held", "hidden"],
)
def test_each_inbox_filter_can_walk_its_index(user, params: dict, index: str) -> None:
    """With sequential scans priced out and the other inbox indexes dropped (inside the test's
    transaction, rolled back after), each filter's plan uses the index meant for it: the index's
    condition matches the query's (a typo there would silently scan). Dropping the others keeps
    the planner from picking a sibling whose cost ties on a tiny table."""
    from apps.creators.comments_selectors import InboxFilters, creator_comment_inbox

    data = victim_with_comments(user)
    filters = InboxFilters(
        note_id=data["notes"][0].pk if params.get("note") else None,
        author_id=data["fan"].pk if params.get("author") else None,
        unreplied=bool(params.get("unreplied")),
        state=params.get("state"),
    )
    queryset = creator_comment_inbox(creator=user, filters=filters).order_by("-created_at", "-id")
    sql, sql_params = queryset[:20].query.sql_with_params()
    with connection.cursor() as cursor:
        for other in INBOX_INDEXES - {index}:
            cursor.execute(f"DROP INDEX {other}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", sql_params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan


@pytest.mark.postgres
def test_keyword_search_can_use_the_trigram_index(user) -> None:
    """Django's ``icontains`` is ``UPPER(body::text) LIKE UPPER(%s)``: the index is on exactly
    that expression, for live comments."""
    victim_with_comments(user)
    queryset = Comment.objects.filter(
        status="visible", moderation="visible", body__icontains="lipstick"
    )
    sql, sql_params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", sql_params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "comment_body_trgm_idx" in plan, plan
