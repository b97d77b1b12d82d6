# --- comment management ---------------------------------------------------------------------
"""A creator's own comment filters: blocked words (each with its action) and trusted commenters.

Applied by notes' ``comment_create`` to comments on the creator's notes, through the comment
filter creators registers with notes (``apps.creators.comments_filters.creator_comment_filter``).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class BlockedWordAction(models.TextChoices):
    """What a comment containing the word gets; the strongest hit wins (block > hold > hide)."""

    HIDE = "hide", "Hide the comment"
    HOLD = "hold", "Hold the comment for my approval"
    BLOCK = "block", "Hide the comment and block its author"


class BlockedWord(models.Model):
    """A word a creator does not want in comments on their notes."""

    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocked_words"
    )
    word = models.CharField(max_length=30, help_text="As the creator wrote it.")
    # The word after moderation's normalisation (apps/moderation/normalize.py): what is matched.
    normalized = models.CharField(max_length=120, editable=False)
    action = models.CharField(
        max_length=8, choices=BlockedWordAction.choices, default=BlockedWordAction.HIDE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["creator", "normalized"], name="blocked_word_unique_per_creator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.word} ({self.action})"


class TrustedCommenter(models.Model):
    """A user whose comments on the creator's notes skip the creator's blocked words."""

    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trusted_commenters"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trusted_by_creators"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["creator", "user"], name="trusted_commenter_unique"),
            models.CheckConstraint(
                condition=~Q(creator=F("user")), name="trusted_commenter_not_self"
            ),
        ]
        indexes = [
            models.Index(
                fields=["creator", "-created_at", "-id"], name="trusted_commenter_list_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.creator_id} trusts {self.user_id}"


# --- end of comment management --------------------------------------------------------------
