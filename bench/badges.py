"""Badge PDF benchmarks: one badge (server time) and a bulk print file (wall time, memory).

    .venv/bin/python bench/badges.py                      # 3,000 guests, both layouts
    .venv/bin/python bench/badges.py --guests 1000 --layouts a6 --renders 100

Runs against its own SQLite database in a temporary directory, filled with GUESTS confirmed
registrations (Simplified and Traditional Chinese, Portuguese and English names, some 40
characters long; every category) and their badges. It measures:

- one badge, over RENDERS different badges after a warm-up; median and p95 of wall time,
  and of CPU time: ``render_badge_pdf`` alone (a cold render); the whole desk-reprint
  request (``GET /badges/registration/<id>.pdf`` through Django's test client, in process)
  with nothing stored (render and store); the background task ``prerender_badge``; then
  ``badge_pdf`` and the desk-reprint request served from the stored PDF (badges/prerendering.py);
- a bulk file: ``render_print_file`` of every badge, sorted by name, with WORKERS rendering
  processes; wall time, and peak memory summed over the process and all its descendants
  (RSS, which counts shared pages once per process, and PSS, which shares them out),
  sampled every 0.1 s from /proc, and the CPU time the rendering processes and the parent
  used (with other work running, CPU time / 2 shows what two idle cores would take). With
  ``--scaling``, also at a third of the guests, to show that the peak does not grow with
  the count.

``--public-names`` renders with ``BADGE_NAMES_ADAPTER=false``: badge names laid out through
WeasyPrint's public API instead of drawn by badges/weasyprint_adapter.py, to measure what
the adapter buys.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIMPLIFIED = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗",
    [
        "Wang",
        "Li",
        "Zhang",
        "Liu",
        "Chen",
        "Yang",
        "Huang",
        "Zhao",
        "Wu",
        "Zhou",
        "Xu",
        "Sun",
        "Ma",
        "Zhu",
        "Hu",
        "Guo",
        "He",
        "Gao",
        "Lin",
        "Luo",
    ],
    [
        *[("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏静", "Minjing"), ("晓明", "Xiaoming")],
        *[("建国", "Jianguo"), ("丽华", "Lihua"), ("志强", "Zhiqiang"), ("海燕", "Haiyan")],
        *[("欣怡", "Xinyi"), ("子轩", "Zixuan"), ("浩然", "Haoran"), ("梓涵", "Zihan")],
    ],
)
TRADITIONAL = (
    "陳李黃張劉梁何林郭馬",
    ["Chan", "Lee", "Wong", "Cheung", "Lau", "Leung", "Ho", "Lam", "Kwok", "Ma"],
    [
        *[("大文", "Tai Man"), ("嘉欣", "Ka Yan"), ("志明", "Chi Ming"), ("美玲", "Mei Ling")],
        *[("家豪", "Ka Ho"), ("詠詩", "Wing Sze"), ("國榮", "Kwok Wing"), ("麗珊", "Lai Shan")],
    ],
)
LATIN = [
    "João Conceição",
    "Maria Fernanda dos Santos Conceição Lima",  # 40 characters
    "António Gonçalves",
    "Inês Araújo",
    "Sebastião Magalhães Ferreira",
    "Emily Watson",
    "Jean-François Dubois",
    "Anneliese Schäfer-Müller",
    "Oluwaseun Adebayo-Williams of Lagos State",
]
ORGANISATIONS = [
    ("广东省政务服务和数据管理局", "zh-hans", "guangdong"),
    ("广州市人民政府办公厅", "zh-hans", "guangdong"),
    ("深圳市数字经济研究院", "zh-hans", "guangdong"),
    ("国家信息中心", "zh-hans", "mainland"),
    ("浙江大学公共管理学院", "zh-hans", "mainland"),
    ("香港特別行政區政府數字政策辦公室", "zh-hant", "hong_kong"),
    ("香港科技大學", "zh-hant", "hong_kong"),
    ("澳門特別行政區政府行政公職局", "zh-hant", "macao"),
    ("Direcção dos Serviços de Administração e Função Pública", "en", "macao"),
    ("Universidade de Macau", "en", "macao"),
    ("OECD Directorate for Public Governance", "en", "overseas"),
    ("Digital Policy Office", "en", "hong_kong"),
]
TITLES = ["Director", "处长", "副局长", "Professor", "總監", "Chief Digital Officer", ""]
CATEGORIES = ["delegate"] * 14 + ["vip"] * 2 + ["speaker"] * 2 + ["media", "staff"]


def setup_django(directory: Path, *, public_names: bool = False) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "summit.settings"
    # In the environment, so that the print pool's processes render the same way.
    os.environ["BADGE_NAMES_ADAPTER"] = "false" if public_names else "true"
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(directory / "media")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(guests: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from badges.models import Badge
    from registration.models import Registration
    from summit import demo
    from summit.roles import DOOR_STAFF, add_to_role

    with open(os.devnull, "w") as quiet:
        summit = demo.seed(guests=0, real_dates=False, stdout=quiet)
    rng = random.Random(2026)
    registrations = []
    for number in range(guests):
        organisation, language, region = rng.choice(ORGANISATIONS)
        kind = rng.random()
        if kind < 0.55:
            surnames, latin_surnames, given = SIMPLIFIED
            index = rng.randrange(len(surnames))
            first, latin_first = rng.choice(given)
            name, latin = surnames[index] + first, f"{latin_surnames[index]} {latin_first}"
        elif kind < 0.8:
            surnames, latin_surnames, given = TRADITIONAL
            index = rng.randrange(len(surnames))
            first, latin_first = rng.choice(given)
            name, latin = surnames[index] + first, f"{latin_surnames[index]} {latin_first}"
            language = "zh-hant"
        else:
            name, latin = "", rng.choice(LATIN)
        registrations.append(
            Registration(
                summit=summit,
                status=Registration.Status.CONFIRMED,
                category=rng.choice(CATEGORIES),
                email=f"guest{number}@bench.test",
                name=name,
                name_latin=latin,
                organisation=organisation,
                job_title=rng.choice(TITLES),
                region=region,
                language=language,
                consent_given_at=timezone.now(),
                consent_version="bench",
            )
        )
    Registration.objects.bulk_create(registrations, batch_size=500)
    Badge.objects.bulk_create(
        [Badge(registration=registration, serial=1) for registration in Registration.objects.all()],
        batch_size=500,
    )
    door, _ = get_user_model().objects.get_or_create(username="bench-door")
    add_to_role(door, DOOR_STAFF)
    return summit, door


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def describe(label: str, walls: list[float], cpus: list[float]) -> None:
    print(
        f"  {label}: median {statistics.median(walls) * 1000:.1f} ms, "
        f"p95 {percentile(walls, 0.95) * 1000:.1f} ms wall; "
        f"CPU median {statistics.median(cpus) * 1000:.1f} ms, "
        f"p95 {percentile(cpus, 0.95) * 1000:.1f} ms  (n={len(walls)})"
    )


def bench_single(renders: int, door) -> None:
    from django.test import Client
    from django.urls import reverse

    from badges import prerendering
    from badges.models import Badge, RenderedBadge
    from badges.printing import render_badge_pdf

    badges = list(Badge.objects.select_related("registration__summit").order_by("?")[: renders + 5])
    for badge in badges[:5]:  # warm-up: the renderer, fonts, templates
        render_badge_pdf(badge)
        prerendering.badge_pdf(badge)
    measured = badges[5:]

    def timed(call) -> tuple[list[float], list[float]]:
        walls, cpus = [], []
        for badge in measured:
            wall, cpu = time.perf_counter(), time.process_time()
            call(badge)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        return walls, cpus

    client = Client()
    client.force_login(door)

    def desk(badge) -> None:
        url = reverse("badges:registration-badge", args=[badge.registration_id])
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        assert response.content[:5] == b"%PDF-"

    print(f"One badge ({len(measured)} different badges):")
    describe("render_badge_pdf (cold render)", *timed(render_badge_pdf))
    RenderedBadge.objects.all().delete()
    describe("GET /badges/registration/<id>.pdf, nothing stored (render + store)", *timed(desk))
    RenderedBadge.objects.all().delete()
    describe(
        "prerender_badge (the background task: render + store)",
        *timed(lambda badge: prerendering.prerender_badge(badge.pk)),
    )
    describe("badge_pdf, stored PDF current (fingerprint + read)", *timed(prerendering.badge_pdf))
    describe("GET /badges/registration/<id>.pdf, stored PDF current", *timed(desk))
    sizes = [len(pdf) for pdf in RenderedBadge.objects.values_list("pdf", flat=True)]
    print(f"  stored PDF size: median {statistics.median(sizes) / 1024:.0f} KiB")


def bench_qr(count: int = 300) -> None:
    """QR matrix of a badge code: qrcode choosing its mask, and with badges.qr's fixed mask."""
    import base64

    import qrcode

    from badges.qr import qr_matrix

    rng = random.Random(7)
    codes = [
        base64.b32encode(bytes(rng.randrange(256) for _ in range(72))).decode().rstrip("=")
        for _ in range(count)
    ]

    def with_qrcode(code: str):
        symbol = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
        symbol.add_data(code)
        symbol.make(fit=True)
        return symbol.get_matrix()

    makers = {
        "qrcode 8 (its own mask choice)": with_qrcode,
        "badges.qr.qr_matrix (qrcode, fixed mask)": qr_matrix,
    }
    print(f"QR matrix of a 116-character code ({count} codes):")
    for label, make in makers.items():
        cpus = []
        for code in codes:
            cpu = time.process_time()
            make(code)
            cpus.append(time.process_time() - cpu)
        print(f"  {label}: median {statistics.median(cpus) * 1000:.2f} ms CPU")


def descendants(root: int) -> list[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def memory_kib(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class MemorySampler(threading.Thread):
    """Peak memory of this process and its descendants, and the CPU time they used."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.peak_rss = self.peak_pss = 0
        self.peak_processes = 0
        self.cpu: dict[int, float] = {}
        self.own_cpu = 0.0  # the sampling itself, not counted as the parent's

    def run(self) -> None:
        while not self.stop.is_set():
            started = time.thread_time()
            pids = descendants(os.getpid())
            totals = [memory_kib(pid) for pid in pids]
            self.peak_rss = max(self.peak_rss, sum(rss for rss, _ in totals))
            self.peak_pss = max(self.peak_pss, sum(pss for _, pss in totals))
            self.peak_processes = max(self.peak_processes, len(pids))
            for pid in pids[1:]:  # children: the last value seen before they exit
                self.cpu[pid] = max(self.cpu.get(pid, 0.0), cpu_seconds(pid))
            self.own_cpu += time.thread_time() - started
            self.stop.wait(0.1)


def bench_bulk(
    summit, count: int, layout: str, workers: int, directory: Path, chunk_size: int
) -> None:
    from badges.models import Badge
    from badges.printing import render_print_file
    from badges.selectors import badges_to_print

    # The first COUNT badges issued (a range, not a list of ids: on SQLite, a filter on
    # thousands of ids costs the parent more than a print job's own filters do).
    last = Badge.objects.order_by("pk").values_list("pk", flat=True)[count - 1]
    badges = badges_to_print(summit, filters={}, order="name").filter(pk__lte=last)
    assert badges.count() == count
    path = directory / f"bulk-{layout}-{count}.pdf"
    sampler = MemorySampler()
    sampler.start()
    started, parent_cpu = time.perf_counter(), time.process_time()
    with path.open("wb") as target:
        written = render_print_file(
            badges, summit, target, layout_name=layout, workers=workers, chunk_size=chunk_size
        )
    wall = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    parent_cpu = time.process_time() - parent_cpu - sampler.own_cpu
    children_cpu = sum(sampler.cpu.values())
    size = path.stat().st_size
    print(
        f"  {written} badges, {layout}, {workers} workers, chunks of {chunk_size}: "
        f"{wall:.1f} s wall "
        f"({wall / written * 1000:.1f} ms a badge), file {size / 2**20:.1f} MiB; peak memory "
        f"of {sampler.peak_processes} processes: RSS {sampler.peak_rss / 1024:.0f} MiB, "
        f"PSS {sampler.peak_pss / 1024:.0f} MiB; CPU: workers {children_cpu:.1f} s "
        f"({children_cpu / written * 1000:.1f} ms a badge), parent {parent_cpu:.1f} s"
    )
    from pypdf import PdfReader

    assert len(PdfReader(path).pages) == (written if layout == "a6" else -(-written // 4))
    path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--guests", type=int, default=3000)
    parser.add_argument("--renders", type=int, default=120)
    parser.add_argument("--layouts", nargs="+", default=["a6", "a4-4up"])
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--chunk-size", type=int, default=None)
    parser.add_argument("--scaling", action="store_true", help="also bulk a third of the guests")
    parser.add_argument("--skip-single", action="store_true")
    parser.add_argument(
        "--public-names", action="store_true", help="names laid out by WeasyPrint's public API"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bayline-bench-badges-") as name:
        directory = Path(name)
        setup_django(directory, public_names=args.public_names)
        from ctypes.util import find_library

        from django.conf import settings

        from badges.printing import default_workers

        workers = args.workers or default_workers()
        chunk_size = args.chunk_size or settings.BADGE_PRINT_CHUNK_SIZE
        names = "names adapter" if settings.BADGE_NAMES_ADAPTER else "public API"
        harfbuzz = "yes" if find_library("harfbuzz-subset") else "NO (fontTools)"
        print(
            f"CPUs available: {len(os.sched_getaffinity(0))}; workers: {workers}; "
            f"names: {names}; HarfBuzz subsetting: {harfbuzz}; "
            f"load average before: {os.getloadavg()[0]:.2f}"
        )
        started = time.perf_counter()
        summit, door = seed(args.guests)
        print(f"Seeded {args.guests} guests with badges in {time.perf_counter() - started:.1f} s")
        if not args.skip_single:
            bench_qr()
            bench_single(args.renders, door)
        print("Bulk print file:")
        for layout in args.layouts:
            if args.scaling:
                bench_bulk(summit, args.guests // 3, layout, workers, directory, chunk_size)
            bench_bulk(summit, args.guests, layout, workers, directory, chunk_size)
        print(f"Load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
