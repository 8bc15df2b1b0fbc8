"""Load a benchmark dataset (bench/data/<size>.db) into a fresh PostgreSQL database.

    python bench/topg.py --size large postgresql://me@127.0.0.1:5432/postgres

Creates the database bench_<size> beside the one the URL names (dropping an older one), builds
the app's schema in it with schema.upgrade(), and copies every table's rows with COPY, foreign
key checks off for the copy (the rows come from a consistent SQLite file). Sequences are set past
the largest id and the tables vacuumed and analysed, as after a restore. Prints the new
database's URL.
"""
import argparse
import io
import os
import sqlite3
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
DATA = os.path.join(HERE, "data")
BATCH = 20_000


def database_url(server_url, name, socket=None):
    """The URL of database `name` on the server `server_url` names; through its Unix socket
    when `socket` ("host=DIR&port=N") is given."""
    parts = urlsplit(server_url)
    if socket:
        user = parts.netloc.split("@")[0] if "@" in parts.netloc else ""
        return urlunsplit((parts.scheme, f"{user}@" if user else "", "/" + name, socket, ""))
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def recreate(server_url, name):
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def build_schema(url):
    from app import create_app
    from models import db, schema
    application = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-load"})
    with application.app_context(), db.connection_context():
        schema.upgrade()
    db.close()


def copy_text(value):
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    text = str(value)
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def column_defaults(table):
    """{column: default as stored} of the app's model for `table` (fields with a default)."""
    from models import MODELS
    for model in MODELS:
        if model._meta.table_name == table:
            return {f.column_name: f.db_value(f.default() if callable(f.default) else f.default)
                    for f in model._meta.sorted_fields if f.default is not None}
    return {}


def copy_tables(source, url):
    lite = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = psycopg.connect(url)
    counts = {}
    with target.transaction(), target.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no FK triggers while copying
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = sorted(row[0] for row in cursor.fetchall())
        for table in tables:
            cursor.execute(sql.SQL("TRUNCATE {} CASCADE").format(sql.Identifier(table)))
        for table in tables:
            columns = [row[1] for row in lite.execute(f'PRAGMA table_info("{table}")')]
            if not columns:
                continue
            cursor.execute("SELECT column_name, data_type FROM information_schema.columns "
                           "WHERE table_name = %s", (table,))
            kinds = dict(cursor.fetchall())
            columns = [c for c in columns if c in kinds]
            # Columns the app added after the dataset was built: their default, as an upgrade
            # would have filled them.
            added = [(c, v) for c, v in column_defaults(table).items() if c not in columns
                     and c in kinds]
            select = lite.execute(
                "SELECT " + ", ".join([f'"{c}"' for c in columns] + ["?"] * len(added))
                + f' FROM "{table}"', [v for _c, v in added])
            columns += [c for c, _v in added]
            booleans = {i for i, c in enumerate(columns) if kinds[c] == "boolean"}
            counts[table] = 0
            while rows := select.fetchmany(BATCH):
                buffer = io.StringIO()
                for row in rows:
                    buffer.write("\t".join(
                        copy_text(bool(v) if i in booleans and v is not None else v)
                        for i, v in enumerate(row)) + "\n")
                with cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(
                        sql.Identifier(table),
                        sql.SQL(", ").join(map(sql.Identifier, columns)))) as copy:
                    copy.write(buffer.getvalue())
                counts[table] += len(rows)
            if "id" in columns:
                cursor.execute(sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({t}, 'id'), "
                    "COALESCE((SELECT MAX(id) FROM {i}), 0) + 1, false)").format(
                    t=sql.Literal(table), i=sql.Identifier(table)))
    target.autocommit = True
    with target.cursor() as cursor:
        # Vacuumed as well as analysed, as autovacuum leaves a database in service: otherwise
        # it vacuums every large table about a minute after the copy, while the bench measures.
        cursor.execute("VACUUM (ANALYZE)")
    target.close()
    lite.close()
    return counts


def load(size, server_url, socket=None):
    """bench/data/<size>.db as the PostgreSQL database bench_<size>; the URL the app is to use
    (through the Unix socket when `socket` is given, as an app beside its database would)."""
    name = f"bench_{size}"
    url = database_url(server_url, name)
    recreate(server_url, name)
    build_schema(url)
    copy_tables(os.path.join(DATA, f"{size}.db"), url)
    return database_url(server_url, name, socket)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="small")
    parser.add_argument("server_url")
    parser.add_argument("--socket", default=os.environ.get("TEST_DATABASE_SOCKET"),
                        help='"host=DIR&port=N": give the app a URL through the Unix socket')
    args = parser.parse_args()
    started = time.monotonic()
    url = load(args.size, args.server_url, args.socket)
    print(f"{url} ({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
