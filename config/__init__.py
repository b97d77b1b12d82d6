"""Project wiring (the card's ``platform/``: that name would shadow Python's own module)."""

from config.celery_app import app as celery_app

__all__ = ["celery_app"]
