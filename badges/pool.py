"""What the bulk-printing processes run.

Workers start from a fresh interpreter (``forkserver``) and unpickle these functions before
Django is set up, so this module imports nothing that needs the app registry (no models).
"""

from badges.layout import BadgeFace, SummitFace
from badges.rendering import renderer


def start() -> None:
    """Pool initializer: set up Django (settings from DJANGO_SETTINGS_MODULE), warm up.

    The fork server has done both already (badges/pool_preload.py), unless its preloading
    failed: multiprocessing ignores an ImportError there.
    """
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    renderer()


def render_chunk(summit: SummitFace, faces: list[BadgeFace], layout_name: str) -> bytes:
    """One chunk of a print file, as a PDF whose pages are appended to the file."""
    return renderer().render(summit, faces, layout_name=layout_name)
