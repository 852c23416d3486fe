"""Badge PDFs rendered ahead of time: stored by the background task, served while current."""

import pytest
from django.urls import reverse

from badges import prerendering
from badges.layout import LAYOUT_A6
from badges.models import Badge, RenderedBadge
from badges.printing import badge_face, summit_face
from badges.rendering import render_badges
from badges.services import issue_badge, reissue_badge
from badges.signing import verify_code
from registration.changes import change_details
from registration.models import Registration
from registration.services import DETAIL_FIELDS
from tests import factories
from tests.badges import pdfs


def fresh_render(badge: Badge) -> bytes:
    """What rendering the badge now gives, bypassing the store."""
    badge = Badge.objects.select_related("registration__summit").get(pk=badge.pk)
    registration = badge.registration
    return render_badges(
        summit_face(registration.summit),
        [badge_face(badge)],
        layout_name=LAYOUT_A6,
        title=registration.display_name,
    )


@pytest.fixture
def no_rendering(monkeypatch):
    """Call it, and rendering fails from there on: whatever is served comes from the store."""

    def refuse(*args, **kwargs):
        raise AssertionError("rendered although a current PDF was stored")

    return lambda: monkeypatch.setattr(prerendering, "_render", refuse)


@pytest.fixture
def registration(summit):
    return factories.RegistrationFactory(
        summit=summit, name="陈大文", name_latin="Chan Tai Man", organisation="数字湾区发展中心"
    )


def issued(registration, capture) -> Badge:
    """Issue the registration's badge and run what is queued after commit (the task)."""
    with capture(execute=True):
        return issue_badge(registration)


@pytest.mark.django_db
def test_issuing_a_badge_stores_its_pdf_in_the_background(
    registration, django_capture_on_commit_callbacks
):
    badge = issued(registration, django_capture_on_commit_callbacks)

    stored = RenderedBadge.objects.get(badge=badge)
    assert bytes(stored.pdf) == fresh_render(badge)
    page = pdfs.pages(bytes(stored.pdf))[0]
    assert pdfs.page_size_mm(page) == (105, 148)
    assert "陈大文" in pdfs.text(page)
    assert verify_code(pdfs.qr_codes(bytes(stored.pdf))[0]).badge_id == badge.pk


@pytest.mark.django_db
def test_the_served_pdf_is_the_stored_one_and_equals_a_fresh_render(
    registration, django_capture_on_commit_callbacks, no_rendering
):
    badge = issued(registration, django_capture_on_commit_callbacks)
    no_rendering()

    served = prerendering.badge_pdf(badge)

    assert served == bytes(RenderedBadge.objects.get(badge=badge).pdf)
    assert served[:5] == b"%PDF-"
    assert "Chan Tai Man" in pdfs.text(pdfs.pages(served)[0])


@pytest.mark.django_db
def test_a_missing_pdf_is_rendered_synchronously_and_stored(registration):
    badge = issue_badge(registration)  # no commit in this test: the task never ran
    assert not RenderedBadge.objects.filter(badge=badge).exists()

    served = prerendering.badge_pdf(badge)

    assert served == fresh_render(badge)
    assert bytes(RenderedBadge.objects.get(badge=badge).pdf) == served


@pytest.mark.django_db
def test_a_stale_pdf_is_never_served(registration):
    badge = issue_badge(registration)
    RenderedBadge.objects.create(badge=badge, fingerprint="0" * 64, pdf=b"%PDF-stale")

    served = prerendering.badge_pdf(badge)

    assert served != b"%PDF-stale"
    assert served == fresh_render(badge)
    stored = RenderedBadge.objects.get(badge=badge)
    assert bytes(stored.pdf) == served
    assert stored.fingerprint != "0" * 64


@pytest.mark.django_db
def test_a_name_change_rerenders_the_stored_pdf(registration, django_capture_on_commit_callbacks):
    badge = issued(registration, django_capture_on_commit_callbacks)
    before = bytes(RenderedBadge.objects.get(badge=badge).pdf)

    registration.refresh_from_db()
    registration.name = "陈小文"
    with django_capture_on_commit_callbacks(execute=True):
        registration.save()

    after = bytes(RenderedBadge.objects.get(badge=badge).pdf)
    assert after != before
    assert "陈小文" in pdfs.text(pdfs.pages(after)[0])
    assert after == fresh_render(badge)


@pytest.mark.django_db
def test_a_change_made_without_save_is_caught_when_served(
    registration, django_capture_on_commit_callbacks
):
    badge = issued(registration, django_capture_on_commit_callbacks)
    Registration.objects.filter(pk=registration.pk).update(
        organisation="Universidade de Macau", category="speaker"
    )

    served = prerendering.badge_pdf(Badge.objects.get(pk=badge.pk))

    text = pdfs.text(pdfs.pages(served)[0])
    assert "Universidade de Macau" in text
    assert "SPEAKER" in text


@pytest.mark.django_db
def test_a_status_only_save_queues_nothing(registration, django_capture_on_commit_callbacks):
    issue_badge(registration)
    registration.refresh_from_db()
    with django_capture_on_commit_callbacks() as callbacks:
        registration.save(update_fields=["status", "updated_at"])
    assert callbacks == []


@pytest.mark.django_db
def test_a_reissued_badge_gets_its_own_pdf_with_the_new_code(
    registration, django_capture_on_commit_callbacks, no_rendering
):
    old = issued(registration, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        new = reissue_badge(registration)
    no_rendering()

    served = prerendering.badge_pdf(new)  # from the store: rendering is refused

    code = verify_code(pdfs.qr_codes(served)[0])
    assert (code.badge_id, code.serial) == (new.pk, 2)
    assert served != bytes(RenderedBadge.objects.get(badge=old).pdf)
    # The revoked badge is not rendered again by the task.
    assert prerendering.prerender_badge(old.pk) is False


@pytest.mark.django_db
def test_a_layout_change_invalidates_every_stored_pdf(
    registration, django_capture_on_commit_callbacks, monkeypatch
):
    badge = issued(registration, django_capture_on_commit_callbacks)
    key = RenderedBadge.objects.get(badge=badge).fingerprint
    assert prerendering.prerender_badge(badge.pk) is False  # current: nothing to do

    monkeypatch.setattr(prerendering, "layout_version", lambda: "a new layout")

    assert prerendering.prerender_badge(badge.pk) is True
    assert RenderedBadge.objects.get(badge=badge).fingerprint != key


@pytest.mark.django_db
def test_the_guest_and_the_desk_are_served_the_stored_pdf(
    client, summit, guest_user, organiser, django_capture_on_commit_callbacks, no_rendering
):
    registration = factories.RegistrationFactory(summit=summit, user=guest_user)
    badge = issued(registration, django_capture_on_commit_callbacks)
    stored = bytes(RenderedBadge.objects.get(badge=badge).pdf)
    no_rendering()

    client.force_login(guest_user)
    mine = client.get(reverse("badges:my-badge"))
    client.force_login(organiser)
    desk = client.get(reverse("badges:registration-badge", args=[registration.pk]))

    assert mine.status_code == desk.status_code == 200
    assert mine.content == desk.content == stored
    assert mine["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_the_command_renders_only_missing_or_stale_badges(summit):
    from io import StringIO

    from django.core.management import call_command

    current, stale, missing = (
        issue_badge(factories.RegistrationFactory(summit=summit)) for _ in range(3)
    )
    prerendering.prerender_badge(current.pk)
    RenderedBadge.objects.create(badge=stale, fingerprint="0" * 64, pdf=b"%PDF-stale")
    revoked = issue_badge(factories.RegistrationFactory(summit=summit))
    Badge.objects.filter(pk=revoked.pk).update(revoked_at=current.issued_at)

    out = StringIO()
    call_command("prerender_badges", stdout=out)

    assert "Rendered 2 of 3 active badges" in out.getvalue()
    for badge in (current, stale, missing):
        stored = RenderedBadge.objects.get(badge=badge)
        assert bytes(stored.pdf) == fresh_render(badge)
    assert not RenderedBadge.objects.filter(badge=revoked).exists()


@pytest.mark.django_db
def test_the_confirmation_email_attaches_the_stored_pdf(
    registration, django_capture_on_commit_callbacks, no_rendering
):
    from badges import receivers
    from registration import signals

    badge = issued(registration, django_capture_on_commit_callbacks)
    no_rendering()

    answers = signals.email_attachments.send(
        sender=Registration, registration=registration, kind="confirmation"
    )

    [(name, content, mimetype)] = dict(answers)[receivers.email_attachments]
    assert (name, mimetype) == ("badge.pdf", "application/pdf")
    assert content == bytes(RenderedBadge.objects.get(badge=badge).pdf)


@pytest.mark.django_db
def test_a_new_summit_name_or_dates_render_the_stored_badges_again(
    registration, django_capture_on_commit_callbacks
):
    import datetime

    from summit.services import update_summit

    badge = issued(registration, django_capture_on_commit_callbacks)
    before = bytes(RenderedBadge.objects.get(badge=badge).pdf)

    summit = registration.summit
    with django_capture_on_commit_callbacks(execute=True):
        update_summit(summit, name_en="Digital GBA Summit 2026", ends_on=summit.ends_on)
    renamed = bytes(RenderedBadge.objects.get(badge=badge).pdf)
    with django_capture_on_commit_callbacks(execute=True):
        update_summit(summit, ends_on=summit.ends_on + datetime.timedelta(days=1))
    later = bytes(RenderedBadge.objects.get(badge=badge).pdf)

    assert before != renamed != later
    assert "Digital GBA Summit 2026" in pdfs.text(pdfs.pages(renamed)[0])
    assert later == fresh_render(badge)


@pytest.mark.django_db
def test_a_summit_change_nobody_prints_renders_nothing(
    registration, django_capture_on_commit_callbacks, no_rendering
):
    from summit.services import update_summit

    issued(registration, django_capture_on_commit_callbacks)
    no_rendering()

    with django_capture_on_commit_callbacks(execute=True):
        update_summit(registration.summit, approval_required=True, venue_en="Hall B")

    assert RenderedBadge.objects.count() == 1


@pytest.mark.django_db
def test_an_organisers_correction_is_printed_on_the_same_badge(
    registration, organiser, django_capture_on_commit_callbacks, no_rendering
):
    badge = issued(registration, django_capture_on_commit_callbacks)
    details = {name: getattr(registration, name) for name in DETAIL_FIELDS}

    with django_capture_on_commit_callbacks(execute=True):
        change_details(
            registration,
            details={**details, "name_latin": "Chan Siu Man"},
            category="speaker",
            actor=organiser,
        )
    no_rendering()

    served = prerendering.badge_pdf(Badge.objects.get(pk=badge.pk))  # from the store

    text = pdfs.text(pdfs.pages(served)[0])
    assert "Chan Siu Man" in text
    assert "Chan Tai Man" not in text
    assert "SPEAKER" in text
    assert "DELEGATE" not in text
    # As with any change of a name, the badge keeps its QR code: only a reissue replaces it.
    code = verify_code(pdfs.qr_codes(served)[0])
    assert (code.badge_id, code.serial) == (badge.pk, 1)
    badges = Badge.objects.filter(registration=registration)
    assert list(badges.values_list("pk", "revoked_at")) == [(badge.pk, None)]
