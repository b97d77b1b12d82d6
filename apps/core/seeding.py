"""How apps extend ``manage.py seed_demo``.

An app adds demo data by providing ``apps/<app>/demo.py`` with
``seed(ctx: DemoContext) -> None`` and, optionally, ``add_arguments(parser) -> None`` for its
own options (``--events N``...). Apps are seeded in ``INSTALLED_APPS`` order, after accounts.
A ``seed`` must be idempotent: running the command twice leaves the same data.
"""

import importlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from django.apps import apps
from django.core.management.base import OutputWrapper


@dataclass
class DemoContext:
    rng: random.Random
    options: dict[str, Any]
    user_ids: list[int]  # every demo user, creators first
    creator_ids: list[int]  # the demo creators (a prefix of user_ids)
    demo_user_id: int  # the "demo" account used by the README and CI
    progress: bool  # show progress bars
    stdout: OutputWrapper


def demo_modules() -> Iterator[ModuleType]:
    """The ``demo`` modules of installed apps, in INSTALLED_APPS order (accounts excluded)."""
    for config in apps.get_app_configs():
        if config.label == "accounts":
            continue
        try:
            yield importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
