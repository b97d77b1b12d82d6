"""core.sql.prepared_cursor: prepared once per connection, inside the caller's transaction."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.core.sql import prepared_cursor
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SQL = "UPDATE accounts_user SET first_name = %s WHERE id = %s RETURNING first_name"


def _prepared(statement: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement = %s", [statement]
        )
        return cursor.fetchone()[0]


def test_a_statement_is_prepared_once_logged_and_part_of_the_callers_transaction() -> None:
    user = UserFactory(first_name="before")
    with CaptureQueriesContext(connection) as queries:
        for name in ("first", "second", "third"):
            with prepared_cursor() as cursor:
                cursor.execute(SQL, [name, user.pk])
                assert cursor.fetchone() == (name,)
    assert len(queries) == 3  # logged like any statement (query counts stay honest)
    assert _prepared(SQL.replace("%s", "$1", 1).replace("%s", "$2", 1)) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        with prepared_cursor() as cursor:
            cursor.execute(SQL, ["rolled back", user.pk])
        raise RuntimeError
    user.refresh_from_db()
    assert user.first_name == "third"
    assert User.objects.filter(first_name="rolled back").count() == 0
