"""Walks every /api/v1/ route: no user can read or change another user's private objects.

Each app's tests hold ``route_checks.py`` (or ``route_checks_<part>.py``) with
``ROUTE_CHECKS``: route name -> a function ``check(attacker_client, victim)`` that creates the
victim's private objects, attacks them through the route as another user, and asserts nothing
leaked or changed. A route added without an entry fails
``test_every_api_route_has_an_object_permission_check``.
"""

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

import tests
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _collect_checks() -> dict[str, Callable]:
    """Every ``ROUTE_CHECKS`` in ``tests/<app>/route_checks*.py``."""
    checks: dict[str, Callable] = {}
    for package in pkgutil.iter_modules(tests.__path__):
        if not package.ispkg:
            continue
        package_path = [str(Path(tests.__path__[0]) / package.name)]
        for module_info in pkgutil.iter_modules(package_path):
            if not module_info.name.startswith("route_checks"):
                continue
            module = importlib.import_module(f"tests.{package.name}.{module_info.name}")
            duplicated = set(checks) & set(module.ROUTE_CHECKS)
            assert not duplicated, f"route checks defined twice: {duplicated}"
            checks.update(module.ROUTE_CHECKS)
    return checks


ROUTE_CHECKS = _collect_checks()


def _api_route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
                names.add(pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


@pytest.fixture
def victim():
    return UserFactory()


@pytest.fixture
def attacker_client(make_client):
    attacker = UserFactory()
    client = make_client(attacker)
    client.attacker = attacker
    return client


def test_every_api_route_has_an_object_permission_check() -> None:
    missing = _api_route_names() - set(ROUTE_CHECKS)
    assert not missing, f"routes without an object-permission check: {sorted(missing)}"


@pytest.mark.parametrize("route_name", sorted(ROUTE_CHECKS))
def test_route_does_not_expose_another_users_private_objects(
    route_name: str,
    attacker_client,
    victim,
) -> None:
    ROUTE_CHECKS[route_name](attacker_client, victim)
