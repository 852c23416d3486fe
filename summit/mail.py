"""What every e-mail we send shares: the sender's name and the subject's prefix in the
reader's language, and Message-IDs at the site's own host (not the machine's name, which is
"localhost" in a container and means nothing to mail systems)."""

from email.utils import make_msgid, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import pgettext


def site_host() -> str:
    """The host of ``SITE_URL``, the address guests know the site by."""
    return urlsplit(settings.SITE_URL).hostname or "bayline"


def new_message_id() -> str:
    return make_msgid(domain=site_host())


def subject_prefix() -> str:
    """The summit's short name before every subject, in the active language."""
    return pgettext("e-mail subject prefix", "[Digital GBA Summit] ")


def sender() -> str:
    """``DEFAULT_FROM_EMAIL``'s address with the summit's short name in the active language."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    name = pgettext("e-mail sender name", "Digital GBA Summit")
    # Unencoded: Django encodes the name for the header when the message is built.
    return f"{name} <{address}>"
