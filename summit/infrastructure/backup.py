"""Back up and restore the whole database, for operators.

PostgreSQL: ``pg_dump --format=custom`` (compressed, restorable table by table) and
``pg_restore --clean --if-exists`` into the configured database, with ``--single-transaction``
so a failed restore leaves the database as it was. SQLite (development): SQLite's online
backup API, consistent while the server runs.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections

from summit.infrastructure.signals import database_restored


class BackupError(Exception):
    pass


def _postgres_environment(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    arguments = [
        "--host", settings_dict.get("HOST") or "localhost",
        "--port", str(settings_dict.get("PORT") or 5432),
        "--username", settings_dict.get("USER") or "postgres",
        "--no-password",
    ]  # fmt: skip
    environment = {**os.environ}
    if settings_dict.get("PASSWORD"):
        # Passed through the environment, never on the command line (visible in `ps`).
        environment["PGPASSWORD"] = settings_dict["PASSWORD"]
    return arguments, environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian package postgresql-client).")
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or f"{command[0]} failed")


def backup_database(out: Path, *, alias: str = "default") -> Path:
    settings_dict = connections[alias].settings_dict
    vendor = connections[alias].vendor
    if vendor == "postgresql":
        arguments, environment = _postgres_environment(settings_dict)
        command = ["pg_dump", *arguments, "--format=custom", "--no-owner", "--file", str(out)]
        _run([*command, settings_dict["NAME"]], environment)
    elif vendor == "sqlite":
        source = connections[alias]
        source.ensure_connection()
        with sqlite3.connect(out) as target:
            source.connection.backup(target)
    else:
        raise BackupError(f"No backup method for {vendor}.")
    return out


def restore_database(source: Path, *, alias: str = "default") -> None:
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    settings_dict = connections[alias].settings_dict
    vendor = connections[alias].vendor
    connections[alias].close()
    if vendor == "postgresql":
        arguments, environment = _postgres_environment(settings_dict)
        command = [
            "pg_restore", *arguments, "--clean", "--if-exists", "--no-owner",
            "--single-transaction", "--dbname", settings_dict["NAME"], str(source),
        ]  # fmt: skip
        _run(command, environment)
    elif vendor == "sqlite":
        target = connections[alias]
        target.ensure_connection()
        with sqlite3.connect(source) as backup:
            backup.backup(target.connection)
    else:
        raise BackupError(f"No restore method for {vendor}.")
    database_restored.send(sender=restore_database)
