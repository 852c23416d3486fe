"""What check-in does when other parts of Bayline send news."""

import logging

from django.db import transaction

from badges.checkin import occupancy
from summit.selectors import current_summit

logger = logging.getLogger(__name__)


def check_out_automatically(sender, **kwargs) -> None:
    """Every task worker's minute pass writes the automatic exits of guests still inside rooms
    that have closed, so that exports and reports list them without a cron job. Safe from
    several workers at once: the presences are locked and re-read."""
    summit = current_summit()
    if summit is None:
        return
    written = occupancy.check_out_automatically(summit)
    if written:
        logger.info("Automatic check-outs written", extra={"check_outs": written})


def room_saved(sender, instance, **kwargs) -> None:
    """A room's capacity or names changed: the doors of this process read them again."""
    transaction.on_commit(lambda: occupancy.forget_room(instance.pk))
