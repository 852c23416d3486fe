"""The agenda's rules: forums, sessions, rooms and speakers as organisers change them.

Every function runs inside ``transaction.atomic`` and locks the row it changes, so the seat
counters the registration services keep (``seats_taken``) are read fresh; refusals are
:class:`AgendaError` subclasses. Import from here: ``from sessions.services import …``.
"""

from sessions.services.errors import (
    AgendaError,
    CapacityBelowSeatsTaken,
    InUse,
    InvalidTimes,
    SlugTaken,
    WrongSummit,
)
from sessions.services.forums import FORUM_FIELDS, create_forum, delete_forum, update_forum
from sessions.services.rooms import ROOM_FIELDS, create_room, delete_room, update_room
from sessions.services.schedule import (
    SESSION_FIELDS,
    SpeakerRole,
    cancel_session,
    create_session,
    delete_session,
    update_session,
)
from sessions.services.speakers import (
    SPEAKER_FIELDS,
    create_speaker,
    delete_speaker,
    update_speaker,
)

__all__ = [
    "FORUM_FIELDS",
    "ROOM_FIELDS",
    "SESSION_FIELDS",
    "SPEAKER_FIELDS",
    "AgendaError",
    "CapacityBelowSeatsTaken",
    "InUse",
    "InvalidTimes",
    "SlugTaken",
    "SpeakerRole",
    "WrongSummit",
    "cancel_session",
    "create_forum",
    "create_room",
    "create_session",
    "create_speaker",
    "delete_forum",
    "delete_room",
    "delete_session",
    "delete_speaker",
    "update_forum",
    "update_room",
    "update_session",
    "update_speaker",
]
