"""Background work of the guest's calendar (thin wrappers around calendar_services)."""

from django_tasks import task

from registration import calendar_services


@task(queue_name="email")
def email_session_change(
    session_id: int, registration_ids: list[int], changed_fields: list[str]
) -> int:
    return calendar_services.email_session_change(
        session_id, registration_ids=registration_ids, changed_fields=changed_fields
    )
