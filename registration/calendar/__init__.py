"""The guest's calendar: their private feed, its e-mail attachment and the e-mails that
tell them a session they chose has changed (the calendar builder itself is in sessions)."""
