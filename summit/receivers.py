"""Reactions of the summit app to the infrastructure's news (summit/infrastructure/signals.py)."""

from django.dispatch import receiver

from summit.infrastructure.signals import database_restored
from summit.selectors import forget_current_summit


@receiver(database_restored, dispatch_uid="summit.database_restored")
def database_was_restored(sender, **kwargs) -> None:
    forget_current_summit()
