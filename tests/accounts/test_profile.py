"""My account: reading, editing and validation of profile fields and the avatar."""

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.accounts.models import Profile

pytestmark = pytest.mark.django_db


def _image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(buffer, format=fmt)
    return buffer.getvalue()


def _media_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return [str(p) for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_me_returns_private_fields(api, user) -> None:
    body = api.get("/api/v1/me").json()
    assert body["id"] == user.pk
    assert body["email"] == user.email
    assert body["counts"] == {
        "fans": 0,
        "following": 0,
        "notes": 0,
        "likes_received": 0,
        "collects_received": 0,
    }


def test_me_requires_authentication(anon_client) -> None:
    response = anon_client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_patch_me_updates_profile(api, user) -> None:
    response = api.patch(
        "/api/v1/me",
        {
            "display_name": "山野小红",
            "bio": "爱徒步",
            "gender": "female",
            "birth_year": 1996,
            "region": "sichuan",
            "interests": ["travel", "outdoors"],
            "hide_fans_list": True,
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["display_name"] == "山野小红"
    assert sorted(body["interests"]) == ["outdoors", "travel"]
    profile = Profile.objects.get(user=user)
    assert profile.region == "sichuan"
    assert profile.birth_year == 1996
    assert profile.hide_fans_list is True
    assert sorted(profile.interests.values_list("slug", flat=True)) == ["outdoors", "travel"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"region": "atlantis"}, "region"),
        ({"interests": ["travel", "underwater-basket-weaving"]}, "interests"),
        ({"birth_year": 1850}, "birth_year"),
        ({"birth_year": 2030}, "birth_year"),
        ({"gender": "robot"}, "gender"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "x" * 41}, "display_name"),
        ({"bio": "y" * 201}, "bio"),
    ],
)
def test_patch_me_rejects_bad_values_and_writes_nothing(api, user, payload, field) -> None:
    before = Profile.objects.get(user=user)
    response = api.patch("/api/v1/me", {**payload, "bio": payload.get("bio", "changed?")})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    after = Profile.objects.get(user=user)
    assert after.bio == before.bio
    assert list(after.interests.all()) == []


def test_patch_me_rejects_too_many_interests(api) -> None:
    slugs = ["beauty", "fashion", "food", "travel", "home", "fitness"]
    slugs += ["parenting", "tech", "pets", "study", "career"]
    response = api.patch("/api/v1/me", {"interests": slugs})
    assert response.status_code == 400
    assert "interests" in response.json()["error"]["fields"]


def test_patch_me_no_longer_changes_the_phone(api, user, other_user) -> None:
    """Phones are bound by code (POST /me/phone); PATCH /me ignores the field (finding 5)."""
    other_user.phone = "13900001111"
    other_user.save()
    for phone in ("13900001111", "13900002222"):
        response = api.patch("/api/v1/me", {"phone": phone})
        assert response.status_code == 200, response.content
        assert response.json()["phone"] is None
    user.refresh_from_db()
    assert user.phone is None


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_avatar_upload_accepts_real_images(api, user, fmt: str) -> None:
    upload = SimpleUploadedFile(f"me.{fmt.lower()}", _image_bytes(fmt))
    response = api.put("/api/v1/me/avatar", {"avatar": upload}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["avatar"].startswith("http://testserver/media/avatars/")
    profile = Profile.objects.get(user=user)
    assert os.path.exists(profile.avatar.path)


def test_avatar_replacement_removes_the_old_file(
    api, user, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        api.put(
            "/api/v1/me/avatar",
            {"avatar": SimpleUploadedFile("a.png", _image_bytes("PNG"))},
            format="multipart",
        )
    with django_capture_on_commit_callbacks(execute=True):
        api.put(
            "/api/v1/me/avatar",
            {"avatar": SimpleUploadedFile("b.jpg", _image_bytes("JPEG"))},
            format="multipart",
        )
    files = _media_files()
    assert len(files) == 1
    assert files[0].endswith(".jpg")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        (
            "notes.jpg",
            b"this is just a text file renamed to look like a photo",
            "avatar.invalid_image",
        ),
        ("cut.png", _image_bytes("PNG", (300, 300))[:200], "avatar.invalid_image"),
        ("anim.gif", _image_bytes("GIF"), "avatar.unsupported_format"),
        ("huge.png", _image_bytes("PNG", (4100, 10)), "avatar.too_many_pixels"),
    ],
)
def test_avatar_rejects_bad_images_and_stores_nothing(api, user, name, content, code) -> None:
    response = api.put(
        "/api/v1/me/avatar", {"avatar": SimpleUploadedFile(name, content)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert _media_files() == []
    assert not Profile.objects.get(user=user).avatar


def test_avatar_over_size_limit_is_refused(api, settings) -> None:
    settings.AVATAR_MAX_BYTES = 1024
    big = _image_bytes("PNG", (400, 400)) + b"\0" * 2048
    response = api.put(
        "/api/v1/me/avatar", {"avatar": SimpleUploadedFile("big.png", big)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "avatar.too_large"
    assert _media_files() == []


def test_avatar_missing_file_is_400(api) -> None:
    response = api.put("/api/v1/me/avatar", {}, format="multipart")
    assert response.status_code == 400
    assert "avatar" in response.json()["error"]["fields"]


def test_categories_and_regions_are_listed(anon_client) -> None:
    categories = anon_client.get("/api/v1/categories").json()
    slugs = {c["slug"] for c in categories}
    assert {"beauty", "fashion", "food", "travel", "home", "fitness", "parenting", "tech"} <= slugs
    regions = anon_client.get("/api/v1/regions").json()
    codes = {r["code"] for r in regions}
    assert {"beijing", "shanghai", "guangdong", "xinjiang", "hong_kong"} <= codes
    assert len(codes) == 35


def test_public_profile_hides_private_fields(make_client, user, other_user) -> None:
    Profile.objects.filter(user=other_user).update(birth_year=1990)
    body = make_client(user).get(f"/api/v1/users/{other_user.pk}").json()
    assert body["id"] == other_user.pk
    for private in ("email", "phone", "birth_year", "hide_fans_list", "date_joined"):
        assert private not in body
