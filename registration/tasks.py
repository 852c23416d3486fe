"""Background tasks of registration: thin wrappers around services (see README, worker)."""

from django_tasks import task

from registration import emails


@task(queue_name="email")
def send_email(email_id: int) -> str:
    return emails.send_outgoing_email(email_id)
