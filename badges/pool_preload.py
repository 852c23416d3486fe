"""Imported once by the bulk-printing fork server, before it forks the workers.

What every worker needs and never changes is done here once, in the fork server: imports
(WeasyPrint's is slow: it looks for optional libraries), Django's setup
(settings from DJANGO_SETTINGS_MODULE), the badge font's advance widths, the renderer (font
configuration, stylesheet, text styles). The workers start with all of it, in memory pages
they share with the fork server and each other (``gc.freeze`` keeps the collector from
writing to them). The fork server has no threads and no database connection to pass on.
"""

import gc
import time


def prepare() -> None:
    import django
    import qrcode  # noqa: F401  (every worker draws QR codes)
    from django.apps import apps

    if not apps.ready:
        django.setup()

    from badges import pool
    from badges.layout import font_advances

    font_advances()
    settle_fonts(pool.renderer().font_config)


def settle_fonts(font_config) -> None:
    """Lay out one line with the renderer's fonts and wait for the fork server to be left
    with its one thread.

    Pango sets fontconfig up in a thread of its own the first time its font map is used.
    A worker forked while that thread still runs inherits a font map that is never ready,
    without the thread that would finish it: its first layout waits for ever. Laying out
    here makes the fork server wait for that set-up; the thread then ends.
    """
    from weasyprint import HTML

    HTML(string="<p>Bayline 湾区 灣區</p>").render(font_config=font_config)
    for _ in range(500):
        if _threads() == 1:
            return
        time.sleep(0.01)


def _threads() -> int:
    """The threads of this process, Python's and the C libraries' alike (Linux /proc)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 1


prepare()
gc.freeze()
