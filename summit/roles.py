"""Roles are Django groups holding the summit's permissions.

Views check permissions (``summit.manage_agenda`` …), never group names, so a superuser or a
custom group works too. The groups are kept in step with this table after every migrate.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Subquery

ORGANISER = "Organisers"
DOOR_STAFF = "Door staff"
GUEST = "Guests"

# Any of these opens the organiser pages (the dashboard shows what each one allows).
ORGANISER_PERMISSIONS = ("summit.view_attendance", "summit.manage_agenda", "summit.manage_guests")

ROLE_PERMISSIONS: dict[str, list[str]] = {
    ORGANISER: [
        "manage_agenda",
        "manage_guests",
        "print_badges",
        "scan_badges",
        "view_attendance",
        "manage_devices",
    ],
    DOOR_STAFF: ["scan_badges", "print_badges"],
    # Guests hold no staff permission: they see only their own registration, which the
    # registration views check by ownership.
    GUEST: [],
}


@transaction.atomic
def sync_roles() -> None:
    """Create the role groups and give each exactly the permissions of ROLE_PERMISSIONS."""
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="summit", codename__in=codenames
        )
        group.permissions.set(permissions)


def sync_roles_after_migrate(sender, app_config, using="default", **kwargs) -> None:
    # Receivers run in INSTALLED_APPS order and summit comes before django.contrib.auth,
    # so make sure the summit's permissions exist before handing them out.
    from django.contrib.auth.management import create_permissions

    create_permissions(app_config, verbosity=0, using=using)
    sync_roles()


def add_to_role(user, role: str) -> None:
    """Put ``user`` in the role's group (already in it: nothing changes).

    One statement, the group's id found by a subquery: every account made (sign-up, an
    accepted invitation) is put in a group, and its id is not worth a query of its own. The
    groups exist after every migrate (``sync_roles_after_migrate``); a missing one fails the
    insert.
    """
    membership = user.groups.through
    group_id = Subquery(Group.objects.filter(name=role).values("pk")[:1])
    membership.objects.bulk_create(
        [membership(user_id=user.pk, group_id=group_id)], ignore_conflicts=True
    )
