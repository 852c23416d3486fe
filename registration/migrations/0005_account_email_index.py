"""An index for the look-up of an account by its e-mail in any case, made by every accepted
invitation (registration.invitations.account_exists): Django's ``iexact`` compares
``UPPER(email)``, which auth_user has no index for. auth is not our app, hence plain SQL
(PostgreSQL and SQLite both index expressions)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0004_invitation_answers"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS registration_account_email_upper "
            "ON auth_user (UPPER(email))",
            "DROP INDEX IF EXISTS registration_account_email_upper",
        )
    ]
