"""Imported once by the bulk-printing fork server, before it forks the workers.

What every worker needs and never changes is done here once, in the fork server: imports
(WeasyPrint's is slow: it looks for optional libraries), Django's setup
(settings from DJANGO_SETTINGS_MODULE), the badge font's advance widths, the renderer (font
configuration, stylesheet, text styles). The workers start with all of it, in memory pages
they share with the fork server and each other (``gc.freeze`` keeps the collector from
writing to them). The fork server has no threads and no database connection to pass on.
"""

import gc


def prepare() -> None:
    import django
    import qrcode  # noqa: F401  (every worker draws QR codes)
    from django.apps import apps

    if not apps.ready:
        django.setup()

    from badges import pool
    from badges.layout import font_advances

    font_advances()
    pool.renderer()


prepare()
gc.freeze()
