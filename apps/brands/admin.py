"""Brands' admin screens, one import line per part of the app."""

from apps.brands import profile_admin  # noqa: F401
