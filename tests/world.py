"""A small but complete summit for the security tests: one of each object a URL can point at,
two guests who must not see each other's data, door staff and an organiser.

Guest A's personal data carries markers (LEAK_MARKERS) that must never appear in a response
to anyone but guest A and the staff.
"""

import dataclasses

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client

from badges.checkin import checkpoints, devices
from badges.checkin.models import Checkpoint, Device
from badges.models import Badge, PrintJob
from registration.models import Enrolment, Invitation, Registration
from sessions.models import Forum, Room, Session, Speaker
from summit.roles import DOOR_STAFF, GUEST, ORGANISER
from tests import factories

# What only guest A (and the staff) may ever read.
LEAK_MARKERS = ("Aurelia Leakcheck", "aurelia.leakcheck@example.org")

ROLES = ("anonymous", "guest", "other_guest", "door", "organiser")


@dataclasses.dataclass
class World:
    summit: object
    room: Room
    forum: Forum
    session: Session
    draft_session: Session
    speaker: Speaker
    guest: Registration
    other_guest: Registration
    enrolment: Enrolment
    other_enrolment: Enrolment
    badge: Badge
    invitation: Invitation
    checkpoint: Checkpoint
    device: Device
    device_token: str
    print_job: PrintJob
    users: dict

    def client(self, role: str, **kwargs) -> Client:
        client = Client(**kwargs)
        if self.users.get(role) is not None:
            client.force_login(self.users[role])
        return client


def _user(username: str, role: str, email: str | None = None):
    from allauth.account.models import EmailAddress

    user = factories.UserFactory(username=username, email=email or f"{username}@example.org")
    user.groups.add(Group.objects.get(name=role))
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def build_world() -> World:
    """Needs the database, the role groups (the ``roles`` fixture) and a temporary MEDIA_ROOT."""
    # Checkpoints and devices are remembered per process: forget those of earlier tests.
    checkpoints.forget_checkpoints()
    devices.forget_devices()
    summit = factories.SummitFactory()
    room = factories.RoomFactory(summit=summit)
    forum = factories.ForumFactory(summit=summit, room=room, slug="smart-city")
    session = factories.SessionFactory(forum=forum)
    draft_session = factories.SessionFactory(
        forum=forum, is_published=False, title_en="Secret draft"
    )
    speaker = factories.SpeakerFactory(summit=summit, slug="chan")
    factories.SessionSpeakerFactory(session=session, speaker=speaker)

    guest_user = _user("aurelia", GUEST, email=LEAK_MARKERS[1])
    other_user = _user("bruno", GUEST)
    guest = factories.RegistrationFactory(
        summit=summit, user=guest_user, name="林晓梅", name_latin=LEAK_MARKERS[0]
    )
    other_guest = factories.RegistrationFactory(
        summit=summit, user=other_user, name="王小明", name_latin="Bruno Other"
    )
    enrolment = factories.EnrolmentFactory(registration=guest, forum=forum)
    other_enrolment = factories.EnrolmentFactory(registration=other_guest, forum=forum)
    badge = factories.BadgeFactory(registration=guest)
    invitation = factories.InvitationFactory(summit=summit)
    checkpoint = factories.CheckpointFactory(summit=summit, slug="main-entrance")
    device, device_token = devices.create_device("North door", checkpoint=checkpoint)
    print_job = factories.PrintJobFactory(summit=summit, status=PrintJob.Status.DONE, total=1)
    print_job.file.save("job.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))

    users = {
        "anonymous": None,
        "guest": guest_user,
        "other_guest": other_user,
        "door": _user("door", DOOR_STAFF),
        "organiser": _user("organiser", ORGANISER),
    }
    return World(
        summit=summit,
        room=room,
        forum=forum,
        session=session,
        draft_session=draft_session,
        speaker=speaker,
        guest=guest,
        other_guest=other_guest,
        enrolment=enrolment,
        other_enrolment=other_enrolment,
        badge=badge,
        invitation=invitation,
        checkpoint=checkpoint,
        device=device,
        device_token=device_token,
        print_job=print_job,
        users=users,
    )


def snapshot() -> dict:
    """What a refused request must not have changed."""
    from django.contrib.auth import get_user_model

    from badges.checkin.models import Scan

    return {
        "users": sorted(get_user_model().objects.values_list("pk", "is_active", "password")),
        "registrations": sorted(
            Registration.objects.values_list("pk", "status", "name_latin", "calendar_token")
        ),
        "enrolments": sorted(Enrolment.objects.values_list("pk", "status")),
        "invitations": sorted(Invitation.objects.values_list("pk", "code", "revoked_at")),
        "forums": sorted(Forum.objects.values_list("pk", "title_en", "capacity")),
        "sessions": sorted(Session.objects.values_list("pk", "title_en", "status")),
        "rooms": sorted(Room.objects.values_list("pk", "name_en")),
        "speakers": sorted(Speaker.objects.values_list("pk", "name_latin")),
        "badges": sorted(Badge.objects.values_list("pk", "serial", "revoked_at")),
        "checkpoints": sorted(Checkpoint.objects.values_list("pk", "slug", "name_en")),
        "devices": sorted(Device.objects.values_list("pk", "revoked_at")),
        "print_jobs": PrintJob.objects.count(),
        "scans": Scan.objects.count(),
    }


def finish(response) -> None:
    """Read a streamed response to its end: a file download then closes its file. (Not
    response.close(): outside the test client it closes the database connection.)"""
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
