"""Background tasks of the badges app (queue "badges"): thin wrappers around services."""

from django_tasks import task

from badges import prerendering, services


@task(queue_name="badges")
def render_print_job(job_id: int) -> None:
    services.run_print_job(job_id)


@task(queue_name="badges")
def issue_badge(registration_id: int) -> None:
    services.issue_badge_if_confirmed(registration_id)


@task(queue_name="badges")
def prerender_badge(badge_id: int) -> None:
    prerendering.prerender_badge(badge_id)
