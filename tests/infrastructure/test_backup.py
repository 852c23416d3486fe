"""Backup and restore round-trip, on whichever database the suite runs (SQLite or PostgreSQL)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sessions.models import Forum
from summit.models import Summit
from tests import factories


@pytest.mark.django_db(transaction=True)
def test_restore_brings_back_what_the_backup_saw(tmp_path):
    summit = factories.SummitFactory()
    factories.ForumFactory(summit=summit, slug="digital-gba", title_zh_hant="數字灣區")
    backup = tmp_path / "bayline.dump"
    call_command("backup_db", out=backup)

    Forum.objects.all().delete()
    Summit.objects.update(capacity=1)
    call_command("restore_db", str(backup), yes=True)

    assert list(Forum.objects.values_list("slug", "title_zh_hant")) == [("digital-gba", "數字灣區")]
    assert Summit.objects.get().capacity == 3200


@pytest.mark.django_db
def test_restore_of_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No backup file at"):
        call_command("restore_db", str(tmp_path / "missing.dump"), yes=True)


@pytest.mark.django_db(transaction=True)
def test_restore_drops_what_caches_derived_from_the_replaced_rows(tmp_path):
    from registration.choosable import choosable_ids
    from summit.selectors import current_summit

    summit = factories.SummitFactory()
    kept = factories.ForumFactory(summit=summit, slug="kept")
    backup = tmp_path / "bayline.dump"
    call_command("backup_db", out=backup)
    gone = factories.ForumFactory(summit=summit, slug="gone")
    newer = factories.SummitFactory(
        slug="newer",
        starts_on=summit.starts_on.replace(year=2030),
        ends_on=summit.ends_on.replace(year=2030),
    )
    assert choosable_ids(summit, {kept.pk, gone.pk}, set())[0] == {kept.pk, gone.pk}
    assert current_summit() == newer  # both now cached

    call_command("restore_db", str(backup), yes=True)

    assert choosable_ids(summit, {kept.pk, gone.pk}, set())[0] == {kept.pk}
    assert current_summit() == summit
