"""The optional read replica (setting DATABASE_REPLICA_URL) and the rule that keeps capacity
decisions on the primary.

A replica lags the primary. A seat counted on it, an admission checked against it or a
registration looked up there could be out of date, so nothing reads from it unless a view
says, with :func:`reads_from_replica`, that what it shows may be a moment late (the public
agenda, its API and calendar files). Even there, the replica answers only:

- for the agenda's and the summit's own tables (``REPLICA_APPS``): accounts, sessions of
  logged-in people, registrations, badges, scans and admissions always come from the primary;
- outside a transaction: every service that decides on seats or admissions runs in
  ``transaction.atomic`` and locks or conditionally updates its rows, and a read inside an
  open transaction goes to the primary;
- never for writes, nor for reads made to write (``select_for_update``), nor in a request
  other than GET or HEAD, even through a view marked to read from the replica.

The router is installed only when a replica is configured (summit/settings.py).
"""

import contextlib
import functools
from collections.abc import Iterator
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
REPLICA_APPS = frozenset({"agenda", "summit"})
SAFE_METHODS = frozenset({"GET", "HEAD"})

replica_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Within this block, reads of the agenda's tables may come from the replica."""
    token = replica_allowed.set(True)
    try:
        yield
    finally:
        replica_allowed.reset(token)


def reads_from_replica(view):
    """Mark a view whose reads may be a moment late (public agenda pages, files and API)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:  # a request that may change something
            return view(request, *args, **kwargs)
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapped


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        if (
            replica_allowed.get()
            and model._meta.app_label in REPLICA_APPS
            and REPLICA in connections
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # One database seen twice: objects from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
