from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    name = "registration"
    label = "registration"
    verbose_name = _("Registration")

    def ready(self) -> None:
        from allauth.account.signals import user_signed_up
        from django.contrib.auth.signals import user_logged_in

        from registration import emails, receivers

        # Connects to sessions.signals.session_changed and this app's email_attachments.
        from registration.calendar import receivers as calendar_receivers  # noqa: F401
        from registration.calendar.services import session_change_message
        from summit.infrastructure.signals import recover_work

        # In the place of Django's own receiver: django.contrib.auth's ready (after this one,
        # INSTALLED_APPS order) connects update_last_login under this dispatch_uid, which a
        # signal keeps once. Connected here first, ours is the one kept.
        user_logged_in.connect(receivers.update_last_login, dispatch_uid="update_last_login")
        user_signed_up.connect(receivers.put_new_user_in_guests, dispatch_uid="registration-guests")
        recover_work.connect(receivers.recover_abandoned_emails, dispatch_uid="registration-emails")
        # After the one above (which puts e-mails of dead workers back in the queue).
        recover_work.connect(
            receivers.recover_stranded_emails, dispatch_uid="registration-stranded-emails"
        )
        # The calendar writes these e-mails; emails builds them without importing it.
        emails.register_message("session_changed", session_change_message)
