"""Operators edit keyword rules in the admin; edits are validated, audited and go live."""

import pytest
from django.test import Client

from apps.moderation import matcher
from apps.moderation.models import AuditAction, AuditRecord, KeywordRule
from apps.moderation.screening import Action, Surface, screen_text
from tests.moderation.factories import make_operator

pytestmark = pytest.mark.django_db

RULES = "/admin/moderation/keywordrule/"


@pytest.fixture
def operator():
    return make_operator()


@pytest.fixture
def admin_client(operator) -> Client:
    client = Client()
    client.force_login(operator)
    return client


def _form(**fields) -> dict:
    data = {
        "term": "赌 博",
        "category": "gambling",
        "action": "block",
        "on_note": "on",
        "on_comment": "on",
        "is_active": "on",
        "note": "",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def test_adding_a_rule_in_the_admin_takes_effect_and_is_audited(
    admin_client, operator, django_capture_on_commit_callbacks
) -> None:
    assert screen_text(surface=Surface.NOTE, text="来赌博").action == Action.ALLOW
    version = matcher.rules_version()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"{RULES}add/", _form())
    assert response.status_code == 302, response.content.decode()[:3000]
    rule = KeywordRule.objects.get()
    assert (rule.term, rule.normalized_term, rule.surfaces) == (
        "赌 博",
        "赌博",
        ["note", "comment"],
    )
    assert (rule.created_by, rule.updated_by) == (operator, operator)
    assert matcher.rules_version() != version
    assert screen_text(surface=Surface.NOTE, text="来赌博").action == Action.BLOCK
    assert screen_text(surface=Surface.PROFILE, text="来赌博").action == Action.ALLOW
    assert AuditRecord.objects.get(action=AuditAction.RULE_CREATED).actor == operator


def test_editing_deactivating_and_deleting_in_the_admin(
    admin_client, make_rule, django_capture_on_commit_callbacks
) -> None:
    rule = make_rule("赌博", category="gambling")
    with django_capture_on_commit_callbacks(execute=True):
        edited = admin_client.post(f"{RULES}{rule.pk}/change/", _form(term="赌博", action="mask"))
    assert edited.status_code == 302
    assert screen_text(surface=Surface.NOTE, text="来赌博").text == "来**"
    record = AuditRecord.objects.get(action=AuditAction.RULE_UPDATED)
    assert record.details["action"] == ["block", "mask"]

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(RULES, {"action": "deactivate_rules", "_selected_action": [str(rule.pk)]})
    assert screen_text(surface=Surface.NOTE, text="来赌博").action == Action.ALLOW

    with django_capture_on_commit_callbacks(execute=True):
        deleted = admin_client.post(f"{RULES}{rule.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not KeywordRule.objects.exists()
    assert AuditRecord.objects.get(action=AuditAction.RULE_DELETED).details["term"] == "赌博"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"term": "赌博", "whole_word": "on"}, "Latin-script terms only"),
        ({"term": "！！！"}, "no letters or digits"),
        ({"on_note": None, "on_comment": None}, "at least one surface"),
    ],
)
def test_invalid_rules_show_errors_in_the_form(admin_client, fields, message) -> None:
    response = admin_client.post(f"{RULES}add/", _form(**fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not KeywordRule.objects.exists()


def test_duplicate_rule_shows_an_error(admin_client, make_rule) -> None:
    make_rule("赌博", category="gambling", action="block")
    response = admin_client.post(f"{RULES}add/", _form(term="赌　博"))
    assert response.status_code == 200
    assert "already exists" in response.content.decode() or "exists" in response.content.decode()
    assert KeywordRule.objects.count() == 1


def test_rule_list_filters_by_surface_and_category(admin_client, make_rule) -> None:
    make_rule("赌博", category="gambling", surfaces=["note"])
    make_rule("傻逼", category="abuse", surfaces=["comment", "live_chat"])
    on_chat = admin_client.get(RULES, {"surface": "live_chat"}).context["cl"].result_list
    assert [rule.term for rule in on_chat] == ["傻逼"]
    gambling = admin_client.get(RULES, {"category__exact": "gambling"}).context["cl"].result_list
    assert [rule.term for rule in gambling] == ["赌博"]
