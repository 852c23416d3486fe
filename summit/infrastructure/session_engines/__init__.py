"""Django's database session engines (``db``, ``cached_db``), saving a new login session once.

``django.contrib.auth.login`` calls ``cycle_key`` so that a session key someone else may know
cannot be carried into a login (session fixation). Django's engines make the new key by
writing the session at once; ``login`` then stores the user in it and the session middleware
writes it a second time at the end of the request. A session that has no key yet (a visitor's
first request, or a cookie naming no stored session: loading it cleared the key) has nothing
anyone could know, so there is nothing to cycle: the middleware's save makes it, with a fresh
key, once. A session with a key is cycled exactly as Django does.
"""


class SaveNewLoginOnce:
    def cycle_key(self) -> None:
        if self.session_key is None:
            return
        super().cycle_key()
