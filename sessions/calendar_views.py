"""Calendar files over HTTP: the whole agenda, one forum, one session.

``calendar_response`` is shared with the guest's private feed (registration app): it sets the
content type, a download name, cache headers and answers conditional requests with 304.
"""

import hashlib
import time

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import content_disposition_header, http_date
from django.views.decorators.http import require_safe

from sessions import calendar
from sessions.models import Forum, Session
from summit.i18n import normalise_language
from summit.infrastructure.databases import reads_from_replica
from summit.selectors import summit_or_404

CONTENT_TYPE = "text/calendar; charset=utf-8"
# How long Last-Modified is remembered for a file whose bytes have not changed.
CHANGED_AT_TIMEOUT = 60 * 60 * 24 * 30


def calendar_language(request: HttpRequest) -> str:
    """``?lang=en|zh-hans|zh-hant`` if given, else the language of the request."""
    return normalise_language(request.GET.get("lang") or request.LANGUAGE_CODE)


def calendar_response(
    request: HttpRequest,
    body: bytes,
    *,
    filename: str,
    resource: str,
    language: str,
    private: bool = False,
) -> HttpResponse:
    """The file, or 304 Not Modified when the client's ETag or date still matches.

    The ETag is a hash of the bytes (the builder's output depends only on the data). Last-
    Modified is when these bytes were first served for ``resource``, remembered in the cache:
    the newest ``changed_at`` of the sessions would miss a session leaving a guest's feed or a
    room being renamed, and then a client asking "modified since?" would keep a stale copy.
    """
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    changed_at = _content_changed_at(resource, etag)
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(changed_at)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Language"] = language
    if private:
        # A secret address: no shared cache may keep it, and a reset must take effect at once.
        response["Cache-Control"] = "private, no-cache"
        response["X-Robots-Tag"] = "noindex, nofollow"
    else:
        response["Cache-Control"] = "public, max-age=300"
        if "lang" not in request.GET:
            # The language then comes from the cookie or Accept-Language (LocaleMiddleware).
            patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return get_conditional_response(request, etag=etag, last_modified=changed_at, response=response)


def _content_changed_at(resource: str, etag: str) -> int:
    key = "calendar:changed-at:" + hashlib.sha256(resource.encode()).hexdigest()
    remembered = cache.get(key)
    if remembered is not None and remembered[0] == etag:
        return remembered[1]
    now = int(time.time())
    cache.set(key, (etag, now), CHANGED_AT_TIMEOUT)
    return now


@require_safe
@reads_from_replica
def agenda_file(request: HttpRequest) -> HttpResponse:
    summit = summit_or_404()
    language = calendar_language(request)
    body = calendar.agenda_calendar(summit, language=language)
    return calendar_response(
        request,
        body,
        filename=f"{summit.slug}-agenda.ics",
        resource=f"agenda:{summit.pk}:{language}",
        language=language,
    )


@require_safe
@reads_from_replica
def forum_file(request: HttpRequest, slug: str) -> HttpResponse:
    summit = summit_or_404()
    forum = get_object_or_404(Forum, summit=summit, slug=slug)
    forum.summit = summit
    language = calendar_language(request)
    body = calendar.forum_calendar(forum, language=language)
    return calendar_response(
        request,
        body,
        filename=f"{summit.slug}-{forum.slug}.ics",
        resource=f"forum:{forum.pk}:{language}",
        language=language,
    )


@require_safe
@reads_from_replica
def session_file(request: HttpRequest, pk: int) -> HttpResponse:
    summit = summit_or_404()
    session = calendar.with_calendar_relations(
        Session.objects.filter(pk=pk, forum__summit=summit, is_published=True)
    ).first()
    if session is None:
        raise Http404("No such session.")
    language = calendar_language(request)
    body = calendar.session_calendar(session, summit=summit, language=language)
    return calendar_response(
        request,
        body,
        filename=f"{summit.slug}-session-{session.pk}.ics",
        resource=f"session:{session.pk}:{language}",
        language=language,
    )
