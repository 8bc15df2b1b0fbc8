"""Consistent copies of the database into dated files, and bringing one back."""
import datetime
import os
import shutil
import sqlite3
import subprocess

from .base import db, is_sqlite

PG_BIN = "/usr/lib/postgresql/15/bin"
KEEP = 10


def _pg_tool(name):
    """pg_dump/psql from PATH, else from the PostgreSQL 15 install."""
    found = shutil.which(name)
    return found or os.path.join(PG_BIN, name)


def backup_database(directory, tag="backup"):
    """Write a consistent copy of the live database into `directory`; return its path.

    SQLite uses the online backup API, so writers may go on meanwhile; PostgreSQL uses pg_dump.
    """
    os.makedirs(directory, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    if is_sqlite():
        path = os.path.join(directory, f"frontdesk-{stamp}-{tag}.db")
        target = sqlite3.connect(path)
        try:
            db.connection().backup(target)
        finally:
            target.close()
    else:
        path = os.path.join(directory, f"frontdesk-{stamp}-{tag}.sql")
        subprocess.run([_pg_tool("pg_dump"), "--no-owner", "--clean", "--if-exists",
                        "-f", path, _pg_dsn()], check=True, capture_output=True)
    _prune(directory)
    return path


def restore_database(path):
    """Replace the live database's contents with the backup at `path`."""
    if is_sqlite():
        source = sqlite3.connect(path)
        try:
            source.backup(db.connection())
        finally:
            source.close()
    else:
        subprocess.run([_pg_tool("psql"), "-q", "-v", "ON_ERROR_STOP=1", "-f", path, _pg_dsn()],
                       check=True, capture_output=True)


def list_backups(directory):
    """Backup files in `directory`, newest first."""
    if not os.path.isdir(directory):
        return []
    names = [n for n in os.listdir(directory) if n.startswith("frontdesk-")]
    return [os.path.join(directory, n) for n in sorted(names, reverse=True)]


def _prune(directory):
    for old in list_backups(directory)[KEEP:]:
        os.remove(old)


def _pg_dsn():
    params = db.obj.connect_params
    parts = [f"dbname={db.obj.database}"]
    for key in ("host", "port", "user", "password"):
        if params.get(key):
            parts.append(f"{key}={params[key]}")
    return " ".join(parts)
