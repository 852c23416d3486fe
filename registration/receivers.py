"""Reactions of the registration app to news from elsewhere (allauth, the dashboard)."""

from django.contrib.auth import models as auth_models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from registration import changes, choosable, emails, selectors, tasks
from sessions.models import Forum, Session
from summit.dashboard import Panel, dashboard_panels
from summit.infrastructure.signals import database_restored
from summit.roles import GUEST, add_to_role
from summit.signals import capacity_raised


def put_new_user_in_guests(sender, request, user, **kwargs) -> None:
    """Everyone who signs up is a guest (allauth's user_signed_up)."""
    add_to_role(user, GUEST)


def update_last_login(sender, user, **kwargs) -> None:
    """Django's ``update_last_login`` (user_logged_in), except for the login of an account this
    very request made with ``last_login`` already written (an accepted invitation, see
    ``invitations._new_account``): its UPDATE would write the same moment again."""
    if getattr(user, "last_login_written", False):
        return
    auth_models.update_last_login(sender, user, **kwargs)


@receiver(dashboard_panels)
def registration_panels(sender, summit, request, **kwargs) -> list[Panel]:
    figures = selectors.figures(summit)
    return [
        Panel(
            _("Registrations by status"),
            "registration/panels/by_status.html",
            {"summit": summit, **figures},
            order=10,
        ),
        Panel(
            _("Forums: seats and waiting lists"),
            "registration/panels/by_forum.html",
            figures,
            order=11,
        ),
        Panel(
            _("Guests by region"),
            "registration/panels/by_region.html",
            figures,
            order=12,
        ),
    ]


@receiver(capacity_raised)
def promote_into_raised_capacity(sender, summit_id, forum_id, session_id, **kwargs) -> None:
    changes.fill_raised_capacity(summit_id, forum_id=forum_id, session_id=session_id)


def recover_abandoned_emails(sender, abandoned, **kwargs) -> int:
    return emails.recover_abandoned_emails(abandoned)


def recover_stranded_emails(sender, **kwargs) -> int:
    return tasks.requeue_stranded_emails()


@receiver(post_save, sender=Forum, dispatch_uid="registration.choosable.forum_saved")
@receiver(post_delete, sender=Forum, dispatch_uid="registration.choosable.forum_deleted")
@receiver(post_save, sender=Session, dispatch_uid="registration.choosable.session_saved")
@receiver(post_delete, sender=Session, dispatch_uid="registration.choosable.session_deleted")
@receiver(database_restored, dispatch_uid="registration.choosable.database_restored")
def forget_choosable_ids(sender, **kwargs) -> None:
    """Whether a forum or session may be chosen can change with any save (its kind, forum,
    publication, status, enrolment) or deletion, and with a restore of the database."""
    choosable.forget_choosable()
