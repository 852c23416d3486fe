"""The guest API's reads written once as SQL (PostgreSQL) load what the ORM's queries load:
the same values, the same deferred fields and the same related rows, in one query each."""

import secrets

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registration import guest_tokens, prepared_reads
from registration.models import Enrolment, GuestToken, OutgoingEmail
from tests import factories
from tests.factories import at

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def loaded(instance) -> dict:
    """What a model instance holds: its loaded fields' values, and which are deferred."""
    deferred = instance.get_deferred_fields()
    values = {
        f.attname: getattr(instance, f.attname)
        for f in type(instance)._meta.concrete_fields
        if f.attname not in deferred
    }
    return {"values": values, "deferred": deferred}


def _token(registration, **fields) -> str:
    token = guest_tokens.TOKEN_PREFIX + secrets.token_urlsafe(32)
    GuestToken.objects.create(
        registration=registration,
        token_hash=guest_tokens.digest(token),
        token_prefix=token[:8],
        **fields,
    )
    return guest_tokens.digest(token)


@pytest.fixture
def guest(summit, guest_user):
    guest = factories.RegistrationFactory(
        summit=summit, user=guest_user, email=guest_user.email, organisation="港澳辦"
    )
    forum = factories.ForumFactory(summit=summit, position=3, title_zh_hant="論壇")
    other = factories.ForumFactory(summit=summit, position=1)
    session = factories.SessionFactory(forum=forum, starts_at=at(1, 14), title_zh_hans="分会")
    factories.EnrolmentFactory(registration=guest, forum=forum)
    factories.EnrolmentFactory(registration=guest, forum=other, status=Enrolment.Status.CANCELLED)
    factories.EnrolmentFactory(
        registration=guest, forum=None, session=session, status=Enrolment.Status.WAITLISTED
    )
    return guest


def test_a_token_loads_what_the_orm_loads(guest):
    digest = _token(guest, last_used_at=timezone.now())

    written = prepared_reads.token(digest)
    compiled = prepared_reads.orm_token(digest)

    assert loaded(written) == loaded(compiled)
    assert loaded(written.registration) == loaded(compiled.registration)
    assert loaded(written.registration.summit) == loaded(compiled.registration.summit)
    assert written.registration.organisation == "港澳辦"


def test_a_token_and_its_rows_are_one_query(guest):
    digest = _token(guest)

    with CaptureQueriesContext(connection) as queries:
        found = prepared_reads.token(digest)
        answer = (found.registration.status, found.registration.summit.time_zone)

    assert len(queries) == 1
    assert answer == (guest.status, guest.summit.time_zone)


def test_a_field_not_read_is_deferred_and_still_readable(guest):
    found = prepared_reads.token(_token(guest))

    with CaptureQueriesContext(connection) as queries:
        email = found.registration.email

    assert email == guest.email
    assert len(queries) == 1


def test_a_revoked_or_unknown_token_finds_nothing(guest):
    revoked = _token(guest, revoked_at=timezone.now())

    assert prepared_reads.token(revoked) is None
    assert prepared_reads.token(guest_tokens.digest("bl_unknown")) is None
    assert prepared_reads.orm_token(revoked) is None


def test_enrolments_load_what_the_orm_loads(guest):
    written = sorted(prepared_reads.enrolments(guest.pk), key=lambda e: e.pk)
    compiled = sorted(prepared_reads.orm_enrolments(guest.pk), key=lambda e: e.pk)

    assert [loaded(e) for e in written] == [loaded(e) for e in compiled]
    assert [e.forum and loaded(e.forum) for e in written] == [
        e.forum and loaded(e.forum) for e in compiled
    ]
    assert [e.session and loaded(e.session) for e in written] == [
        e.session and loaded(e.session) for e in compiled
    ]
    assert len(written) == 3
    assert [loaded(e)["deferred"] for e in written] == [set()] * 3  # their own fields, all


def test_enrolments_and_their_forums_and_sessions_are_one_query(guest):
    with CaptureQueriesContext(connection) as queries:
        enrolments = prepared_reads.enrolments(guest.pk)
        shown = sorted(
            (e.status, str((e.forum or e.session).title), e.session and e.session.forum_id)
            for e in enrolments
        )

    assert len(queries) == 1
    assert [status for status, _title, _forum in shown] == ["cancelled", "confirmed", "waitlisted"]


def test_another_registrations_enrolments_are_not_read(guest, summit):
    other = factories.RegistrationFactory(summit=summit)
    factories.EnrolmentFactory(registration=other, forum=factories.ForumFactory(summit=summit))

    assert {e.registration_id for e in prepared_reads.enrolments(guest.pk)} == {guest.pk}
    assert len(prepared_reads.enrolments(other.pk)) == 1


def test_a_part_naming_no_field_of_its_model_is_refused():
    with pytest.raises(ValueError, match="seat_count"):
        prepared_reads.Part(Enrolment, "e", ("status", "seat_count"))


def test_a_part_with_a_field_the_orm_converts_is_refused():
    # An e-mail's context is JSON, which the ORM decodes as it reads it (raw SQL would not).
    with pytest.raises(ValueError, match="context need the ORM"):
        prepared_reads.Part(OutgoingEmail, "m", ("kind", "context"))


def test_an_invitation_and_its_summit_load_what_the_orm_loads(summit):
    invited = factories.InvitationFactory(
        summit=summit, name="陳大文", language="zh-hant", expires_at=at(1, 9)
    )

    written = prepared_reads.invitation(invited.code)
    compiled = prepared_reads.orm_invitation(invited.code)

    assert loaded(written) == loaded(compiled)
    assert loaded(written.summit) == loaded(compiled.summit)
    assert loaded(written)["deferred"] == set()
    assert loaded(written.summit)["deferred"] == set()
    assert (written.name, written.expires_at, written.summit.starts_on) == (
        "陳大文",
        at(1, 9),
        summit.starts_on,
    )


def test_an_invitation_and_its_summit_are_one_query(summit):
    invited = factories.InvitationFactory(summit=summit)

    with CaptureQueriesContext(connection) as queries:
        found = prepared_reads.invitation(invited.code)
        open_now = found.summit.registration_is_open(timezone.now())

    assert len(queries) == 1
    assert open_now == summit.registration_is_open(timezone.now())


def test_an_unknown_invitation_code_finds_nothing(summit):
    factories.InvitationFactory(summit=summit)

    assert prepared_reads.invitation("NOSUCHCODE") is None
    assert prepared_reads.orm_invitation("NOSUCHCODE") is None
