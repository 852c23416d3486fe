"""Reactions to news from the registration app (see registration/signals.py)."""
