"""Command-line tasks: flask db upgrade, create-user, demo-data, backup, restore, serve, tasks."""
import contextlib
import logging
import os
import signal
import subprocess
import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from blueprints import demo
from models import User, backup, db, schema
from models.users import ROLES
from services import accounts, files, printing

db_cli = AppGroup("db", help="Database schema.")


@contextlib.contextmanager
def connected():
    """A connection for a command (reusing one that is already open, as in tests)."""
    opened = db.connect(reuse_if_open=True)
    try:
        yield
    finally:
        if opened and not db.is_closed():
            db.close()


@db_cli.command("upgrade")
def db_upgrade():
    """Create or upgrade the schema in place (backup first when there is data)."""
    with connected():
        changes = schema.upgrade(current_app.config["BACKUP_FOLDER"])
        moved = files.adopt_folder(current_app.config["UPLOAD_FOLDER"])
    click.echo("schema up to date" if not changes else "applied:\n  " + "\n  ".join(changes))
    if moved:  # (uploads an older version kept on this server's disk)
        click.echo(f"{moved} uploaded files moved into the database")


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--name", required=True, help="Display name.")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.password_option()
def create_user(username, name, role, password):
    """Add a user with a role."""
    with connected():
        try:
            user = accounts.create_user(username, name, role, password)
        except accounts.WeakPassword as refused:
            raise click.BadParameter(str(refused), param_hint="password")
    click.echo(f"created {user.username} ({role})")


@click.command("demo-data")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only when there are no users yet.")
def demo_data(if_empty):
    """Fill the database with a month of demo data and one user per role."""
    with connected():
        if if_empty and User.select().exists():
            click.echo("database has users: demo data not added")
            return
        demo.fill()
    click.echo("demo data added")
    print_logins()


def print_logins():
    """The demo logins this database really has: the demo users still on file, active and
    still with the demo password (none after the demo accounts were changed)."""
    with connected():
        working = [(u.username, u.display_name, u.role) for u in User.select().where(
            User.username.in_([name for name, *_ in demo.DEMO_USERS]) & User.active)
            if accounts.verify_password(u, demo.DEMO_PASSWORD)]
    if not working:
        return
    click.echo("Demo logins (password for all: %s):" % demo.DEMO_PASSWORD)
    for username, name, role in working:
        click.echo(f"  {username:<10} {name}  {ROLES[role]}")


@click.command("backup")
@with_appcontext
def backup_cmd():
    """Write a consistent copy of the database into instance/backups (writers may go on)."""
    with connected():
        path = backup.backup_database(current_app.config["BACKUP_FOLDER"])
    click.echo(path)


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.confirmation_option(prompt="Replace the current database with this backup?")
def restore_cmd(path):
    """Bring back a backup made by `flask backup`."""
    with connected():
        backup.restore_database(path)
    click.echo(f"restored {path}")


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1")
@click.option("--port", type=int, default=None)
@click.option("--threads", type=int, default=8)
@click.option("--no-tasks", is_flag=True, help="Do not start the task consumer beside it.")
def serve(host, port, threads, no_tasks):
    """Serve with waitress, as deployed (behind a proxy in production), with the task
    consumer (scheduled duties, queued work) started beside it and stopped with it."""
    port = port or int(os.environ.get("PORT") or current_app.config["PORT"])
    print_logins()
    click.echo(f"客服台 Front Desk on http://{host}:{port}/")
    consumer = None if no_tasks else start_consumer()
    serve_until_stopped(current_app.wsgi_app, host, port, threads, helpers=[consumer])


def start_consumer(*options, env=None):
    """`flask tasks` in a process of its own, as the app was started (same app, same env)."""
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "tasks", *options],
                            cwd=os.path.dirname(os.path.abspath(__file__)), env=env)


def serve_until_stopped(wsgi_app, host, port, threads, helpers=()):
    """waitress until SIGTERM or Ctrl-C; then the PDF processes and the helper processes
    (the task consumer) are stopped too."""
    from waitress import serve as waitress_serve

    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    try:
        waitress_serve(wsgi_app, host=host, port=port, threads=threads)
    except KeyboardInterrupt:
        pass
    finally:
        printing.stop()
        for helper in helpers:
            if helper is not None and helper.poll() is None:
                helper.send_signal(signal.SIGINT)  # huey's consumer: finish running tasks, stop
                try:
                    helper.wait(30)
                except subprocess.TimeoutExpired:
                    helper.kill()


@click.command("tasks")
@with_appcontext
@click.option("--workers", type=int, default=2)
@click.option("--no-duties", is_flag=True,
              help="Queued work only: no scheduled duties (a second consumer, the benchmark).")
@click.option("--nice", type=int, default=10,
              help="Run below the web server's priority (queued work yields to people).")
def tasks_cmd(workers, no_duties, nice):
    """Run the task consumer: queued work and the scheduled duties (services.duties)."""
    if nice:
        os.nice(nice)
    from services import duties, tasks  # noqa: F401 (the duties register their tasks)
    # Each task taken up and its outcome, as huey's own consumer script logs them.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    click.echo(f"task consumer: {workers} workers on {type(tasks.huey).__name__}")
    # Idle workers look for work at least four times a second, and soon after a task (a PDF
    # the browser waits for: a register sheet is printed in a row of several).
    consumer = tasks.huey.create_consumer(workers=workers, worker_type="thread",
                                          check_worker_health=True, shutdown_timeout=20,
                                          initial_delay=0.02, max_delay=0.25,
                                          periodic=not no_duties)
    consumer.run()


def register_commands(app):
    for command in (db_cli, create_user, demo_data, backup_cmd, restore_cmd, serve, tasks_cmd):
        app.cli.add_command(command)
