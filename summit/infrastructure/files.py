"""Stored files (bulk badge files) through Django's storage API: where they are kept and how a
web process hands one out.

The storage is the local directory MEDIA_ROOT, or an S3-compatible bucket when S3_BUCKET is
set (summit/settings.py). Badge PDFs are not files: they are kept in the database
(badges.RenderedBadge) and streamed from there, so every machine has them already.
"""

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header


def storage_description() -> str:
    """Where stored files are kept, for operators (``check --deploy``)."""
    if settings.S3_BUCKET:
        endpoint = default_storage.endpoint_url or "AWS"
        return f"object storage, bucket {settings.S3_BUCKET!r} at {endpoint}; downloads " + (
            f"by presigned links valid {settings.S3_LINK_SECONDS} s"
            if settings.S3_DOWNLOADS == "redirect"
            else "streamed through the web hosts"
        )
    return f"local directory {settings.MEDIA_ROOT} (MEDIA_ROOT), on this machine only"


def download_response(
    stored: FieldFile, *, filename: str, content_type: str = "application/pdf"
) -> HttpResponse:
    """Hand ``stored`` to the person who asked, once the view has checked they may have it.

    From object storage, by default a redirect to a presigned address of the bucket that
    expires after S3_LINK_SECONDS: the file does not pass through the web host, and a link
    copied from the browser stops working soon. Otherwise (local directory, or
    S3_DOWNLOADS=stream) the file is streamed through this process.
    """
    if settings.S3_BUCKET and settings.S3_DOWNLOADS == "redirect":
        link = stored.storage.url(
            stored.name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, filename),
                "ResponseContentType": content_type,
            },
            expire=settings.S3_LINK_SECONDS,
        )
        response: HttpResponse = HttpResponseRedirect(link)
    else:
        response = FileResponse(
            stored.open("rb"), as_attachment=True, filename=filename, content_type=content_type
        )
    response["Cache-Control"] = "private, no-store"
    return response
