"""Rule edits reach every process within seconds, without a restart."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection

from apps.moderation import matcher, services
from apps.moderation.models import KeywordRule
from apps.moderation.screening import Action, Surface, screen_text

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_a_rule_save_bumps_the_shared_version_on_commit(django_capture_on_commit_callbacks):
    before = matcher.rules_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rule = services.keyword_rule_create(term="赌博", category="gambling", action="block")
    assert matcher.rules_version() == before  # nothing announced before the commit
    for callback in callbacks:
        callback()
    after_create = matcher.rules_version()
    assert after_create != before
    with django_capture_on_commit_callbacks(execute=True):
        services.keyword_rule_delete(rule_id=rule.pk)
    assert matcher.rules_version() != after_create


@pytest.mark.django_db
def test_version_is_checked_at_most_every_interval(settings, make_rule) -> None:
    settings.MODERATION_RULES_CHECK_SECONDS = 3600
    assert screen_text(surface=Surface.NOTE, text="赌博").action == Action.ALLOW  # built now
    # Another process adds a rule: its row and a new version, and nothing else tells this one.
    rule = KeywordRule.objects.create(
        term="赌博", normalized_term="赌博", category="gambling", action="block"
    )
    cache.incr(matcher.VERSION_KEY)
    assert screen_text(surface=Surface.NOTE, text="赌博").action == Action.ALLOW  # within interval
    settings.MODERATION_RULES_CHECK_SECONDS = 0
    assert screen_text(surface=Surface.NOTE, text="赌博").action == Action.BLOCK
    assert matcher.current_rules().version == matcher.rules_version()
    assert rule.pk in {entry.rule_id for entry in matcher.load_entries()}


@pytest.mark.django_db
def test_a_flushed_cache_makes_every_process_rebuild(make_rule) -> None:
    make_rule("赌博", category="gambling")
    built = matcher.current_rules()
    cache.delete(matcher.VERSION_KEY)
    assert matcher.current_rules() is not built


def _child_env() -> dict[str, str]:
    db = connection.settings_dict
    credentials = f"{db['USER']}:{db['PASSWORD']}" if db.get("PASSWORD") else db["USER"]
    url = f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": django_settings.REDIS_URL,
        "CACHE_KEY_PREFIX": django_settings.CACHE_KEY_PREFIX,
        "MODERATION_RULES_CHECK_SECONDS": "0.5",
        "PYTHONPATH": str(ROOT),
    }


def _ask(child: subprocess.Popen, expected: str, text: str) -> tuple[str, float]:
    child.stdin.write(f"{expected} {text}\n")
    child.stdin.flush()
    action, waited = child.stdout.readline().split()
    return action, float(waited)


@pytest.mark.postgres
@pytest.mark.skipif(not django_settings.REDIS_URL, reason="needs the shared Redis cache")
@pytest.mark.django_db(transaction=True)
def test_rule_edits_take_effect_in_another_process_without_restart() -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.moderation.screening_worker"],
        cwd=ROOT,
        env=_child_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().split() == ["ready", "allow"]
        assert _ask(child, "allow", "周末一起赌博")[0] == "allow"

        rule = services.keyword_rule_create(term="赌博", category="gambling", action="block")
        action, waited = _ask(child, "block", "周末一起赌 博")
        assert action == "block"
        assert waited < 5
        print(f"rule created: the other process blocked after {waited:.2f} s")

        services.keyword_rule_update(rule_id=rule.pk, action="review")
        assert _ask(child, "review", "周末一起赌博")[0] == "review"

        services.keyword_rule_delete(rule_id=rule.pk)
        action, waited = _ask(child, "allow", "周末一起赌博")
        assert action == "allow"
        assert waited < 5
        print(f"rule deleted: the other process allowed after {waited:.2f} s")
    finally:
        child.stdin.close()
        child.wait(timeout=20)


@pytest.mark.django_db(transaction=True)
def test_rules_of_a_rolled_back_transaction_never_outlive_it() -> None:
    from django.db import transaction

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        services.keyword_rule_create(term="赌博", category="gambling", action="block")
        # The transaction screens with its own change at once...
        assert screen_text(surface=Surface.NOTE, text="赌博").action == Action.BLOCK
        raise Abort
    # ...and once it has rolled back, the rule is gone here too.
    assert screen_text(surface=Surface.NOTE, text="赌博").action == Action.ALLOW
