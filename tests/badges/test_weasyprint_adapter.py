"""The names adapter (WeasyPrint's internals) against the public API path, and its version check."""

from dataclasses import replace

import pytest

from badges import checks, rendering
from badges.layout import LAYOUT_A4_4UP, LAYOUT_A6
from badges.rendering import Renderer
from badges.weasyprint_adapter import WEASYPRINT_VERSION
from tests.badges import pdfs, pixels

FACES = [
    *pixels.FACES,
    replace(pixels.FACES[0], badge_id=11, name="欧阳" * 12, name_latin="Ouyang " * 12),
    replace(pixels.FACES[3], badge_id=12, name_latin="Ana\tde\nSousa", organisation=" Macau "),
    replace(pixels.FACES[1], badge_id=13, name="李 Lee", name_latin="", job_title="W" * 90),
    replace(pixels.FACES[2], badge_id=14, name="Zoë · Çelik", organisation="", job_title=""),
]


@pytest.mark.parametrize("layout_name", [LAYOUT_A6, LAYOUT_A4_4UP])
def test_adapter_and_public_api_render_the_same_pages(layout_name):
    adapted = Renderer(names_adapter=True).render(pixels.SUMMIT, FACES, layout_name=layout_name)
    public = Renderer(names_adapter=False).render(pixels.SUMMIT, FACES, layout_name=layout_name)

    adapted_images, public_images = pixels.page_images(adapted), pixels.page_images(public)
    assert (
        len(adapted_images) == len(public_images) == {LAYOUT_A6: 14, LAYOUT_A4_4UP: 4}[layout_name]
    )
    differences = [
        pixels.different_pixels(first, second)
        for first, second in zip(adapted_images, public_images, strict=True)
    ]
    assert differences == [0] * len(adapted_images)
    assert [pdfs.text(page) for page in pdfs.pages(adapted)] == [
        pdfs.text(page) for page in pdfs.pages(public)
    ]


def test_the_setting_chooses_how_names_are_drawn(settings):
    settings.BADGE_NAMES_ADAPTER = False
    public = rendering.renderer()
    settings.BADGE_NAMES_ADAPTER = True
    adapted = rendering.renderer()

    assert (public.name_styles, adapted.name_styles is not None) == (None, True)


def test_check_passes_with_the_version_the_adapter_was_written_for(settings, monkeypatch):
    settings.BADGE_NAMES_ADAPTER = True
    monkeypatch.setattr(checks, "installed_weasyprint", lambda: WEASYPRINT_VERSION)

    assert checks.check_weasyprint_adapter(None) == []


def test_check_refuses_another_weasyprint_version(settings, monkeypatch):
    settings.BADGE_NAMES_ADAPTER = True
    monkeypatch.setattr(checks, "installed_weasyprint", lambda: "71.0")

    [error] = checks.check_weasyprint_adapter(None)

    assert error.id == "badges.E001"
    assert error.is_serious()
    assert "WeasyPrint 71.0 is installed" in error.msg
    assert "BADGE_NAMES_ADAPTER=false" in error.hint


def test_check_accepts_any_version_when_the_public_api_draws_names(settings, monkeypatch):
    settings.BADGE_NAMES_ADAPTER = False
    monkeypatch.setattr(checks, "installed_weasyprint", lambda: "71.0")

    assert checks.check_weasyprint_adapter(None) == []


def test_installed_weasyprint_is_the_adapters():
    # The pinned dependency (pyproject.toml) and the adapter agree.
    assert checks.installed_weasyprint() == WEASYPRINT_VERSION


def test_manage_py_check_runs_the_adapter_check(settings, monkeypatch):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.BADGE_NAMES_ADAPTER = True
    monkeypatch.setattr(checks, "installed_weasyprint", lambda: "71.0")

    with pytest.raises(SystemCheckError, match=r"badges\.E001"):
        call_command("check")
