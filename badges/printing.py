"""From the database to badge PDFs: one badge, or a whole print file rendered in chunks.

A bulk file is rendered in chunks (setting BADGE_PRINT_CHUNK_SIZE), each one WeasyPrint
document written as a PDF, in a pool of processes (one per core; started with
``forkserver``, so that workers do not inherit the parent's threads, database connections or
memory). The parent reads the badges in print order, hands out a bounded number of chunks at
a time, and appends each finished chunk's pages with pypdf as soon as it is its turn
(:class:`PrintFile`), so that only a few rendered chunks wait at any time. pypdf keeps the
appended pages (their compressed content and fonts, one font subset a chunk) until it writes
the file, so the parent's memory grows with the number of badges, far more slowly than a
worker's with the size of its chunk.
"""

import datetime
import io
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import pgettext_lazy

from badges import pool
from badges.layout import BADGES_PER_PAGE, LAYOUT_A6, BadgeFace, SummitFace
from badges.models import Badge
from badges.rendering import render_badges
from badges.signing import sign_badge
from registration.models import Category, Language, Region, Registration
from summit.models import Summit

logger = logging.getLogger(__name__)

# Chunks handed to the pool ahead of the one being written: enough to keep every worker busy,
# few enough that finished chunks waiting their turn stay a few megabytes.
AHEAD_PER_WORKER = 2

CATEGORY_WORDS = {
    Category.VIP: pgettext_lazy("badge category", "VIP"),
    Category.SPEAKER: pgettext_lazy("badge category", "Speaker"),
    Category.MEDIA: pgettext_lazy("badge category", "Media"),
    Category.DELEGATE: pgettext_lazy("badge category", "Delegate"),
    Category.STAFF: pgettext_lazy("badge category", "Staff"),
}
ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def script_of(registration: Registration) -> str:
    """Which Chinese script the guest's badge uses: their language, or their region's."""
    if registration.language == Language.TRADITIONAL:
        return "zh-hant"
    if registration.language == Language.ENGLISH and registration.region in (
        Region.HONG_KONG,
        Region.MACAO,
    ):
        return "zh-hant"
    return "zh-hans"


def _dates_zh(start: datetime.date, end: datetime.date) -> str:
    first = f"{start.year}年{start.month}月{start.day}日"
    if start == end:
        return first
    if start.year != end.year:
        return f"{first}至{end.year}年{end.month}月{end.day}日"
    if start.month != end.month:
        return f"{first}至{end.month}月{end.day}日"
    return f"{first}至{end.day}日"


def _dates_en(start: datetime.date, end: datetime.date) -> str:
    def day(date: datetime.date, *, year: bool = True) -> str:
        text = f"{date.day} {ENGLISH_MONTHS[date.month - 1]}"
        return f"{text} {date.year}" if year else text

    if start == end:
        return day(start)
    if start.year != end.year:
        return f"{day(start)} – {day(end)}"
    if start.month != end.month:
        return f"{day(start, year=False)} – {day(end)}"
    return f"{start.day}–{day(end)}"


def _with_city(dates: str, city: str, separator: str) -> str:
    return f"{dates}{separator}{city}" if city else dates


def summit_face(summit: Summit) -> SummitFace:
    start, end = summit.starts_on, summit.ends_on
    zh = _dates_zh(start, end)
    return SummitFace(
        name_zh_hans=summit.name_zh_hans or summit.name_zh_hant or summit.name_en,
        name_zh_hant=summit.name_zh_hant or summit.name_zh_hans or summit.name_en,
        name_en=summit.name_en,
        dates_zh_hans=_with_city(zh, summit.city_zh_hans or summit.city_zh_hant, " · "),
        dates_zh_hant=_with_city(zh, summit.city_zh_hant or summit.city_zh_hans, " · "),
        dates_en=_with_city(_dates_en(start, end), summit.city_en, ", "),
    )


def category_words(category: str, script: str) -> tuple[str, str]:
    """The category's word in the badge's Chinese script, and in English capitals."""
    word = CATEGORY_WORDS.get(category, CATEGORY_WORDS[Category.DELEGATE])
    with translation.override(script):
        chinese = str(word)
    with translation.override("en"):
        english = str(word).upper()
    return chinese, english


def badge_face(badge: Badge, words: dict | None = None) -> BadgeFace:
    """What ``badge`` shows; ``words`` caches category words across many badges."""
    registration = badge.registration
    script = script_of(registration)
    key = (registration.category, script)
    if words is None:
        words = {}
    if key not in words:
        words[key] = category_words(*key)
    chinese, english = words[key]
    return BadgeFace(
        badge_id=badge.pk,
        serial=badge.serial,
        code=sign_badge(badge.pk, badge.serial),
        name=registration.name,
        name_latin=registration.name_latin,
        organisation=registration.organisation,
        job_title=registration.job_title,
        category=registration.category,
        category_zh=chinese,
        category_en=english,
        script=script,
    )


def render_badge_pdf(badge: Badge) -> bytes:
    """One badge as an A6 PDF."""
    registration = badge.registration
    return render_badges(
        summit_face(registration.summit),
        [badge_face(badge)],
        layout_name=LAYOUT_A6,
        title=registration.display_name,
    )


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class PrintFile:
    """A PDF put together with pypdf from rendered chunks, appended in page order."""

    def __init__(self) -> None:
        from pypdf import PdfWriter

        self.writer = PdfWriter()

    def add(self, chunk: bytes) -> None:
        from pypdf import PdfReader

        self.writer.append(PdfReader(io.BytesIO(chunk)))

    def write(self, target, *, title: str = "") -> None:
        metadata = {"/Producer": "Bayline (WeasyPrint, pypdf)"}
        if title:
            metadata["/Title"] = title
        self.writer.add_metadata(metadata)
        self.writer.write(target)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))


def render_print_file(
    badges: QuerySet[Badge],
    summit: Summit,
    target,
    *,
    layout_name: str = LAYOUT_A6,
    title: str = "",
    progress: Callable[[int, int], None] | None = None,
    chunk_size: int | None = None,
    workers: int | None = None,
) -> int:
    """Write the badges, in the queryset's order, as one PDF to the binary file ``target``.

    ``progress(done, total)`` is called after each chunk is added. Returns the number of
    badges. Uses a process pool when there is more than one chunk and more than one worker.
    """
    total = badges.count()
    # Whole pages per chunk: a four-up chunk of 250 badges would end on a half-empty sheet
    # in the middle of the file.
    per_page = BADGES_PER_PAGE[layout_name]
    chunk_size = -(-(chunk_size or settings.BADGE_PRINT_CHUNK_SIZE) // per_page) * per_page
    workers = default_workers() if workers is None else workers
    face = summit_face(summit)
    words: dict = {}
    faces = (badge_face(badge, words) for badge in badges.iterator(chunk_size=500))
    chunks = _batches(faces, chunk_size)
    print_file = PrintFile()
    done = 0

    def write(count: int, chunk: bytes) -> None:
        nonlocal done
        print_file.add(chunk)
        done += count
        if progress is not None:
            progress(done, total)

    if workers <= 1 or total <= chunk_size:
        for chunk in chunks:
            write(len(chunk), pool.render_chunk(face, chunk, layout_name))
    else:
        context = multiprocessing.get_context("forkserver")
        # The fork server prepares once what every worker needs (see badges/pool_preload.py).
        context.set_forkserver_preload(["badges.pool_preload"])
        with ProcessPoolExecutor(workers, mp_context=context, initializer=pool.start) as executor:
            pending: deque = deque()
            for chunk in chunks:
                pending.append(
                    (len(chunk), executor.submit(pool.render_chunk, face, chunk, layout_name))
                )
                if len(pending) >= AHEAD_PER_WORKER * workers:
                    count, future = pending.popleft()
                    write(count, future.result())
            while pending:
                count, future = pending.popleft()
                write(count, future.result())
    print_file.write(target, title=title)
    return done
