"""Putting accounts in their role's group."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from summit.roles import DOOR_STAFF, GUEST, add_to_role
from tests import factories

pytestmark = pytest.mark.django_db


def test_add_to_role_puts_the_account_in_the_group_in_one_statement(roles):
    user = factories.UserFactory()
    with CaptureQueriesContext(connection) as queries:
        add_to_role(user, GUEST)
    assert len(queries) == 1
    assert list(user.groups.values_list("name", flat=True)) == [GUEST]


def test_add_to_role_twice_or_to_a_second_role_keeps_one_membership_each(roles):
    user = factories.UserFactory()
    add_to_role(user, GUEST)
    add_to_role(user, GUEST)
    add_to_role(user, DOOR_STAFF)
    assert sorted(user.groups.values_list("name", flat=True)) == sorted([DOOR_STAFF, GUEST])
    assert user.has_perm("summit.scan_badges") is True
