"""Background tasks of registration: thin wrappers around services (see docs/deployment.md,
background tasks)."""

from django_tasks import task

from registration import emails


# Before any other task (priority 10): a guest is waiting for the e-mail.
@task(queue_name="email", priority=10)
def send_email(email_id: int) -> str:
    return emails.send_outgoing_email(email_id)
