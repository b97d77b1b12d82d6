"""Drive the platform through a client generated from its own schema (scripts/client_smoke.sh).

Imports every generated module (a module that fails to import is a schema bug), then walks a
short journey through the generated functions only, asserting each effect:
register two users, log in, publish a note, follow, like, collect, read the following feed,
change my bio with PATCH /me, top up through the sandbox and read my wallet.

Usage: client_smoke.py BASE_URL PACKAGE_PARENT_DIR [PACKAGE_NAME]
"""

import importlib
import io
import pkgutil
import sys
import uuid
from http import HTTPStatus
from typing import Any

from PIL import Image


def import_every_module(package_name: str) -> int:
    package = importlib.import_module(package_name)
    count = 1
    for module in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
        importlib.import_module(module.name)
        count += 1
    return count


def ok(response: Any, *statuses: HTTPStatus) -> Any:
    """The parsed body of an expected answer; anything else stops the smoke with the body."""
    wanted = statuses or (HTTPStatus.OK,)
    if response.status_code not in wanted:
        raise SystemExit(
            f"unexpected {response.status_code} (wanted {[int(s) for s in wanted]}): "
            f"{response.content[:500]!r}"
        )
    return response.parsed


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (194, 24, 91)).save(buffer, format="PNG")
    return buffer.getvalue()


def main(base_url: str, parent_dir: str, package_name: str = "creator_platform_client") -> None:
    sys.path.insert(0, parent_dir)
    modules = import_every_module(package_name)
    print(f"imported {modules} generated modules")

    api = importlib.import_module(f"{package_name}.api")
    client_module = importlib.import_module(f"{package_name}.client")
    models = importlib.import_module(f"{package_name}.models")
    types = importlib.import_module(f"{package_name}.types")
    ops = {
        name: importlib.import_module(f"{package_name}.api.{tag}.{name}")
        for tag, name in (
            ("auth", "auth_register_create"),
            ("auth", "auth_login_create"),
            ("taxonomy", "categories_list"),
            ("notes", "notes_create"),
            ("notes", "notes_retrieve"),
            ("users", "users_follow"),
            ("engagement", "notes_like"),
            ("engagement", "notes_collect"),
            ("feeds", "feed_following_list"),
            ("me", "me_partial_update"),
            ("me", "me_retrieve"),
            ("wallet", "wallet_topups_create"),
            ("payments", "wallet_topups_sandbox_pay"),
            ("wallet", "wallet_retrieve"),
        )
    }
    assert api.__name__
    anonymous = client_module.Client(base_url=base_url, raise_on_unexpected_status=False)
    password = f"smoke-{uuid.uuid4().hex}"
    suffix = uuid.uuid4().hex[:8]

    def register(username: str) -> Any:
        body = models.RegisterRequest(username=username, password=password)
        created = ok(
            ops["auth_register_create"].sync_detailed(client=anonymous, body=body),
            HTTPStatus.CREATED,
        )
        assert created.user.username == username
        tokens = ok(
            ops["auth_login_create"].sync_detailed(
                client=anonymous,
                body=models.LoginRequest(username=username, password=password),
            )
        )
        assert tokens.access and tokens.refresh
        return client_module.AuthenticatedClient(base_url=base_url, token=tokens.access)

    author = register(f"author_{suffix}")
    reader = register(f"reader_{suffix}")
    print("registered and logged in two users")

    categories = ok(ops["categories_list"].sync_detailed(client=author))
    assert categories, "no categories to publish under"
    image = types.File(
        payload=io.BytesIO(png_bytes()), file_name="smoke.png", mime_type="image/png"
    )
    draft = models.NoteCreateRequest(
        title="Smoke note",
        body="Published through a generated client.",
        category=categories[0].slug,
        images=[image],
        publish=True,
    )
    note = ok(ops["notes_create"].sync_detailed(client=author, body=draft), HTTPStatus.CREATED)
    assert note.title == "Smoke note" and note.status.value == "published", note
    print(f"published note {note.id}")

    followed = ok(
        ops["users_follow"].sync_detailed(note.author.id, client=reader),
        HTTPStatus.OK,
        HTTPStatus.CREATED,
    )
    assert followed.following is True
    like = models.EngagementInputRequest(source=models.EventSourceEnum.FOLLOW_FEED)
    liked = ok(
        ops["notes_like"].sync_detailed(note.id, client=reader, body=like), HTTPStatus.CREATED
    )
    assert liked.liked is True and liked.likes_count == 1, liked
    collected = ok(
        ops["notes_collect"].sync_detailed(
            note.id, client=reader, body=models.CollectInputRequest()
        ),
        HTTPStatus.CREATED,
    )
    assert collected.collected is True and collected.collects_count == 1, collected
    seen = ok(ops["notes_retrieve"].sync_detailed(note.id, client=reader))
    assert seen.liked is True and seen.likes_count == 1 and seen.collects_count == 1, seen
    feed = ok(ops["feed_following_list"].sync_detailed(client=reader))
    cards = {card.id: card for card in feed.results}
    assert note.id in cards and cards[note.id].liked is True, [card.id for card in feed.results]
    print("followed, liked, collected, and found the note liked in the following feed")

    bio = f"Bio set by the client smoke {suffix}."
    patch = models.PatchedMeUpdateRequest(bio=bio)
    ok(ops["me_partial_update"].sync_detailed(client=reader, body=patch))
    me = ok(ops["me_retrieve"].sync_detailed(client=reader))
    assert me.bio == bio, (me.bio, me.bio_under_review)
    print("PATCH /me changed the bio")

    before = ok(ops["wallet_retrieve"].sync_detailed(client=reader))
    assert (before.available, before.held) == (0, 0), before
    intent = ok(
        ops["wallet_topups_create"].sync_detailed(
            client=reader,
            body=models.TopupInputRequest(amount=12345, provider=models.ProviderEnum.SANDBOX),
            idempotency_key=str(uuid.uuid4()),
        ),
        HTTPStatus.CREATED,
    )
    ok(
        ops["wallet_topups_sandbox_pay"].sync_detailed(
            intent.id, client=reader, body=models.SandboxPayInputRequest()
        )
    )
    wallet = ok(ops["wallet_retrieve"].sync_detailed(client=reader))
    assert wallet.available == 12345, wallet
    print(f"topped up through the sandbox; wallet available {wallet.available} fen")
    print("client smoke passed")


if __name__ == "__main__":
    main(*sys.argv[1:])
