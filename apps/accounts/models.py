"""Users, profiles, the category taxonomy, the follow graph and blocks."""

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from apps.accounts.regions import REGION_CHOICES


class PlatformUserManager(UserManager):
    """Every user gets a profile row at creation, so counters always have a row to update."""

    def _create_user(self, username: str, email: str | None, password: str | None, **extra: Any):
        user = super()._create_user(username, email, password, **extra)
        Profile.objects.get_or_create(user=user, defaults={"display_name": username})
        return user


class User(AbstractUser):
    phone = models.CharField(max_length=20, null=True, blank=True, unique=True)

    objects = PlatformUserManager()

    class Meta:
        db_table = "accounts_user"

    def __str__(self) -> str:
        return self.username


class Category(models.Model):
    """The content taxonomy: note categories, user interests, brand and product verticals."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=60)
    name_zh = models.CharField(max_length=30)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "slug")
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    UNDISCLOSED = "undisclosed", "Undisclosed"


class Profile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True)
    display_name = models.CharField(max_length=40, db_index=True)
    avatar = models.ImageField(upload_to="avatars/%Y/%m/", blank=True)
    bio = models.CharField(max_length=200, blank=True)
    gender = models.CharField(max_length=12, choices=Gender.choices, default=Gender.UNDISCLOSED)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    region = models.CharField(max_length=20, choices=REGION_CHOICES, blank=True)
    interests = models.ManyToManyField(Category, blank=True, related_name="interested_profiles")
    # Texts that screening held for review: shown only to their author until an operator
    # approves them (then they replace the live texts) or rejects them (then they are dropped).
    pending_display_name = models.CharField(max_length=40, blank=True)
    pending_bio = models.CharField(max_length=200, blank=True)
    hide_fans_list = models.BooleanField(default=False)
    hide_following_list = models.BooleanField(default=False)
    # Denormalised counters, changed only by services with F() under row locks.
    fans_count = models.PositiveBigIntegerField(default=0)
    following_count = models.PositiveBigIntegerField(default=0)
    notes_count = models.PositiveBigIntegerField(default=0)
    likes_received_count = models.PositiveBigIntegerField(default=0)
    collects_received_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True) | Q(birth_year__gte=1900),
                name="profile_birth_year_sane",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


class FollowSource(models.TextChoices):
    PROFILE = "profile", "Profile"
    NOTE = "note", "Note"
    LIVE = "live", "Live room"
    SEARCH = "search", "Search"
    PROMOTION = "promotion", "Promotion"
    OTHER = "other", "Other"


class Follow(models.Model):
    follower = models.ForeignKey(User, on_delete=models.CASCADE, related_name="following_set")
    followee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="fan_set")
    source = models.CharField(max_length=12, choices=FollowSource.choices, default="profile")
    # The note, live room or promotion that brought the fan, when there was one.
    source_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_unique_pair"),
            models.CheckConstraint(condition=~Q(follower=F("followee")), name="follow_not_self"),
        ]
        indexes = [
            models.Index(fields=["followee", "-created_at", "-id"], name="follow_fans_idx"),
            models.Index(fields=["follower", "-created_at", "-id"], name="follow_following_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} -> {self.followee_id}"


class Block(models.Model):
    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique_pair"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]
        indexes = [
            models.Index(fields=["blocker", "-created_at", "-id"], name="block_list_idx"),
            models.Index(fields=["blocked"], name="block_blocked_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class TokenFamilyRevocationReason(models.TextChoices):
    REUSE = "reuse", "A rotated refresh token was presented again"


class RevokedTokenFamily(models.Model):
    """Every refresh token descended from one sign-in (the ``fam`` claim), refused for good.

    Written when a refresh token that was already rotated is presented again: either the client
    or a thief holds a copy, and the server cannot tell which, so the whole chain ends.
    """

    family = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True)
    reason = models.CharField(max_length=20, choices=TokenFamilyRevocationReason.choices)
    revoked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "revoked token families"

    def __str__(self) -> str:
        return f"{self.family} ({self.reason})"


class PhoneVerification(models.Model):
    """A code sent to a phone number the user wants to bind; only its keyed hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="phone_verifications")
    phone = models.CharField(max_length=20)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(consumed_at__isnull=True),
                name="phone_verification_one_open_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.phone}"


class SandboxSmsMessage(models.Model):
    """What the sandbox SMS provider 'sent': development and tests read codes here."""

    phone = models.CharField(max_length=20, db_index=True)
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"to {self.phone} at {self.created_at:%Y-%m-%d %H:%M:%S}"


# Organisations live in their own module; importing them here registers them with Django.
from apps.accounts.organisation_models import (  # noqa: E402, F401
    Membership,
    Organisation,
    OrganisationVerificationEvent,
)
