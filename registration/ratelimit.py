"""The registration app's rate limits (counted by summit/infrastructure/ratelimit.py in the shared
cache).

- The registration and choice forms: per account, not per address: many guests share one
  address behind a carrier's NAT or a delegation's office network.
- Invitation codes and calendar feed tokens: per client address, counting wrong guesses only
  (a guest's own link never counts), and refusing everything from that address once there
  were too many. Calendar apps fetch feeds from a few shared servers, hence a roomy limit.
"""

from summit.infrastructure import ratelimit

# Submissions of the registration and choice forms: at most LIMIT per WINDOW seconds.
LIMIT = 10
WINDOW = 60

# Wrong guesses per client address: wrong invitation codes, unknown calendar feed addresses.
GUESSES = {
    "invitation": {"limit": 20, "window": 600},
    "calendar-feed": {"limit": 100, "window": 600},
}


def allow(scope: str, who: str, *, limit: int | None = None, window: int | None = None) -> bool:
    """Count one hit for ``who`` and say whether it is within the limit."""
    limit = LIMIT if limit is None else limit
    window = WINDOW if window is None else window
    return ratelimit.hit(scope, who, limit=limit, window=window) is None


def guessing_blocked(scope: str, request) -> int | None:
    """Seconds to wait if this address guessed wrong too often, else None."""
    return ratelimit.exceeded(scope, ratelimit.client_key(request), **GUESSES[scope])


def wrong_guess(scope: str, request) -> None:
    ratelimit.hit(scope, ratelimit.client_key(request), **GUESSES[scope])
