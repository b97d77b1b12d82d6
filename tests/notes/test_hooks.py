"""Notes' extension points (``apps/notes/hooks.py``), each with a fake registrant defined here:
comment filters, feed slots, note labels and note attachments. Registered for one test, then
unregistered, so the rest of the suite sees notes as they are."""

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager

import pytest
from drf_spectacular.generators import SchemaGenerator

from apps.accounts.models import Block
from apps.notes import hooks
from apps.notes.models import Comment, CreatorState, Note, NoteVisibility
from tests.creators.comments_factories import blocked_word
from tests.factories import UserFactory
from tests.notes import test_query_counts as lists
from tests.notes.factories import NoteFactory, category

pytestmark = pytest.mark.django_db


# --- comment filters ----------------------------------------------------------------------


def _fake_filter(draft: hooks.CommentDraft) -> hooks.CommentVerdict:
    if "#hold" in draft.text:
        return hooks.CommentVerdict(state=CreatorState.HELD, word="#hold")
    if "#block" in draft.text:
        return hooks.CommentVerdict(state=CreatorState.HIDDEN, block_author=True)
    return hooks.ALLOWED


def _post_comment(client, note: Note, body: str) -> Comment:
    response = client.post(f"/api/v1/notes/{note.pk}/comments", {"body": body}, format="json")
    assert response.status_code == 201, response.content
    return Comment.objects.get(pk=response.json()["id"])


def test_a_registered_comment_filter_decides_the_comment_state(make_client) -> None:
    author, writer = UserFactory(), UserFactory()
    note = NoteFactory(author=author)
    client = make_client(writer)
    with hooks.comment_filters.registered("test.fake", _fake_filter):
        assert _post_comment(client, note, "求链接 #hold").creator_state == CreatorState.HELD
        # The note's author is never filtered.
        own = _post_comment(make_client(author), note, "我自己 #hold")
        assert own.creator_state == CreatorState.VISIBLE
        assert not Block.objects.filter(blocker=author, blocked=writer).exists()
        blocked = _post_comment(client, note, "走开 #block")
        assert blocked.creator_state == CreatorState.HIDDEN
        assert Block.objects.filter(blocker=author, blocked=writer).exists()
    Block.objects.filter(blocker=author).delete()
    # Unregistered: the same words pass.
    assert _post_comment(client, note, "又来 #hold").creator_state == CreatorState.VISIBLE


def test_the_strongest_verdict_of_several_filters_wins(make_client) -> None:
    author = UserFactory()
    note = NoteFactory(author=author)
    blocked_word(author, "丑", "hide")  # creators' own filter, registered by CreatorsConfig
    client = make_client(UserFactory())
    assert _post_comment(client, note, "好丑").creator_state == CreatorState.HIDDEN
    with hooks.comment_filters.registered("test.fake", _fake_filter):
        assert _post_comment(client, note, "好丑 #hold").creator_state == CreatorState.HELD


def test_a_key_registered_twice_is_refused() -> None:
    with (
        hooks.comment_filters.registered("test.fake", _fake_filter),
        pytest.raises(ValueError, match="already registered"),
    ):
        hooks.comment_filters.register("test.fake", _fake_filter)
    assert "test.fake" not in dict(hooks.comment_filters.entries())


# --- feed slots ---------------------------------------------------------------------------


def _slots_from_titles(*titles: str) -> hooks.FeedSlotProvider:
    """Put the notes with these titles at page positions 0, 1, ... (one query per page)."""

    def provide(request: hooks.FeedSlotRequest) -> list[hooks.FeedSlot]:
        ids = dict(Note.objects.filter(title__in=titles).values_list("title", "pk"))
        return [hooks.FeedSlot(index=i, note_id=ids[t]) for i, t in enumerate(titles) if t in ids]

    return provide


def _below_every_page(note: Note) -> Note:
    """Out of every organic page of these tests: no interest bonus, the lowest score."""
    Note.objects.filter(pk=note.pk).update(category=category("tech"), rank=-(10**12))
    return note


def test_feed_slot_notes_are_merged_into_the_discovery_page(make_client) -> None:
    viewer = UserFactory()
    organic = NoteFactory.create_batch(3)
    promo = _below_every_page(NoteFactory(title="推广"))
    NoteFactory(title="私密推广", visibility=NoteVisibility.PRIVATE)  # never shown to others
    client = make_client(viewer)
    with hooks.feed_slots.registered("test.promo", _slots_from_titles("私密推广", "推广")):
        results = client.get("/api/v1/feed/discover?page_size=3").json()["results"]
    ids = [row["id"] for row in results]
    # The private note is dropped; the promoted one lands at its index (1), once, flagged, and
    # takes a place within the page: two organic notes, the third opens the next page.
    assert ids.count(promo.pk) == 1
    promoted = [row["id"] for row in results if row["promoted"]]
    assert promoted == [promo.pk] and ids[1] == promo.pk
    assert len(results) == 3
    shown = [row["id"] for row in results if not row["promoted"]]
    assert len(shown) == 2 and set(shown) < {n.pk for n in organic}
    with hooks.feed_slots.registered("test.promo", _slots_from_titles("私密推广", "推广")):
        page = client.get("/api/v1/feed/discover?page_size=3").json()
        rest = client.get(page["next"]).json()["results"]
    pushed_out = {n.pk for n in organic} - set(shown)
    assert pushed_out <= {row["id"] for row in rest if not row["promoted"]}
    without = client.get("/api/v1/feed/discover?page_size=3").json()["results"]
    assert not any(row["promoted"] for row in without) and len(without) == 3


def _one_promoted_per_ten(request: hooks.FeedSlotRequest) -> list[hooks.FeedSlot]:
    """A slot every ten organic notes (1 for a page of 1, 5 for 50), found in one query."""
    wanted = (len(request.page_note_ids) + 9) // 10
    ids = Note.objects.filter(title="推广").order_by("pk").values_list("pk", flat=True)[:wanted]
    return [hooks.FeedSlot(index=10 * i, note_id=pk) for i, pk in enumerate(ids)]


def test_discovery_with_a_slot_provider_keeps_its_query_count_for_1_and_50(
    make_client, count_queries
) -> None:
    def fetch(add: int, expected: int) -> Callable[[], None]:
        # A page of exactly ``expected`` organic notes, the promoted ones ranked below them all.
        url = lists._discovery(viewer, add).replace("page_size=50", f"page_size={expected}")

        def run() -> None:
            response = client.get(url)
            assert response.status_code == 200, response.content
            results = response.json()["results"]
            promoted = [row["id"] for row in results if row["promoted"]]
            assert len(promoted) == (expected + 9) // 10 and set(promoted) <= promo_ids
            # Promoted notes take places within the page (one organic note is always kept).
            assert len(results) == max(expected, 1 + len(promoted))
            assert results[0]["id"] in promo_ids

        return run

    viewer = lists._viewer_with_interests()
    client = make_client(viewer)
    promo_ids = {_below_every_page(NoteFactory(title="推广")).pk for _ in range(5)}
    with hooks.feed_slots.registered("test.promo", _one_promoted_per_ten):
        client.get("/api/v1/feed/discover")  # a process's first page (embedded mode loads once)
        one = count_queries(fetch(1, 1))
        fifty = count_queries(fetch(49, 50))
    assert one == fifty, (one, fifty)


# --- note labels and attachments ------------------------------------------------------------


class _Spy:
    """A batch provider that counts its calls and reads its notes in one query."""

    def __init__(self, answer: Callable[[Note], object]) -> None:
        self.calls = 0
        self.answer = answer

    def __call__(self, notes: Sequence[Note], viewer: object) -> dict[int, object]:
        self.calls += 1
        titles = dict(Note.objects.filter(pk__in=[n.pk for n in notes]).values_list("pk", "title"))
        return {pk: self.answer(title) for pk, title in titles.items() if title.startswith("S")}


def _sponsored(title: str) -> list[hooks.NoteLabel]:
    return [hooks.NoteLabel(key="sponsored", text="赞助")]


def _products(title: str) -> list[dict]:
    return [{"product_id": 7, "title": title}]


@contextmanager
def _apps_providers_set_aside(registry: hooks.Registry) -> Iterator[None]:
    """The installed apps' own providers (brands' sponsored label...) leave for the test."""
    saved = registry.entries()
    for key, _entry in saved:
        registry.unregister(key)
    try:
        yield
    finally:
        for key, entry in saved:
            registry.register(key, entry)


@pytest.fixture
def providers() -> Iterator[tuple[_Spy, _Spy]]:
    labels, attachments = _Spy(_sponsored), _Spy(_products)
    with ExitStack() as stack:
        stack.enter_context(_apps_providers_set_aside(hooks.note_labels))
        stack.enter_context(_apps_providers_set_aside(hooks.note_attachments))
        stack.enter_context(hooks.note_labels.registered("test.sponsored", labels))
        stack.enter_context(hooks.note_attachments.registered("test.products", attachments))
        yield labels, attachments


def test_labels_and_attachments_appear_only_while_registered(make_client, providers) -> None:
    author = UserFactory()
    sponsored, plain = NoteFactory(author=author, title="S1"), NoteFactory(author=author)
    client = make_client(UserFactory())
    labels, attachments = providers

    rows = client.get(f"/api/v1/users/{author.pk}/notes").json()["results"]
    by_id = {row["id"]: row for row in rows}
    assert by_id[sponsored.pk]["labels"] == [{"key": "sponsored", "text": "赞助"}]
    assert by_id[sponsored.pk]["attachments"] == {
        "test.products": [{"product_id": 7, "title": "S1"}]
    }
    assert by_id[plain.pk]["labels"] == [] and by_id[plain.pk]["attachments"] == {
        "test.products": None
    }
    assert (labels.calls, attachments.calls) == (1, 1)  # once for the page, not per note

    detail = client.get(f"/api/v1/notes/{sponsored.pk}").json()
    assert detail["labels"] == [{"key": "sponsored", "text": "赞助"}]
    assert detail["attachments"]["test.products"][0]["product_id"] == 7

    hooks.note_labels.unregister("test.sponsored")
    hooks.note_attachments.unregister("test.products")
    for row in client.get(f"/api/v1/users/{author.pk}/notes").json()["results"]:
        assert "labels" not in row and "attachments" not in row
    assert "labels" not in client.get(f"/api/v1/notes/{sponsored.pk}").json()


NOTE_LISTS = ["discovery", "following", "topic", "user_notes", "my_notes", "collects"]


@pytest.mark.parametrize("name", NOTE_LISTS)
def test_note_lists_with_providers_keep_their_query_count(
    make_client, count_queries, providers, name
) -> None:
    fill = dict(lists.LISTS)[name]

    def fetch(add: int) -> Callable[[], None]:
        viewer = lists._viewer_with_interests()
        url = fill(viewer, add)
        client = make_client(viewer)

        def run() -> None:
            response = client.get(url)
            assert response.status_code == 200, response.content
            assert all("labels" in row or "note" in row for row in response.json()["results"])

        return run

    one = count_queries(fetch(1))
    fifty = count_queries(fetch(49 if name in lists.GLOBAL else 50))
    assert one == fifty, (one, fifty)


def _card_properties() -> set[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return set(schema["components"]["schemas"]["NoteCard"]["properties"])


def test_the_schema_documents_labels_and_attachments_only_while_registered(providers) -> None:
    assert {"labels", "attachments"} <= _card_properties()
    hooks.note_labels.unregister("test.sponsored")
    hooks.note_attachments.unregister("test.products")
    assert not {"labels", "attachments"} & _card_properties()
