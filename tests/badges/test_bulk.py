"""Bulk print files: order, filters, chunks rendered in a process pool, jobs, the command."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from badges import services
from badges.models import PrintJob
from badges.printing import render_print_file
from badges.selectors import badges_to_print
from badges.services import issue_badge
from badges.signing import verify_code
from registration.models import Registration
from tests import factories
from tests.badges import pdfs

NAMES = [
    # Latin name, native name, organisation, category, region
    ("Zhang Wei", "张伟", "Alpha Bureau", "vip", "guangdong"),
    ("Ana Sousa", "", "Zeta University", "media", "macao"),
    ("Chan Tai Man", "陳大文", "Delta Office", "speaker", "hong_kong"),
    ("Li Na", "李娜", "Beta Agency", "delegate", "mainland"),
    ("Bob Smith", "", "Gamma Ltd", "staff", "overseas"),
]


@pytest.fixture
def guests(summit):
    return [
        factories.RegistrationFactory(
            summit=summit,
            name_latin=latin,
            name=native,
            organisation=organisation,
            category=category,
            region=region,
        )
        for latin, native, organisation, category, region in NAMES
    ]


def badge_ids_by_page(content: bytes) -> list[int]:
    return [
        verify_code(pdfs.qr_codes(content, index)[0]).badge_id
        for index in range(len(pdfs.pages(content)))
    ]


def badge_ids(registrations) -> list[int]:
    return [issue_badge(registration).pk for registration in registrations]


@pytest.mark.django_db
def test_bulk_file_sorted_by_name_in_process(summit, guests):
    ids = dict(zip([name for name, *_ in NAMES], badge_ids(guests), strict=True))
    target = io.BytesIO()
    progress = []

    count = render_print_file(
        badges_to_print(summit, filters={}, order="name"),
        summit,
        target,
        workers=1,
        progress=lambda done, total: progress.append((done, total)),
    )

    content = target.getvalue()
    assert count == 5
    assert progress == [(5, 5)]
    expected = ["Ana Sousa", "Bob Smith", "Chan Tai Man", "Li Na", "Zhang Wei"]
    assert badge_ids_by_page(content) == [ids[name] for name in expected]


@pytest.mark.django_db(transaction=True)
def test_bulk_file_rendered_in_a_process_pool_keeps_order_and_reports_progress(summit, guests):
    ids = dict(
        zip([organisation for _, _, organisation, *_ in NAMES], badge_ids(guests), strict=True)
    )
    target = io.BytesIO()
    progress = []

    count = render_print_file(
        badges_to_print(summit, filters={}, order="organisation"),
        summit,
        target,
        layout_name="a6",
        workers=2,
        chunk_size=2,
        progress=lambda done, total: progress.append((done, total)),
    )

    content = target.getvalue()
    assert count == 5
    assert progress == [(2, 5), (4, 5), (5, 5)]
    assert [pdfs.page_size_mm(page) for page in pdfs.pages(content)] == [(105, 148)] * 5
    expected = ["Alpha Bureau", "Beta Agency", "Delta Office", "Gamma Ltd", "Zeta University"]
    assert badge_ids_by_page(content) == [ids[organisation] for organisation in expected]


@pytest.mark.django_db
@pytest.mark.parametrize("layout_name", ["a6", "a4-4up"])
def test_bulk_file_text_layer_holds_the_names_with_real_glyphs(summit, guests, layout_name):
    badge_ids(guests)
    target = io.BytesIO()

    with pdfs.weasyprint_log() as warnings:
        render_print_file(
            badges_to_print(summit, filters={}, order="name"),
            summit,
            target,
            layout_name=layout_name,
            workers=1,
            chunk_size=4,
        )

    text = " ".join(pdfs.text(page) for page in pdfs.pages(target.getvalue()))
    for expected in ("陳大文", "Chan Tai Man", "张伟", "Ana Sousa", "Zeta University"):
        assert expected in text
    assert "數字政府建設峰會暨數字灣區發展論壇" in text  # a background, drawn as a form
    assert [record.getMessage() for record in warnings] == []


@pytest.mark.django_db
def test_four_up_chunks_hold_whole_sheets_whatever_the_chunk_size(summit, guests):
    ids = badge_ids(guests)
    target = io.BytesIO()

    count = render_print_file(
        badges_to_print(summit, filters={}, order="name"),
        summit,
        target,
        layout_name="a4-4up",
        workers=1,
        chunk_size=3,
    )

    content = target.getvalue()
    assert count == 5
    assert [pdfs.page_size_mm(page) for page in pdfs.pages(content)] == [(210, 297)] * 2
    first = {verify_code(code).badge_id for code in pdfs.qr_codes(content, 0)}
    second = {verify_code(code).badge_id for code in pdfs.qr_codes(content, 1)}
    assert (len(first), len(second)) == (4, 1)
    assert first | second == set(ids)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"category": "vip"}, ["Zhang Wei"]),
        ({"region": "macao"}, ["Ana Sousa"]),
        ({"category": "media", "region": "guangdong"}, []),
        ({}, ["Ana Sousa", "Bob Smith", "Chan Tai Man", "Li Na", "Zhang Wei"]),
    ],
)
def test_bulk_filters_by_category_and_region(summit, guests, filters, expected):
    badge_ids(guests)

    badges = badges_to_print(summit, filters=filters, order="name")

    assert [badge.registration.name_latin for badge in badges] == expected


@pytest.mark.django_db
def test_bulk_filter_by_forum_counts_forum_and_session_enrolments(summit, guests):
    badge_ids(guests)
    forum = factories.ForumFactory(summit=summit, slug="digital-gba")
    factories.EnrolmentFactory(registration=guests[0], forum=forum)
    session = factories.SessionFactory(forum=forum)
    factories.EnrolmentFactory(registration=guests[1], forum=None, session=session)
    factories.EnrolmentFactory(registration=guests[2], forum=forum, status="waitlisted")

    badges = badges_to_print(summit, filters={"forum": "digital-gba"}, order="name")

    assert [badge.registration.name_latin for badge in badges] == ["Ana Sousa", "Zhang Wei"]


@pytest.mark.django_db
def test_bulk_leaves_out_revoked_badges_and_unconfirmed_guests(summit, guests):
    badge_ids(guests)
    services.reissue_badge(guests[0])
    guests[1].status = Registration.Status.CANCELLED
    guests[1].save()

    badges = badges_to_print(summit, filters={}, order="name")

    assert [(badge.registration.name_latin, badge.serial) for badge in badges] == [
        ("Bob Smith", 1),
        ("Chan Tai Man", 1),
        ("Li Na", 1),
        ("Zhang Wei", 2),
    ]


@pytest.mark.django_db
def test_print_job_from_the_page_renders_in_the_task_and_downloads(
    organiser_client, summit, guests, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            reverse("badges:print-jobs"),
            {"layout": "a4-4up", "order": "name", "forum": "", "category": "", "region": ""},
        )

    job = PrintJob.objects.get()
    status = organiser_client.get(reverse("badges:print-job-status", args=[job.pk])).json()
    download = organiser_client.get(reverse("badges:print-job-download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    assert response.status_code == 302
    assert (job.status, job.done, job.total, job.layout) == ("done", 5, 5, "a4-4up")
    assert status["status"] == "done"
    assert status["percent"] == 100
    assert status["download_url"] == reverse("badges:print-job-download", args=[job.pk])
    assert [pdfs.page_size_mm(page) for page in pdfs.pages(content)] == [(210, 297)] * 2
    assert len(pdfs.qr_codes(content, 0)) == 4
    assert all(registration.badges.count() == 1 for registration in guests)


@pytest.mark.django_db
def test_print_job_page_shows_progress_of_a_running_job(organiser_client, summit):
    job = factories.PrintJobFactory(summit=summit, status="running", done=300, total=3000)

    response = organiser_client.get(reverse("badges:print-jobs"))

    assert reverse("badges:print-job-status", args=[job.pk]) in response.text
    assert 'value="10"' in response.text
    assert "Rendering: 300 of 3000 badges" in response.text


@pytest.mark.django_db
def test_print_job_that_fails_is_marked_failed_with_the_error(
    summit, guests, media_root, monkeypatch
):
    job = factories.PrintJobFactory(summit=summit)

    def broken(*args, **kwargs):
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(services, "render_print_file", broken)
    with pytest.raises(RuntimeError):
        services.run_print_job(job.pk)

    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "printer on fire")


@pytest.mark.django_db
def test_invalid_print_form_creates_no_job(organiser_client, summit):
    response = organiser_client.post(
        reverse("badges:print-jobs"), {"layout": "a3", "order": "name"}
    )

    assert response.status_code == 200
    assert PrintJob.objects.count() == 0


@pytest.mark.django_db
def test_render_badges_command_writes_the_filtered_file(summit, guests, tmp_path):
    out = tmp_path / "vip.pdf"

    call_command(
        "render_badges",
        "--out",
        str(out),
        "--layout",
        "a4-4up",
        "--order",
        "organisation",
        "--category",
        "vip",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )

    content = out.read_bytes()
    assert [pdfs.page_size_mm(page) for page in pdfs.pages(content)] == [(210, 297)]
    codes = pdfs.qr_codes(content, 0)
    assert [verify_code(code).badge_id for code in codes] == [guests[0].badges.get().pk]
    assert pdfs.title(content) == f"{summit.name_en} · badges"


@pytest.mark.django_db
def test_render_badges_command_refuses_an_unknown_forum(summit, tmp_path):
    with pytest.raises(CommandError, match="No forum"):
        call_command("render_badges", "--out", str(tmp_path / "x.pdf"), "--forum", "nope")
