"""Password rules of our own, configured in ``AUTH_PASSWORD_VALIDATORS`` beside Django's."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError

WHITESPACE_ONLY_MESSAGE = "The password cannot consist of whitespace only."


class NotOnlyWhitespaceValidator:
    """Refuse passwords of spaces, tabs and line breaks: long enough for the length rule, yet
    the first thing a guesser tries, and easy to set by accident from a padded form field."""

    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        if not password.strip():
            raise ValidationError(WHITESPACE_ONLY_MESSAGE, code="password_whitespace_only")

    def get_help_text(self) -> str:
        return "Your password must contain at least one character that is not whitespace."
