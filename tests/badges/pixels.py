"""Badge pages as images, compared with reference images of the renderer they replace.

The reference images in tests/badges/reference/ were rendered from FACES by the badge renderer
of commit 3c33b60 (the one that drew names and QR codes through WeasyPrint's and pydyf's
internals). Every page of today's renderer must match them pixel for pixel, except inside
the QR squares: the QR symbol may change (qrcode with a fixed mask), its place may not.

When the badge's design changes on purpose (templates, stylesheet, layout.py), look at the
new pages, then write new references with

    .venv/bin/python -m tests.badges.pixels
"""

import io
from pathlib import Path

from badges import layout
from badges.layout import LAYOUT_A4_4UP, LAYOUT_A6, BadgeFace, SummitFace

REFERENCE = Path(__file__).resolve().parent / "reference"
SCALE = 2  # pixels per PDF point: 144 dpi, a pixel is 0.18 mm
# Pixels left around each QR square in the comparison (anti-aliased edges of the symbol).
QR_MARGIN = 2

SUMMIT = SummitFace(
    name_zh_hans="数字政府建设峰会暨数字湾区发展论坛",
    name_zh_hant="數字政府建設峰會暨數字灣區發展論壇",
    name_en="Digital Government Summit and Forum on Digital GBA",
    dates_zh_hans="2026年12月8日至10日 · 广州",
    dates_zh_hant="2026年12月8日至10日 · 廣州",
    dates_en="8–10 December 2026, Guangzhou",
)

WORDS = {
    ("vip", "zh-hans"): ("贵宾", "VIP"),
    ("speaker", "zh-hant"): ("演講嘉賓", "SPEAKER"),
    ("media", "zh-hant"): ("媒體", "MEDIA"),
    ("delegate", "zh-hans"): ("代表", "DELEGATE"),
    ("staff", "zh-hans"): ("工作人员", "STAFF"),
    ("delegate", "zh-hant"): ("代表", "DELEGATE"),
    ("speaker", "zh-hans"): ("演讲嘉宾", "SPEAKER"),
}


def _face(number, name, latin, organisation, job_title, category, script) -> BadgeFace:
    chinese, english = WORDS[category, script]
    # Any 116-character base32 text: the QR squares are left out of the comparison.
    code = f"{number:02d}".translate(str.maketrans("0123456789", "ABCDEFGHIJ")) * 58
    return BadgeFace(
        badge_id=number,
        serial=1,
        code=code,
        name=name,
        name_latin=latin,
        organisation=organisation,
        job_title=job_title,
        category=category,
        category_zh=chinese,
        category_en=english,
        script=script,
    )


FACES = [
    _face(1, "陈大文", "Chan Tai Man", "数字湾区发展中心", "处长", "vip", "zh-hans"),
    _face(
        2,
        "陳大文",
        "Chan Tai Man",
        "香港特別行政區政府數字政策辦公室",
        "總監",
        "speaker",
        "zh-hant",
    ),
    _face(
        3,
        "",
        "João Conceição",
        "Direcção dos Serviços de Administração e Função Pública",
        "Técnico Superior",
        "media",
        "zh-hant",
    ),
    _face(
        4,
        "",
        "Maria Fernanda dos Santos Conceição Lima",
        "Universidade de Macau",
        "Professora Associada de Ciências da Computação e Engenharia Informática",
        "delegate",
        "zh-hans",
    ),
    _face(5, "欧阳娜娜", "Ouyang Nana", "数字湾区", "", "staff", "zh-hans"),
    _face(
        6,
        "阿卜杜热合曼·买买提明",
        "Abdurahman Memetimin",
        "新疆维吾尔自治区人民政府办公厅信息中心数据资源管理处",
        "副处长",
        "delegate",
        "zh-hans",
    ),
    _face(7, "", "Emily Watson", "", "", "delegate", "zh-hans"),
    _face(8, "Inês Araújo", "Inês Araújo", "O'Brien & Sons <Ltd>", "CEO", "speaker", "zh-hans"),
    _face(
        9,
        "  黃 嘉欣 ",
        "  Wong   Ka Yan ",
        "Digital Policy Office",
        "Chief Digital Officer",
        "delegate",
        "zh-hant",
    ),
    _face(10, "王晓明", "", "广东省政务服务和数据管理局", "Director", "vip", "zh-hans"),
]


def page_images(content: bytes) -> list:
    """Every page of a PDF as an RGB Pillow image at SCALE pixels per point."""
    import pypdfium2

    document = pypdfium2.PdfDocument(content)
    try:
        return [page.render(scale=SCALE).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


def qr_boxes(layout_name: str) -> list[tuple[int, int, int, int]]:
    """The QR squares of a page of ``layout_name``, in pixels (left, top, right, bottom)."""
    mm = layout.MM * SCALE
    boxes = []
    for left, top in layout.cell_origins(layout_name):
        x, y = (left + layout.QR_LEFT) * mm, (top + layout.QR_TOP) * mm
        size = layout.QR_SIZE * mm
        boxes.append(
            (
                int(x) - QR_MARGIN,
                int(y) - QR_MARGIN,
                int(x + size) + 1 + QR_MARGIN,
                int(y + size) + 1 + QR_MARGIN,
            )
        )
    return boxes


def without_qr(image, layout_name: str):
    """A copy of a page image with its QR squares painted white."""
    from PIL import ImageDraw

    copy = image.copy()
    draw = ImageDraw.Draw(copy)
    for left, top, right, bottom in qr_boxes(layout_name):
        draw.rectangle((left, top, right - 1, bottom - 1), fill=(255, 255, 255))
    return copy


def different_pixels(first, second) -> int:
    """How many pixels of two same-sized RGB images differ in any channel."""
    from PIL import ImageChops

    if first.size != second.size:
        raise ValueError(f"sizes differ: {first.size} and {second.size}")
    difference = ImageChops.difference(first, second).convert("L").point(lambda v: 255 * (v > 0))
    return difference.histogram()[255]


def reference_path(layout_name: str, index: int) -> Path:
    return REFERENCE / f"{layout_name}-{index + 1:02d}.png"


def reference_images(layout_name: str) -> list:
    from PIL import Image

    paths = sorted(REFERENCE.glob(f"{layout_name}-*.png"))
    images = []
    for path in paths:
        with Image.open(path) as image:
            images.append(image.convert("RGB"))
    return images


def render(layout_name: str, *, names_adapter: bool = True) -> bytes:
    from badges.rendering import Renderer

    return Renderer(names_adapter=names_adapter).render(SUMMIT, FACES, layout_name=layout_name)


def differences_from_references(content: bytes, layout_name: str) -> list[int]:
    """For each page, how many pixels outside the QR squares differ from its reference."""
    references = reference_images(layout_name)
    images = page_images(content)
    if len(images) != len(references):
        raise AssertionError(f"{len(images)} pages, {len(references)} reference images")
    return [
        different_pixels(without_qr(image, layout_name), reference)
        for image, reference in zip(images, references, strict=True)
    ]


def write_references() -> None:
    REFERENCE.mkdir(exist_ok=True)
    for old in REFERENCE.glob("*.png"):
        old.unlink()
    for layout_name in (LAYOUT_A6, LAYOUT_A4_4UP):
        for index, image in enumerate(page_images(render(layout_name))):
            buffer = io.BytesIO()
            without_qr(image, layout_name).save(buffer, format="PNG", optimize=True)
            reference_path(layout_name, index).write_bytes(buffer.getvalue())


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "summit.settings")
    django.setup()
    write_references()
