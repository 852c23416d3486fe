"""No English on a page or in an e-mail read in 简体中文 or 繁體中文.

Every HTML page of the permission matrix (tests/summit/test_permission_matrix.py), the
account pages (django-allauth) and error pages, and every e-mail we and allauth send, is
rendered in both scripts; its visible text (and the attributes people read: labels, hints,
button values) must hold no Latin word, except:

- the data on it (names, e-mail addresses, slugs, codes of the world's objects; never the
  English version of a trilingual text, which would mean a translation fell back);
- text marked as being in another language (``lang="en"``: the language switcher);
- addresses, and the few names every reader knows in Latin letters (ALLOWED).
"""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core import mail
from django.db import models

from tests.summit.test_permission_matrix import ROUTES
from tests.world import ROLES, build_world, finish

# Words a Chinese text may hold in Latin letters: file formats, brands and standards.
ALLOWED = {
    "PDF", "CSV", "XLSX", "QR", "UTC", "VIP", "USB", "JSON", "API", "ics", "webcal",
    "Google", "Outlook", "Cookie", "Bearer", "Authorization", "token", "A4", "A6",
    "Ed25519", "WeChat", "SHA", "UTF", "BOM",
    "English",  # the language's own name, in a list of languages
}  # fmt: skip
# Examples of names in Latin letters, in the help of name fields.
EXAMPLE_NAMES = {"Chan", "Tai", "Man", "João", "Conceição"}
SKIPPED_ELEMENTS = {"script", "style", "code", "pre"}
READ_ATTRIBUTES = {"aria-label", "placeholder", "title", "alt", "data-label", "data-confirm"}
LATIN_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’-]*[A-Za-zÀ-ÿ]")
ADDRESS = re.compile(r"(https?://|webcal://|/)\S*|\S+@\S+")


class VisibleText(HTMLParser):
    """The text a reader meets, without what is marked as another language."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.page_language = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = bool(self.stack and self.stack[-1][1]) or tag in SKIPPED_ELEMENTS
        lang = attrs.get("lang")
        if tag == "html":
            self.page_language = lang or ""
        elif lang and not lang.startswith("zh"):
            skipped = True
        if not skipped:
            self.parts += [attrs[name] for name in READ_ATTRIBUTES if attrs.get(name)]
            if tag == "input" and attrs.get("type") in {"submit", "button"}:
                self.parts.append(attrs.get("value") or "")
        if tag not in {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}:
            self.stack.append((tag, skipped))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][1]):
            self.parts.append(data)


def data_words() -> set[str]:
    """Every word of the stored data, except the English versions of trilingual texts."""
    words = set()
    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, (models.CharField, models.TextField, models.EmailField))
            and not f.name.endswith("_en")
        ]
        for row in model.objects.values_list(*fields) if fields else []:
            for value in row:
                words.update(LATIN_WORD.findall(str(value or "")))
    return words


def english_in(text: str, allowed: set[str]) -> list[str]:
    text = ADDRESS.sub(" ", text)
    return sorted({w for w in LATIN_WORD.findall(text) if w not in allowed})


def english_on_page(html: str, allowed: set[str]) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    found = english_in(" ".join(parser.parts), allowed)
    if html and not parser.page_language.startswith("zh"):
        found.append(f'<html lang="{parser.page_language}">')
    return found


@pytest.fixture
def world(week_before_the_summit, roles, media_root, summit):
    return build_world()


def html_pages(world):
    """(label, role, address) of every page a role gets as HTML, once per route."""
    for name, route in sorted(ROUTES.items()):
        for role, outcome in zip(ROLES, route.get, strict=True):
            if outcome == 200:
                yield name, role, route.url(world)
                break


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_no_english_on_any_page(world, language):
    allowed = ALLOWED | EXAMPLE_NAMES | data_words()
    extra = [
        ("404", "anonymous", "/no-such-page/"),
        ("403", "door", "/organiser/"),
        ("guest-pages", "guest", "/register/me/choices/"),
        ("login-error", "anonymous", None),
    ]
    problems, seen = [], 0
    for label, role, address in [*html_pages(world), *extra]:
        client = world.client(role, HTTP_ACCEPT_LANGUAGE=language)
        if address is None:
            response = client.post("/accounts/login/", {"login": "x@example.org", "password": "x"})
        else:
            response = client.get(address)
        if "text/html" not in response.get("Content-Type", ""):
            finish(response)
            continue
        seen += 1
        found = english_on_page(response.content.decode(), allowed)
        if found:
            problems.append(f"{label} as {role} ({address}): {found}")

    assert seen > 40
    assert problems == [], "\n".join(problems)


def send_every_email(world, django_capture_on_commit_callbacks, language):
    """Each e-mail we and allauth send, to guests reading ``language``."""
    from django.test import Client

    from registration import changes, emails
    from registration.models import OutgoingEmail

    registration = world.other_guest
    registration.language = language
    registration.save()
    kinds = ["confirmation", "received", "waitlisted", "rejection", "cancellation"]
    for kind in kinds:
        email = OutgoingEmail.objects.create(
            registration=registration, kind=kind, recipient=registration.email, language=language
        )
        emails.send_outgoing_email(email.pk)
    invitation = world.invitation
    email = OutgoingEmail.objects.create(
        invitation=invitation, kind="invitation", recipient=invitation.email, language=language
    )
    emails.send_outgoing_email(email.pk)
    with django_capture_on_commit_callbacks(execute=True):
        changes.cancel_enrolment(world.guest, world.enrolment.pk, actor=None)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE=language)
    password = "Bayline-2026!x"
    anonymous.post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": password, "password2": password},
    )
    anonymous.post(
        "/accounts/signup/",
        {"email": world.users["door"].email, "password1": password, "password2": password},
    )
    anonymous.post("/accounts/password/reset/", {"email": world.users["door"].email})
    anonymous.post("/accounts/password/reset/", {"email": "nobody@example.org"})


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_no_english_in_any_email(world, django_capture_on_commit_callbacks, language):
    mail.outbox.clear()
    send_every_email(world, django_capture_on_commit_callbacks, language)
    allowed = ALLOWED | EXAMPLE_NAMES | data_words()

    problems = []
    for message in mail.outbox:
        html = message.alternatives[0][0] if message.alternatives else ""
        found = english_in(f"{message.subject}\n{message.body}", allowed) + english_on_page(
            html, allowed
        )
        if found:
            problems.append(f"{message.subject}: {sorted(set(found))}")

    assert len(mail.outbox) >= 10
    assert problems == [], "\n".join(problems)
