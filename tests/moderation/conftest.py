"""Each test starts with no compiled rules and checks the rule version on every screening."""

import pytest

from apps.moderation import matcher, services


@pytest.fixture(autouse=True)
def _fresh_automaton(settings):
    # Rules created by a test are rolled back with it; the next test must not see them.
    settings.MODERATION_RULES_CHECK_SECONDS = 0
    matcher.reset()
    yield
    matcher.reset()


@pytest.fixture
def make_rule(django_capture_on_commit_callbacks):
    """Create a rule through the service and run its on-commit version bump, as a commit would."""

    def _make(term: str, **fields: object):
        fields = {"category": "abuse", "action": "block", **fields}
        with django_capture_on_commit_callbacks(execute=True):
            return services.keyword_rule_create(term=term, **fields)

    return _make
