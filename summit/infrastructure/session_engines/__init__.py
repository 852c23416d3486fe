"""Django's database session engines (``db``, ``cached_db``), saving a new login session once.

``django.contrib.auth.login`` calls ``cycle_key`` so that a session key someone else may know
cannot be carried into a login (session fixation). Django's engines make the new key by
writing the session at once; ``login`` then stores the user in it and the session middleware
writes it a second time at the end of the request. A session that has no key yet (a visitor's
first request, or a cookie naming no stored session: loading it cleared the key) has nothing
anyone could know, so there is nothing to cycle: the middleware's save makes it, with a fresh
key, once. A session with a key is cycled exactly as Django does.

Saving a session without a key is ``create`` alone: it writes the new row (and, with
``cached_db``, the cache). Django's ``cached_db`` would write the cache a second time on the
way back from ``create``, with the same data.
"""


class SaveNewLoginOnce:
    def cycle_key(self) -> None:
        if self.session_key is None:
            return
        super().cycle_key()

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            self.create()  # saves the new session, under a key of its own
            return
        super().save(must_create)
