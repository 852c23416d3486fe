"""Badges rendered ahead of time, so that guests and the desk get their PDF at once.

Rendering a badge (laying it out, subsetting its font, compressing) costs far more than
reading a stored copy. So a badge's A6 PDF is rendered in the background when it is issued
or reissued, or when what it prints changes (task ``prerender_badge`` on queue "badges",
after commit), and stored with a *fingerprint*: a hash of everything the PDF depends on (the
summit's names and dates, the guest's names, organisation, job title, category and script,
the signed QR code, the document title) and of the layout itself (the badge rendering
modules, the PDF templates and stylesheet, WeasyPrint's version, the font file).
:func:`badge_pdf` serves the stored PDF while its fingerprint matches what the badge would
print now, and otherwise renders it synchronously and stores the result, so a stale or
missing copy costs one ordinary render and is never served.

Stored in the database (:class:`badges.models.RenderedBadge`): every web and task machine
shares it, and the fingerprint and the content are written together.
"""

import functools
import hashlib
import logging
import os
from pathlib import Path

from django.db import IntegrityError, transaction
from django.template.loader import get_template

from badges import layout
from badges.layout import LAYOUT_A6, BadgeFace, SummitFace
from badges.models import Badge, RenderedBadge
from badges.printing import badge_face, summit_face
from badges.rendering import render_badges, stylesheet_text

logger = logging.getLogger(__name__)

# What a registration prints on its badge (script_of reads language and region).
PRINTED_FIELDS = frozenset(
    {"name", "name_latin", "organisation", "job_title", "category", "language", "region"}
)
_SOURCES = ("layout.py", "qr.py", "rendering.py", "weasyprint_adapter.py")
_TEMPLATES = ("badges/pdf/sheet.html", "badges/pdf/background.html", "badges/pdf/names.html")


@functools.cache
def layout_version() -> str:
    """A hash of what renders a badge: code, templates, stylesheet, WeasyPrint, font.

    A deployment that changes any of them changes every fingerprint, so stored PDFs made
    with the old layout are no longer served. Every machine that serves badges must compute
    the same value (same code, WeasyPrint and font package), or each would re-render what
    the others stored. Computed once per process.
    """
    import weasyprint

    digest = hashlib.sha256(weasyprint.__version__.encode())
    here = Path(__file__).resolve().parent
    for name in _SOURCES:
        digest.update((here / name).read_bytes())
    for name in _TEMPLATES:
        digest.update(get_template(name).template.source.encode())
    digest.update(stylesheet_text().encode())
    # The font file's size stands for its version: paths and modification times differ
    # between machines that share the stored PDFs, and must not make them re-render.
    for path in layout.BADGE_FONT_FILES:
        if os.path.exists(path):
            digest.update(b"font size %d" % os.path.getsize(path))
            break
    return digest.hexdigest()


def fingerprint(summit: SummitFace, face: BadgeFace, title: str) -> str:
    """A hash of the inputs of one badge's PDF and of the layout version."""
    digest = hashlib.sha256(layout_version().encode())
    digest.update(repr((summit, face, title)).encode())
    return digest.hexdigest()


def _inputs(badge: Badge) -> tuple[SummitFace, BadgeFace, str]:
    registration = badge.registration
    return summit_face(registration.summit), badge_face(badge), registration.display_name


def _render(summit: SummitFace, face: BadgeFace, title: str) -> bytes:
    return render_badges(summit, [face], layout_name=LAYOUT_A6, title=title)


def _store(badge: Badge, key: str, pdf: bytes) -> None:
    """Keep ``pdf`` as the badge's rendered PDF (replacing any older one)."""
    try:
        with transaction.atomic():
            RenderedBadge.objects.bulk_create(
                [RenderedBadge(badge_id=badge.pk, fingerprint=key, pdf=pdf)],
                update_conflicts=True,
                unique_fields=["badge"],
                update_fields=["fingerprint", "pdf", "rendered_at"],
            )
    except IntegrityError:  # the badge was deleted meanwhile: nothing to keep
        logger.info("badge %s is gone; its PDF was not stored", badge.pk)


def stored_pdf(badge: Badge, key: str) -> bytes | None:
    """The badge's stored PDF if it was rendered from exactly these inputs."""
    content = (
        RenderedBadge.objects.filter(badge_id=badge.pk, fingerprint=key)
        .values_list("pdf", flat=True)
        .first()
    )
    return None if content is None else bytes(content)


def badge_pdf(badge: Badge) -> bytes:
    """The badge as an A6 PDF: the stored one if current, else rendered now (and stored)."""
    summit, face, title = _inputs(badge)
    key = fingerprint(summit, face, title)
    content = stored_pdf(badge, key)
    if content is None:
        content = _render(summit, face, title)
        _store(badge, key, content)
    return content


def prerender_badge(badge_id: int) -> bool:
    """Render and store an active badge's PDF unless the stored one is current.

    Returns whether it rendered. A revoked or deleted badge is skipped (its QR code no
    longer admits; its stored PDF, if any, is never served since it is not the active one).
    """
    badge = (
        Badge.objects.select_related("registration__summit")
        .filter(pk=badge_id, revoked_at__isnull=True)
        .first()
    )
    if badge is None:
        return False
    summit, face, title = _inputs(badge)
    key = fingerprint(summit, face, title)
    if RenderedBadge.objects.filter(badge_id=badge.pk, fingerprint=key).exists():
        return False
    _store(badge, key, _render(summit, face, title))
    return True


def prerender_summit_badges(summit_id: int) -> int:
    """Render every active badge of the summit whose stored PDF is missing or stale."""
    badge_ids = (
        Badge.objects.filter(registration__summit_id=summit_id, revoked_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(prerender_badge(badge_id) for badge_id in list(badge_ids))
