"""Request and response shapes for the accounts API."""

from datetime import date
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from apps.accounts.models import Category, FollowSource, Gender, Profile
from apps.accounts.regions import REGION_CHOICES
from apps.core.serializers import StrictBooleanField, StrictCharField

PHONE_REGEX = r"^\+?[0-9]{6,15}$"


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ("slug", "name", "name_zh")


class RegionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_zh = serializers.CharField()


class CountsSerializer(serializers.Serializer):
    fans = serializers.IntegerField(source="fans_count")
    following = serializers.IntegerField(source="following_count")
    notes = serializers.IntegerField(source="notes_count")
    likes_received = serializers.IntegerField(source="likes_received_count")
    collects_received = serializers.IntegerField(source="collects_received_count")


class AvatarUrlField(serializers.Field):
    """Absolute URL of a profile's avatar, or null."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def to_representation(self, profile: Profile) -> str | None:
        if not profile.avatar:
            return None
        request = self.context.get("request")
        url = profile.avatar.url
        return request.build_absolute_uri(url) if request else url


extend_schema_field({"type": "string", "format": "uri", "nullable": True})(AvatarUrlField)


class InterestSlugsField(serializers.ListField):
    """Read-only list of a profile's interest slugs (prefetched by the selector)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(child=serializers.CharField(), read_only=True, **kwargs)

    def to_representation(self, manager: object) -> list[str]:
        return [category.slug for category in manager.all()]


class UserCardSerializer(serializers.Serializer):
    """The short form of a user in lists: enough to draw a row."""

    id = serializers.IntegerField(source="user_id")
    username = serializers.CharField(source="user.username")
    display_name = serializers.CharField()
    avatar = AvatarUrlField()
    fans = serializers.IntegerField(source="fans_count")


class PublicProfileSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user_id")
    username = serializers.CharField(source="user.username")
    display_name = serializers.CharField()
    avatar = AvatarUrlField()
    bio = serializers.CharField()
    gender = serializers.ChoiceField(choices=Gender.choices)
    region = serializers.CharField()
    interests = InterestSlugsField()
    counts = CountsSerializer(source="*")
    is_following = serializers.BooleanField(source="viewer_follows")
    is_followed_by = serializers.BooleanField(source="follows_viewer")
    is_blocked = serializers.BooleanField(source="viewer_blocked")


class MeSerializer(serializers.Serializer):
    """The signed-in user's own account: private fields included."""

    id = serializers.IntegerField(source="user_id")
    username = serializers.CharField(source="user.username")
    phone = serializers.CharField(source="user.phone", allow_null=True)
    email = serializers.CharField(source="user.email", help_text="Empty when not given.")
    date_joined = serializers.DateTimeField(source="user.date_joined")
    display_name = serializers.CharField()
    avatar = AvatarUrlField()
    bio = serializers.CharField()
    gender = serializers.ChoiceField(choices=Gender.choices)
    birth_year = serializers.IntegerField(allow_null=True)
    region = serializers.CharField()
    interests = InterestSlugsField()
    display_name_under_review = serializers.CharField(
        source="pending_display_name",
        help_text="A new display name held for review: only you see it until it is approved.",
    )
    bio_under_review = serializers.CharField(
        source="pending_bio",
        help_text="A new bio held for review: only you see it until it is approved.",
    )
    hide_fans_list = serializers.BooleanField()
    hide_following_list = serializers.BooleanField()
    counts = CountsSerializer(source="*")


def _birth_year_bounds() -> tuple[int, int]:
    this_year = date.today().year
    return 1900, this_year - 13  # the community is open from 13 years old


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Change my bio", value={"bio": "Weekend hikes and film cameras."}, request_only=True
        )
    ]
)
class MeUpdateSerializer(serializers.Serializer):
    display_name = StrictCharField(min_length=1, max_length=40, required=False)
    bio = StrictCharField(max_length=200, allow_blank=True, required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    birth_year = serializers.IntegerField(allow_null=True, required=False)
    region = serializers.ChoiceField(choices=REGION_CHOICES, allow_blank=True, required=False)
    interests = serializers.SlugRelatedField(
        slug_field="slug", queryset=Category.objects.all(), many=True, required=False
    )
    hide_fans_list = StrictBooleanField(required=False)
    hide_following_list = StrictBooleanField(required=False)
    email = serializers.EmailField(allow_blank=True, required=False)

    def get_fields(self) -> dict[str, serializers.Field]:
        """Birth-year bounds move with the calendar, so the field (and the schema's minimum and
        maximum) is built per instance rather than once at import."""
        fields = super().get_fields()
        low, high = _birth_year_bounds()
        fields["birth_year"] = serializers.IntegerField(
            allow_null=True, required=False, min_value=low, max_value=high
        )
        return fields

    def to_internal_value(self, data: Any) -> dict:
        # DRF takes any iterable for a many-field, so {} would read as no interests.
        if isinstance(data, dict) and not isinstance(data.get("interests", []), list):
            raise serializers.ValidationError({"interests": ["Expected a list of slugs."]})
        return super().to_internal_value(data)

    def validate_interests(self, value: list[Category]) -> list[Category]:
        if len(value) > 10:
            raise serializers.ValidationError("Choose at most 10 interests.")
        return value


class AvatarUploadSerializer(serializers.Serializer):
    avatar = serializers.FileField(help_text="JPEG, PNG or WebP, at most 5 MB and 4096x4096.")


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Register",
            value={
                "username": "lina",
                "password": "a-long-passphrase-2026",
                "display_name": "Li Na",
            },
            request_only=True,
        )
    ]
)
class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField(
        min_length=3, max_length=30, validators=[UnicodeUsernameValidator()]
    )
    password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    display_name = serializers.CharField(max_length=40, required=False, allow_blank=True)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RegisterResponseSerializer(serializers.Serializer):
    user = MeSerializer()
    tokens = TokenPairSerializer()


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096)


class PasswordChangeSerializer(serializers.Serializer):
    current_password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)


class PhoneCodeRequestSerializer(serializers.Serializer):
    phone = serializers.RegexField(PHONE_REGEX, max_length=20)


class PhoneCodeSentSerializer(serializers.Serializer):
    expires_in = serializers.IntegerField(help_text="Seconds the code stays valid.")


class PhoneVerifySerializer(serializers.Serializer):
    code = serializers.RegexField(r"^[0-9]{6}$", help_text="The 6-digit code from the text.")


class FollowInputSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=FollowSource.choices, default=FollowSource.PROFILE)
    source_id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1
    )


class FollowStateSerializer(serializers.Serializer):
    following = serializers.BooleanField()
    fans = serializers.IntegerField(help_text="The followed user's fan count after the change.")


class BlockStateSerializer(serializers.Serializer):
    blocked = serializers.BooleanField()


class FollowEdgeSerializer(serializers.Serializer):
    """One row of a fans or following list: the other user and when the follow began."""

    user = serializers.SerializerMethodField()
    followed_at = serializers.DateTimeField(source="created_at")

    @extend_schema_field(UserCardSerializer)
    def get_user(self, follow: object) -> dict:
        profile = getattr(follow, self.context["side"]).profile
        return UserCardSerializer(profile, context=self.context).data


class BlockEdgeSerializer(serializers.Serializer):
    user = UserCardSerializer(source="blocked.profile")
    blocked_at = serializers.DateTimeField(source="created_at")
