"""News of the badges app, sent after commit (see registration/signals.py for the pattern).

The badges' services send them and badges.receivers queues the background work in reply
(badges.tasks), so that the services never import the tasks that run them.
"""

from django.dispatch import Signal

# A badge was issued (a first badge or a reissue): its PDF is worth rendering ahead of time.
# Keyword arguments: badge_id (int).
badge_issued = Signal()

# A bulk print job was recorded: its file is to be rendered.
# Keyword arguments: job_id (int).
print_job_created = Signal()
