"""What the bulk-printing processes run.

Workers start from a fresh interpreter (``forkserver``) and unpickle these functions before
Django is set up, so this module imports nothing that needs the app registry (no models).
"""

import functools
import gc

from badges.layout import BadgeFace, SummitFace
from badges.pdfmerge import RelocatablePages, relocatable
from badges.rendering import render_badges, renderer


def start() -> None:
    """Pool initializer: set up Django (settings from DJANGO_SETTINGS_MODULE), warm up."""
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    renderer()


def render_chunk(summit: SummitFace, faces: list[BadgeFace], layout_name: str) -> RelocatablePages:
    """One chunk of a print file, ready to be appended to it."""
    chunk = relocatable(render_badges(summit, faces, layout_name=layout_name))
    _release_memory()
    return chunk


def _release_memory() -> None:
    # A chunk's document (layout boxes, a 20 MB copy of the CJK font) is garbage now; hand
    # the freed heap back to the system (glibc keeps it otherwise), so that the resident
    # size of the pool between chunks stays low.
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    import ctypes

    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
