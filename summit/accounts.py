"""django-allauth, adapted to Bayline.

- Its rate limits count by our client address.
- Its e-mails read like ours: the summit's name and look (templates under
  ``registration/templates/account/email/``), the subject prefix and sender in the reader's
  language, Message-IDs at the site's host.
- Its forms carry our labels and its errors our wording (``ACCOUNT_FORMS`` below and
  ``AccountAdapter.error_messages``): allauth's own Chinese is uneven ("验证您的Email地址").
- After logging in, each role lands where its work is: door staff at the door.
"""

import ipaddress

from allauth.account import forms as allauth_forms
from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from summit.infrastructure import mail
from summit.infrastructure.ratelimit import client_address
from summit.roles import ORGANISER_PERMISSIONS


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": _("This account is switched off. Write to the organisers."),
        "cannot_remove_primary_email": _("You cannot remove your main e-mail address."),
        "duplicate_email": _("This e-mail address is already on your account."),
        "email_password_mismatch": _("The e-mail address or the password is not right."),
        "email_taken": _(
            "An account with this e-mail address exists already. Log in, or choose a new "
            "password if you have forgotten it."
        ),
        "enter_current_password": _("Type your current password."),
        "incorrect_code": _("This code is not right."),
        "incorrect_password": _("This password is not right."),
        "invalid_or_expired_key": _("This link is not valid any more."),
        "invalid_login": _("The e-mail address or the password is not right."),
        "invalid_password_reset": _(
            "This link to choose a new password is not valid any more. Ask for a new one."
        ),
        "max_email_addresses": _("You cannot add more than %d e-mail addresses."),
        "too_many_login_attempts": _("Too many failed attempts. Wait a few minutes."),
        "unknown_email": _("No account uses this e-mail address."),
        "unverified_primary_email": _("Your main e-mail address must be confirmed first."),
        "same_as_current": _("The new value must differ from the current one."),
        "rate_limited": _("Too many attempts in a short while. Wait a few minutes."),
    }

    def get_client_ip(self, request) -> str:
        # The same address as our own limits (TRUSTED_PROXY_COUNT); allauth's own reading
        # of X-Forwarded-For fails with a 500 when the header has fewer entries than proxies.
        address = client_address(request)
        try:
            return str(ipaddress.ip_address(address))
        except ValueError:
            return super().get_client_ip(request)

    def get_login_redirect_url(self, request) -> str:
        # A ``next`` address, when there is one, still wins (allauth asks us only without).
        user = request.user
        if any(user.has_perm(permission) for permission in ORGANISER_PERMISSIONS):
            return reverse("organiser-dashboard")
        if user.has_perm("summit.scan_badges"):
            return reverse("checkin:door")
        return reverse("registration:mine")

    def format_email_subject(self, subject: str) -> str:
        return f"{mail.subject_prefix()}{subject}"

    def get_from_email(self) -> str:
        return mail.sender()

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        from summit.selectors import current_summit

        context = {"email": email, "summit": current_summit(), **context}
        message = self.render_mail(
            template_prefix, email, context, headers={"Message-ID": mail.new_message_id()}
        )
        message.send()


# --- Forms: allauth's, with our labels (ACCOUNT_FORMS in settings) -------------------------

LABELS = {
    "login": _("E-mail address"),
    "email": _("E-mail address"),
    "password": _("Password"),
    "oldpassword": _("Current password"),
    "password1": _("New password"),
    "password2": _("New password again"),
    "remember": _("Keep me logged in on this device"),
    "code": pgettext_lazy("one-time code", "Code"),
}
PASSWORD_HELP = _(
    "At least 8 characters; not only digits, not a common password, and not like your "
    "e-mail address."
)


class BaylineLabels:
    """Our labels; no placeholders (each field has a visible label, and a placeholder
    repeating it is one more text in another voice)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in LABELS:
                field.label = LABELS[name]
            field.widget.attrs.pop("placeholder", None)
            if name == "password1":
                field.help_text = PASSWORD_HELP
            elif name == "password":
                field.help_text = ""


class LoginForm(BaylineLabels, allauth_forms.LoginForm):
    pass


class SignupForm(BaylineLabels, allauth_forms.SignupForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = pgettext_lazy("sign-up", "Password")
        self.fields["password2"].label = pgettext_lazy("sign-up", "Password again")


class AddEmailForm(BaylineLabels, allauth_forms.AddEmailForm):
    pass


class ChangePasswordForm(BaylineLabels, allauth_forms.ChangePasswordForm):
    pass


class SetPasswordForm(BaylineLabels, allauth_forms.SetPasswordForm):
    pass


class ResetPasswordForm(BaylineLabels, allauth_forms.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(BaylineLabels, allauth_forms.ResetPasswordKeyForm):
    pass


class ReauthenticateForm(BaylineLabels, allauth_forms.ReauthenticateForm):
    pass


class ConfirmReauthenticationCodeForm(BaylineLabels, allauth_forms.ConfirmReauthenticationCodeForm):
    pass


class RequestLoginCodeForm(BaylineLabels, allauth_forms.RequestLoginCodeForm):
    pass


class ConfirmLoginCodeForm(BaylineLabels, allauth_forms.ConfirmLoginCodeForm):
    pass
