"""The task queue: huey, embedded in the instance folder by default, or Redis when several app
servers share the work.

FRONTDESK_TASKS names the queue: unset, the SQLite file instance/tasks.db beside the database
(SqliteHuey, for the one-tablet shop); "redis://host:6379/0", a Redis every app server and
consumer uses (RedisHuey). `make run` starts the consumer beside the web server (`flask tasks`).
Tests run tasks in-process: huey's immediate mode.

Task bodies run inside the app that started the consumer (`bind`), with a database connection
of their own; a task called in a request runs in that request's app.
"""
import functools
import os

from flask import has_app_context
from huey import RedisHuey, SqliteHuey

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = "frontdesk"


def make_queue(url=None):
    """The huey for the queue `url` names (see the module's note)."""
    url = url if url is not None else os.environ.get("FRONTDESK_TASKS", "")
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(NAME, url=url, utc=True)
    path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else os.path.join(
        ROOT, "instance", "tasks.db")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    return SqliteHuey(NAME, filename=path, utc=True)


huey = make_queue()
_app = []


def bind(app):
    """The app task bodies run in when no app is active (the consumer's)."""
    _app[:] = [app]


def in_app(function):
    """`function` run inside the bound app, with its own connection, when no app is active."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        if has_app_context() or not _app:
            return function(*args, **kwargs)
        from models import db
        with _app[0].app_context(), db.connection_context():
            return function(*args, **kwargs)
    return run


def task(**options):
    """A huey task whose body runs inside the app (see in_app)."""
    def decorate(function):
        return huey.task(**options)(in_app(function))
    return decorate


def periodic(validate, **options):
    """A huey periodic task whose body runs inside the app."""
    def decorate(function):
        return huey.periodic_task(validate, **options)(in_app(function))
    return decorate
