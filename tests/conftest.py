"""Fixtures: an app on a temp SQLite file (or TEST_DATABASE_URL's PostgreSQL), users per role,
a client that logs in and submits forms with their real CSRF tokens, and data factories."""
import contextlib
import datetime
import logging
import os
import re
import tempfile
import urllib.parse

import pytest
from argon2 import PasswordHasher

import models
from app import create_app
from models import Customer, User, clock, db, schema
from models.users import ROLES
from services import accounts, tasks, workdays

PASSWORD = "secret-pass-1"
# The moment every test runs at unless it sets another (models.clock): a Monday, a working day,
# 10:00 at the site, inside the day shift. No test reads the wall clock.
FROZEN = datetime.datetime(2026, 11, 23, 10, 0)
pytest_plugins = ["tests.browser"]


def worker_database(url):
    """Under pytest-xdist (`make test` runs a worker per core) each worker resets a PostgreSQL
    database of its own, made anew beside TEST_DATABASE_URL's; alone, that one."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from bench.topg import database_url, recreate
    name = f"{urllib.parse.urlsplit(url).path.lstrip('/')}_{worker}"
    recreate(url, name)
    return database_url(url, name)


TEST_PG = worker_database(os.environ.get("TEST_DATABASE_URL", ""))
IN_CI = os.environ.get("CI") == "true"

# Tasks run in-process, at once (huey's immediate mode); the consumer is tested on its own.
tasks.huey.immediate = True

# Cheaper Argon2 cost so tests that create users stay fast; the algorithm is the same.
accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def pytest_collection_modifyitems(config, items):
    """Checks of something only the other database has are deselected (not skipped: CI fails
    on skips): SQLite-only ones on PostgreSQL, PostgreSQL-only ones on SQLite."""
    other = "sqlite_only" if TEST_PG else "postgres_only"
    kept = [item for item in items if other not in item.keywords]
    dropped = [item for item in items if other in item.keywords]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def site_clock():
    """Every test at FROZEN in the site's zone; a test moves it with clock.frozen(...)."""
    clock.use_zone(clock.DEFAULT_ZONE)
    clock.freeze(FROZEN)
    workdays.forget_entries()  # (the holiday entries of another test's database)
    yield
    clock.thaw()
    clock.use_zone(clock.DEFAULT_ZONE)


def _reset_postgres():
    db.execute_sql("DROP SCHEMA public CASCADE")
    db.execute_sql("CREATE SCHEMA public")


def make_app(tmp_path, **overrides):
    url = TEST_PG or f"sqlite:///{tmp_path}/frontdesk.db"
    config = {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret",
              "UPLOAD_FOLDER": str(tmp_path / "uploads"),
              "BACKUP_FOLDER": str(tmp_path / "backups"),
              "PDF_WAIT_SECONDS": 60, "SERVER_NAME": None}
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app(tmp_path):
    application = make_app(tmp_path)
    with db.connection_context():
        if TEST_PG:
            _reset_postgres()
        schema.upgrade()
    yield application
    if not db.is_closed():
        db.close()


@pytest.fixture
def database(app):
    """An open connection for tests that read or write rows directly."""
    db.connect(reuse_if_open=True)
    yield db
    if not db.is_closed():
        db.close()


@pytest.fixture
def users(database):
    """One user per role, username = role name."""
    return {role: accounts.create_user(role, f"{ROLES[role]}甲", role, PASSWORD)
            for role in ROLES}


TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                   r'name="csrf_token" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def csrf_from(html):
    """The CSRF token a page carries, as a browser would submit it."""
    match = TOKEN.search(html)
    assert match, "page has no CSRF token"
    return next(g for g in match.groups() if g)


class Browserish:
    """Wraps the Flask test client with what a browser does: keep the token, submit forms."""

    def __init__(self, client):
        self.client = client

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        return self.client.post(*args, **kwargs)

    def token(self, page="/"):
        return csrf_from(self.client.get(page).get_data(as_text=True))

    def submit(self, url, data, page=None, **kwargs):
        """GET the form page (or `page`), take its token, POST `data` to `url`."""
        payload = dict(data)
        payload["csrf_token"] = self.token(page or url)
        return self.client.post(url, data=payload, **kwargs)

    def login(self, username, password=PASSWORD):
        return self.submit("/auth/login", {"username": username, "password": password})


@pytest.fixture
def client(app):
    return Browserish(app.test_client())


@pytest.fixture
def login(app, users):
    """login(role) -> a client signed in as that role's user."""
    def _login(role):
        browser = Browserish(app.test_client())
        response = browser.login(role)
        assert response.status_code == 302, response.get_data(as_text=True)
        return browser
    return _login


@pytest.fixture
def make_customer(database):
    counter = iter(range(1, 10_000))

    def _make(**fields):
        n = next(counter)
        values = {"name": f"客户{n}", "phone": f"1390000{n:04d}", "kind": "resident"}
        values.update(fields)
        customer = Customer(**values)
        customer.save()
        return customer
    return _make


class QueryCount(logging.Handler):
    """Counts the SQL statements peewee runs while it is installed (see count_queries)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count, self.statements = 0, []

    def emit(self, record):
        self.count += 1
        self.statements.append(record.msg[0] if isinstance(record.msg, tuple) else record.msg)


@contextlib.contextmanager
def count_queries():
    """`with count_queries() as queries:` … `queries.count` statements ran inside."""
    counter, logger = QueryCount(), logging.getLogger("peewee")
    level = logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)


class RoundTrips:
    count = 0


@contextlib.contextmanager
def round_trips():
    """`with round_trips() as trips:` … `trips.count`: on PostgreSQL the times the client waited
    for the server (each Sync or simple Query in the libpq trace of this thread's connection);
    on SQLite, where a statement is no round trip, the statements run."""
    trips = RoundTrips()
    if not TEST_PG:
        with count_queries() as queries:
            yield trips
        trips.count = queries.count
        return
    from psycopg import pq
    connection = db.connection().pgconn
    with tempfile.TemporaryFile("w+") as trace:
        connection.trace(trace.fileno())
        connection.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        try:
            yield trips
        finally:
            connection.untrace()
        trace.seek(0)
        sent = [line.split("\t")[2].strip() for line in trace if line.startswith("F")]
    trips.count = sent.count("Sync") + sent.count("Query")


def require(condition, why):
    """Skip with a reason on a developer machine; fail in CI, where nothing may be skipped."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {why}")
    pytest.skip(why)


__all__ = ["models", "User", "PASSWORD", "require", "make_app"]


def finished_job(location, seconds=10):
    """The token of the job a /jobs/<token> redirect names, once it has stopped running."""
    import time

    from models import Job
    token = location.rsplit("/", 1)[1]
    deadline = time.time() + seconds
    while Job.get(Job.token == token).state in ("queued", "running") and time.time() < deadline:
        time.sleep(0.05)
    return token
