"""News that the infrastructure sends to the apps, which react in their receivers.

The infrastructure imports no app; each app connects to these signals itself.
"""

from django.dispatch import Signal

# Sent by summit.infrastructure.workers.recover() (at every worker's start and every minute) so that
# each app hands back the work claimed by task workers that died: rows left "sending" or "running".
# Keyword argument: abandoned (callable(worker_id: str, claimed_at: datetime) -> bool).
# Receivers return how many items they recovered.
recover_work = Signal()

# Sent by the same pass, after the recovery: upkeep that the apps do once a minute, whichever
# worker runs it (check-in writes the automatic exits of rooms that closed). No keyword
# arguments; receivers must be safe to run from several workers at once.
minute_pass = Signal()


# Sent after a restore has replaced the whole database
# (summit.infrastructure.backup.restore_database): whatever a cache derived from rows is now wrong.
# No keyword arguments. summit.receivers forgets the current summit; registration.receivers the
# choosable ids.
database_restored = Signal()
