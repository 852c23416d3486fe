"""Bulk print files in object storage (S3_BUCKET): written to the bucket, never under
MEDIA_ROOT, and handed out after the permission check by a short-lived presigned link (or
streamed). The bucket is moto's S3 server, over real HTTP."""

import urllib.parse
import urllib.request

import pytest
from django.urls import reverse

from badges import services
from badges.models import PrintJob
from summit.settings import object_storage
from tests import factories
from tests.badges import pdfs
from tests.objectstorage import s3_endpoint


@pytest.fixture(scope="module")
def endpoint():
    with s3_endpoint() as endpoint:
        yield endpoint


@pytest.fixture
def bucket(settings, endpoint, media_root):
    """Files go to the bucket, as with S3_BUCKET and the other S3_* variables set."""
    for key in endpoint.client().list_objects_v2(Bucket=endpoint.bucket).get("Contents", []):
        endpoint.client().delete_object(Bucket=endpoint.bucket, Key=key["Key"])
    settings.S3_BUCKET = endpoint.bucket
    settings.STORAGES = {
        **settings.STORAGES,
        "default": object_storage(endpoint.environment(), settings.S3_LINK_SECONDS),
    }
    media_root.mkdir(parents=True, exist_ok=True)
    return endpoint


@pytest.fixture
def rendered_job(summit, bucket):
    for name in ("Zhang Wei", "Chan Tai Man"):
        factories.RegistrationFactory(summit=summit, name_latin=name)
    job = factories.PrintJobFactory(summit=summit)
    return services.run_print_job(job.pk)


def files_under(directory) -> list:
    return sorted(path for path in directory.rglob("*") if path.is_file())


@pytest.mark.django_db
def test_print_file_is_written_to_the_bucket_and_nothing_under_media_root(
    rendered_job, bucket, media_root
):
    assert rendered_job.status == PrintJob.Status.DONE
    assert bucket.keys() == [rendered_job.file.name]
    assert rendered_job.file.name.startswith("print-jobs/badges-")
    assert files_under(media_root) == []


@pytest.mark.django_db
def test_print_file_download_is_a_short_lived_presigned_link(
    organiser_client, rendered_job, bucket
):
    response = organiser_client.get(reverse("badges:print-job-download", args=[rendered_job.pk]))

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    link = urllib.parse.urlsplit(response["Location"])
    query = dict(urllib.parse.parse_qsl(link.query))
    assert f"{link.scheme}://{link.netloc}" == bucket.url
    assert link.path == f"/{bucket.bucket}/{rendered_job.file.name}"
    assert query["X-Amz-Expires"] == "120"
    assert query["response-content-disposition"] == (
        f'attachment; filename="badges-{rendered_job.pk}-a6.pdf"'
    )
    with urllib.request.urlopen(response["Location"], timeout=10) as download:
        content = download.read()
        assert download.headers["Content-Type"] == "application/pdf"
    assert len(pdfs.pages(content)) == 2


@pytest.mark.django_db
def test_print_file_download_streams_through_the_web_host_when_asked(
    organiser_client, rendered_job, settings
):
    settings.S3_DOWNLOADS = "stream"

    response = organiser_client.get(reverse("badges:print-job-download", args=[rendered_job.pk]))

    content = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="badges-{rendered_job.pk}-a6.pdf"'
    )
    assert len(pdfs.pages(content)) == 2


@pytest.mark.django_db
def test_print_file_link_is_not_handed_to_a_guest(client, guest_user, rendered_job):
    client.force_login(guest_user)

    response = client.get(reverse("badges:print-job-download", args=[rendered_job.pk]))

    assert response.status_code == 403
    assert "Location" not in response
