import threading

import pytest
from django.db import IntegrityError, connection

from badges.models import Badge
from badges.selectors import active_badge_for_code, badge_for_code
from badges.services import (
    RegistrationNotConfirmed,
    issue_badge,
    issue_missing_badges,
    reissue_badge,
    revoke_badges,
)
from badges.signing import sign_badge, verify_code
from registration.models import Registration
from tests import factories


@pytest.mark.django_db
def test_issue_badge_gives_a_confirmed_registration_serial_one():
    registration = factories.RegistrationFactory()

    badge = issue_badge(registration)

    assert (badge.registration, badge.serial, badge.revoked_at) == (registration, 1, None)


@pytest.mark.django_db
def test_issue_badge_twice_returns_the_same_active_badge():
    registration = factories.RegistrationFactory()

    first = issue_badge(registration)
    second = issue_badge(registration)

    assert first == second
    assert Badge.objects.filter(registration=registration).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["pending", "waitlisted", "cancelled", "rejected"])
def test_issue_badge_refuses_a_registration_that_is_not_confirmed(status):
    registration = factories.RegistrationFactory(status=status)

    with pytest.raises(RegistrationNotConfirmed):
        issue_badge(registration)

    assert Badge.objects.count() == 0


@pytest.mark.django_db
def test_database_refuses_a_second_active_badge():
    badge = factories.BadgeFactory()

    with pytest.raises(IntegrityError):
        Badge.objects.create(registration=badge.registration, serial=2)


@pytest.mark.django_db
def test_reissue_badge_revokes_the_old_badge_and_increments_the_serial():
    old = issue_badge(factories.RegistrationFactory())

    new = reissue_badge(old.registration)

    old.refresh_from_db()
    assert new.serial == 2
    assert new.revoked_at is None
    assert old.revoked_at is not None
    assert old.revoked_reason == Badge.RevokedReason.REISSUED


@pytest.mark.django_db
def test_old_qr_code_stops_matching_after_a_reissue():
    old = issue_badge(factories.RegistrationFactory())
    old_code = verify_code(sign_badge(old.pk, old.serial))

    new = reissue_badge(old.registration)
    new_code = verify_code(sign_badge(new.pk, new.serial))

    assert active_badge_for_code(old_code) is None
    assert badge_for_code(old_code) == old
    assert active_badge_for_code(new_code) == new


@pytest.mark.django_db
def test_reissue_badge_refuses_a_cancelled_registration():
    registration = factories.RegistrationFactory(status=Registration.Status.CANCELLED)

    with pytest.raises(RegistrationNotConfirmed):
        reissue_badge(registration)


@pytest.mark.django_db
def test_revoke_badges_revokes_the_active_badge_with_the_reason():
    badge = issue_badge(factories.RegistrationFactory())

    revoked = revoke_badges(badge.registration, reason=Badge.RevokedReason.MANUAL)

    badge.refresh_from_db()
    assert revoked == 1
    assert badge.revoked_reason == Badge.RevokedReason.MANUAL
    assert active_badge_for_code(verify_code(sign_badge(badge.pk, badge.serial))) is None


@pytest.mark.django_db
def test_issue_after_revocation_gives_the_next_serial():
    badge = issue_badge(factories.RegistrationFactory())
    revoke_badges(badge.registration, reason=Badge.RevokedReason.CANCELLED)

    again = issue_badge(badge.registration)

    assert again.serial == 2


@pytest.mark.django_db
def test_issue_missing_badges_issues_only_to_confirmed_registrations_without_one(summit):
    with_badge = issue_badge(factories.RegistrationFactory(summit=summit)).registration
    without = factories.RegistrationFactory(summit=summit)
    factories.RegistrationFactory(summit=summit, status=Registration.Status.PENDING)

    issued = issue_missing_badges(Registration.objects.filter(summit=summit))

    assert issued == 1
    assert with_badge.badges.count() == 1
    assert without.badges.get().serial == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_of_one_registration_create_one_badge():
    registration = factories.RegistrationFactory()
    barrier = threading.Barrier(4)
    badges, errors = [], []

    def issue():
        try:
            barrier.wait()
            badges.append(issue_badge(registration).pk)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(badges)) == 1
    assert Badge.objects.filter(registration=registration).count() == 1
