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

``create`` draws a random key of 32 characters (about 165 bits) and asks ``exists`` whether it
is taken before it saves with ``must_create``. The save itself already refuses a key in use:
the row's primary key fails the INSERT, Django's engines raise ``CreateError``, and ``create``
draws another key. So while a new key is drawn, ``exists`` answers without asking the
database (and the cache): a login saves its session with one statement, not two. ``exists``
asked at any other time asks them as Django's does.
"""


class SaveNewLoginOnce:
    drawing_new_key = False

    def cycle_key(self) -> None:
        if self.session_key is None:
            return
        super().cycle_key()

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            self.create()  # saves the new session, under a key of its own
            return
        super().save(must_create)

    def create(self) -> None:
        self.drawing_new_key = True
        try:
            super().create()
        finally:
            self.drawing_new_key = False

    def exists(self, session_key: str) -> bool:
        if self.drawing_new_key:
            return False  # the INSERT with must_create decides (see above)
        return super().exists(session_key)
