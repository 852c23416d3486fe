"""Background tasks of the badges app (queue "badges"): thin wrappers around services.

Priorities (a worker takes the highest first; e-mails are 10): a print job and a badge
issue have someone waiting; pre-rendering only saves a later render, so it waits for all.
"""

from django_tasks import task

from badges import prerendering, services


@task(queue_name="badges", priority=5)
def render_print_job(job_id: int) -> None:
    services.run_print_job(job_id)


@task(queue_name="badges")
def issue_badge(registration_id: int) -> None:
    services.issue_badge_if_confirmed(registration_id)


@task(queue_name="badges", priority=-10)
def prerender_badge(badge_id: int) -> None:
    prerendering.prerender_badge(badge_id)


@task(queue_name="badges", priority=-10)
def prerender_summit_badges(summit_id: int) -> None:
    prerendering.prerender_summit_badges(summit_id)
