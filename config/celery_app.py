"""Celery application; tasks run eagerly in embedded mode (no broker configured)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("creator_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
