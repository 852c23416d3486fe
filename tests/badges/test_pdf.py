"""Badge PDFs read back: size, text layer, real glyphs, decodable and verifiable QR codes."""

import pytest

from badges.layout import LAYOUT_A4_4UP, LAYOUT_A6, BadgeFace
from badges.printing import badge_face, render_badge_pdf, summit_face
from badges.rendering import render_badges
from badges.services import issue_badge
from badges.signing import verify_code
from tests import factories
from tests.badges import pdfs

FORTY_CHARACTERS = "Maria Fernanda dos Santos Conceição Lima"

GUESTS = [
    # name, Latin name, organisation, category, language
    ("陈大文", "Chan Tai Man", "数字湾区发展中心", "vip", "zh-hans"),
    ("陳大文", "Chan Tai Man", "香港特別行政區政府數字政策辦公室", "speaker", "zh-hant"),
    (
        "",
        "João Conceição",
        "Direcção dos Serviços de Administração e Função Pública",
        "media",
        "en",
    ),
    ("", FORTY_CHARACTERS, "Universidade de Macau", "delegate", "en"),
    ("欧阳娜娜", "Ouyang Nana", "数字湾区", "staff", "zh-hans"),
]


def badge_of(summit, name, name_latin, organisation, category, language):
    registration = factories.RegistrationFactory(
        summit=summit,
        name=name,
        name_latin=name_latin,
        organisation=organisation,
        category=category,
        language=language,
    )
    return issue_badge(registration)


@pytest.mark.django_db
@pytest.mark.parametrize("guest", GUESTS, ids=[guest[1] or guest[0] for guest in GUESTS])
def test_badge_pdf_is_a6_with_names_real_glyphs_and_verifiable_qr(summit, guest):
    badge = badge_of(summit, *guest)

    with pdfs.weasyprint_log() as warnings:
        content = render_badge_pdf(badge)

    pages = pdfs.pages(content)
    assert len(pages) == 1
    assert pdfs.page_size_mm(pages[0]) == (105, 148)
    assert pdfs.title(content) == badge.registration.display_name
    # Lines break where the layout chose; compare without spaces.
    text = pdfs.text(pages[0]).replace(" ", "")
    for expected in filter(None, guest[:3]):
        assert expected.replace(" ", "") in text
    assert [record.getMessage() for record in warnings] == []
    codes = pdfs.qr_codes(content)
    assert len(codes) == 1
    verified = verify_code(codes[0])
    assert (verified.badge_id, verified.serial) == (badge.pk, badge.serial)


@pytest.mark.django_db
def test_badge_pdf_text_layer_holds_chinese_and_accented_names_exactly(summit):
    chinese = badge_of(summit, "陳大文", "Chan Tai Man", "數字灣區", "vip", "zh-hant")
    portuguese = badge_of(summit, "", "João Conceição", "Universidade de Macau", "media", "en")

    chinese_text = pdfs.text(pdfs.pages(render_badge_pdf(chinese))[0])
    portuguese_text = pdfs.text(pdfs.pages(render_badge_pdf(portuguese))[0])

    assert "陳大文" in chinese_text
    assert "數字灣區" in chinese_text
    assert "數字政府建設峰會暨數字灣區發展論壇" in chinese_text
    assert "貴賓" in chinese_text
    assert "João Conceição" in portuguese_text
    assert "MEDIA" in portuguese_text


@pytest.mark.django_db
def test_badge_pdf_uses_the_guests_chinese_script(summit):
    simplified = badge_of(summit, "王晓明", "Wang Xiaoming", "数字湾区", "speaker", "zh-hans")
    traditional = badge_of(summit, "陳大文", "Chan Tai Man", "數字灣區", "speaker", "zh-hant")

    simplified_text = pdfs.text(pdfs.pages(render_badge_pdf(simplified))[0])
    traditional_text = pdfs.text(pdfs.pages(render_badge_pdf(traditional))[0])

    assert "数字政府建设峰会暨数字湾区发展论坛" in simplified_text
    assert "演讲嘉宾" in simplified_text
    assert "數字政府建設峰會暨數字灣區發展論壇" in traditional_text
    assert "演講嘉賓" in traditional_text


@pytest.mark.django_db
def test_forty_character_name_shrinks_to_fit_inside_the_badge(summit):
    badge = badge_of(summit, "", FORTY_CHARACTERS, "Universidade de Macau", "delegate", "en")

    content = render_badge_pdf(badge)

    boxes = pdfs.character_boxes(content)
    # Nothing closer than 5 mm to the badge's left or right edge.
    margin, width = 5 * 72 / 25.4, 105 * 72 / 25.4
    assert len(FORTY_CHARACTERS) == 40
    assert all(left >= margin and right <= width - margin for _, (left, _, right, _) in boxes)
    name_characters = "".join(char for char, _ in boxes)
    assert FORTY_CHARACTERS.replace(" ", "") in name_characters.replace(" ", "").replace("\r\n", "")


@pytest.mark.django_db
def test_missing_glyph_is_caught_by_the_weasyprint_log(summit):
    # The check the other tests rely on: a character no installed font has (an Egyptian
    # hieroglyph) makes WeasyPrint log a .notdef warning.
    face = BadgeFace(1, 1, "A" * 116, "𓀀", "X", "", "", "vip", "贵宾", "VIP")

    with pdfs.weasyprint_log() as warnings:
        render_badges(summit_face(summit), [face])

    assert any(".notdef" in record.getMessage() for record in warnings)


def test_harfbuzz_subset_is_installed_for_weasyprint_to_subset_fonts_with():
    # Without it WeasyPrint subsets fonts with fontTools, much more slowly.
    from ctypes.util import find_library

    assert find_library("harfbuzz-subset") is not None


@pytest.mark.django_db
def test_four_up_sheet_is_a4_with_four_decodable_badges(summit):
    badges = [badge_of(summit, *guest) for guest in GUESTS]
    faces = [badge_face(badge) for badge in badges]

    with pdfs.weasyprint_log() as warnings:
        content = render_badges(summit_face(summit), faces, layout_name=LAYOUT_A4_4UP)

    pages = pdfs.pages(content)
    assert [pdfs.page_size_mm(page) for page in pages] == [(210, 297), (210, 297)]
    assert warnings == []
    first_page = {verify_code(code).badge_id for code in pdfs.qr_codes(content, 0)}
    second_page = {verify_code(code).badge_id for code in pdfs.qr_codes(content, 1)}
    assert first_page == {badge.pk for badge in badges[:4]}
    assert second_page == {badges[4].pk}


@pytest.mark.django_db
def test_a6_layout_puts_one_badge_on_each_page_in_order(summit):
    badges = [badge_of(summit, *guest) for guest in GUESTS[:3]]

    content = render_badges(
        summit_face(summit), [badge_face(badge) for badge in badges], layout_name=LAYOUT_A6
    )

    assert [pdfs.page_size_mm(page) for page in pdfs.pages(content)] == [(105, 148)] * 3
    assert [verify_code(pdfs.qr_codes(content, i)[0]).badge_id for i in range(3)] == [
        badge.pk for badge in badges
    ]


@pytest.mark.django_db
def test_four_up_names_are_centred_in_the_names_block_of_their_own_badge(summit):
    badges = [badge_of(summit, *guest) for guest in GUESTS[:4]]
    faces = [badge_face(badge) for badge in badges]

    content = render_badges(summit_face(summit), faces, layout_name=LAYOUT_A4_4UP)

    mm = 72 / 25.4
    lines: dict = {}  # badge (column, row) -> lines as [middle, height, left, right] in mm
    boxes = pdfs.character_boxes(content)
    for char, (left, bottom, right, top) in sorted(boxes, key=lambda box: -box[1][3]):
        x, y = (left + right) / 2 / mm, 297 - (bottom + top) / 2 / mm  # mm from top-left
        column, row = int(x // 105), int(y // 148)
        if char.isspace() or not 30 <= y - 148 * row <= 75:  # the names block only
            continue
        badge_lines = lines.setdefault((column, row), [])
        line = next((line for line in badge_lines if abs(line[0] - y) < line[1] / 2), None)
        if line is None:
            badge_lines.append([y, (top - bottom) / mm, left / mm, right / mm])
        else:
            line[2], line[3] = min(line[2], left / mm), max(line[3], right / mm)
    assert set(lines) == {(0, 0), (1, 0), (0, 1), (1, 1)}
    for (column, _), badge_lines in lines.items():
        assert len(badge_lines) >= 2  # name and organisation at least
        for _, _, left, right in badge_lines:
            assert abs((left + right) / 2 - (105 * column + 52.5)) < 1.5
