"""客服台 Front Desk: the application factory."""
import gc
import logging
import os
import secrets

from flask import Flask, abort, has_request_context, redirect, request, session, url_for
from flask import Request as FlaskRequest
from flask_babel import Babel
from flask_compress import Compress
from flask_htmx import HTMX
from flask_login import LoginManager, current_user, logout_user
from flask_wtf.csrf import CSRFProtect
from peewee import fn
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter

import models
from blueprints import limits
from blueprints.helpers import MAX_ID, site_settings
from models import Notification, User, db
from models.base import Prepared
from services import i18n, permissions, printing, sessions

LANGUAGES = ("zh", "en")

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
compress = Compress()
htmx = HTMX()

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; object-src 'none'; base-uri 'self'; "
                           "frame-ancestors 'none'; form-action 'self'")


class WithoutNul(ImmutableMultiDict):
    """Form and query values without NUL characters: PostgreSQL refuses them in text, and no
    clerk types one, so they are dropped before any view sees the data."""

    def __init__(self, mapping=None):
        if isinstance(mapping, MultiDict):
            mapping = mapping.items(multi=True)
        elif isinstance(mapping, dict):
            mapping = mapping.items()
        super().__init__(None if mapping is None else [
            (key, value.replace("\x00", "") if isinstance(value, str) else value)
            for key, value in mapping])


class Request(FlaskRequest):
    parameter_storage_class = WithoutNul


class FrontDesk(Flask):
    """Flask, with a record's link (url_for(endpoint, id=n) in a request) filled into the
    endpoint's URL built once: a list links each of its rows (bench/RESULTS.md)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.record_links = {}  # (endpoint, script root) -> the URL around a record's id

    def send_static_file(self, filename):
        """Flask's, with a stylesheet or script read whole rather than streamed, so that it is
        compressed like a page (Flask-Compress does not gzip a stream)."""
        response = super().send_static_file(filename)
        if response.status_code == 200 and response.mimetype in ("text/css",
                                                                  "text/javascript"):
            response.direct_passthrough = False
            response.make_sequence()
        return response

    def url_for(self, endpoint, /, *, _anchor=None, _method=None, _scheme=None, _external=None,
                **values):
        ident = values.get("id")
        if (type(ident) is int and 0 < ident <= MAX_ID and len(values) == 1
                and _anchor is _method is _scheme is None and not _external
                and endpoint[:1] != "." and has_request_context()):
            key = (endpoint, request.script_root)
            pattern = self.record_links.get(key)
            if pattern is None:
                head, mark, tail = super().url_for(endpoint, id=MAX_ID).rpartition(str(MAX_ID))
                pattern = self.record_links[key] = (head, tail) if mark else False
            if pattern:
                return f"{pattern[0]}{ident}{pattern[1]}"
        return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                               _external=_external, **values)


class RecordId(IntegerConverter):
    """`<int:id>` within the database's integer range: a 25-digit id is a 404, not an
    OverflowError from the driver."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def create_app(test_config=None):
    """Build the app: defaults, then instance/config.py and the environment, then test_config."""
    app = FrontDesk(__name__, instance_relative_config=True)
    app.request_class = Request
    app.url_map.converters["int"] = RecordId
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(
        DATABASE_URL="sqlite:///" + os.path.join(app.instance_path, "frontdesk.db"),
        UPLOAD_FOLDER=os.path.join(app.instance_path, "uploads"),
        BACKUP_FOLDER=os.path.join(app.instance_path, "backups"),
        MAX_CONTENT_LENGTH=10 * 1024 * 1024,
        PAGE_SIZE=50,
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        BABEL_DEFAULT_LOCALE="zh",
        BABEL_TRANSLATION_DIRECTORIES=os.path.join(app.root_path, "translations"),
        PORT=5000,
        SESSION_IDLE_HOURS=12,  # a shift: a session unused this long ends
        SQLITE_SYNCHRONOUS="full",  # or "normal": faster, may lose answered writes on power loss
    )
    app.config.from_pyfile("config.py", silent=True)
    for key in ("DATABASE_URL", "SECRET_KEY", "PORT", "SQLITE_SYNCHRONOUS"):
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    if os.environ.get("FRONTDESK_HTTPS") == "1":
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    if os.environ.get("FRONTDESK_PROXY") == "1":
        # Behind one reverse proxy: trust its X-Forwarded-For/-Proto, so sign-in limiting sees
        # the tablet's address rather than the proxy's.
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    if db.obj is not None and not db.is_closed():
        db.close()  # (a second app in one process: the last one's connection is not orphaned)
    db.initialize(models.open_database(app.config["DATABASE_URL"],
                                       app.config["SQLITE_SYNCHRONOUS"]))
    from services import settings, staff, tasks
    settings.forget()  # (the last app's database may be another)
    staff.forget()
    tasks.bind(app)
    _set_clock_from_settings()

    csrf.init_app(app)
    htmx.init_app(app)
    if os.environ.get("FRONTDESK_PROXY_COMPRESSES") != "1":
        # A tablet talks to the app directly: pages, CSS and scripts go out compressed.
        compress.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    i18n.install(app)
    login_manager.init_app(app)
    limits.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    _register_blueprints(app)
    _register_request_hooks(app)
    _register_template_helpers(app)

    from commands import register_commands
    register_commands(app)

    if not printing.harfbuzz_subset_available():
        app.logger.warning("libharfbuzz-subset0 is missing: PDFs will print several times slower "
                           "(apt-get install libharfbuzz-subset0)")
    if not app.testing:
        _keep_out_of_collections()
    return app


def _keep_out_of_collections():
    """The modules, templates and caches the app is made of live as long as its process, yet
    every full garbage collection walked them all with the worker's threads held up. Frozen
    (gc.freeze, Python's way for long-lived servers), collections only walk what requests
    make. The start-up's garbage is collected first, so none is kept for good."""
    gc.collect()
    gc.freeze()


def _set_clock_from_settings():
    """The site's zone for work outside requests (commands, jobs), when the database has it."""
    from peewee import DatabaseError

    from services import settings
    try:
        with db.connection_context():
            settings.load()
    except DatabaseError:  # a database not created yet: the default zone stands
        pass


def _instance_secret(instance_path):
    """Read the secret key from instance/, creating it on first run (never committed)."""
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        with open(path, "w") as handle:
            handle.write(secrets.token_hex(32))
        os.chmod(path, 0o600)
    with open(path) as handle:
        return handle.read().strip()


def _select_locale():
    if not has_request_context():
        return "zh"
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(LANGUAGES) or "zh"


def _signed_in_query(ident, token):
    """The signed-in user with the header's unread count (unread_count), the settings'
    revision (settings_revision) and the staff's (staff_revision), in one query."""
    from services import settings, staff
    unread = Notification.select(fn.COUNT(Notification.id)).where(
        (Notification.user == User.id) & Notification.read_at.is_null())
    return User.select(User, unread.alias("unread_count"),
                       settings.revision_query().alias("settings_revision"),
                       staff.revision_query().alias("staff_revision")).where(
        (User.id == ident) & (User.session_token == token))


_signed_in = Prepared(_signed_in_query)


@login_manager.user_loader
def _load_user(user_id):
    ident, _, token = (user_id or "").partition(":")
    if not ident.isdigit() or len(ident) > 12:
        return None
    user = _signed_in.first(User, int(ident), token)
    return user if user and user.active else None


def _register_blueprints(app):
    from blueprints.admin import bp as admin_bp
    from blueprints.archives import bp as archives_bp
    from blueprints.auth import bp as auth_bp
    from blueprints.complaints import bp as complaints_bp
    from blueprints.core import bp as core_bp
    from blueprints.reception import bp as reception_bp
    from blueprints.registers import bp as registers_bp
    from blueprints.repairs import bp as repairs_bp
    from blueprints.vip import bp as vip_bp
    from blueprints.visitors import bp as visitors_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(archives_bp, url_prefix="/archives")
    app.register_blueprint(reception_bp, url_prefix="/reception")
    app.register_blueprint(registers_bp, url_prefix="/registers")
    app.register_blueprint(complaints_bp, url_prefix="/complaints")
    app.register_blueprint(repairs_bp, url_prefix="/repairs")
    app.register_blueprint(vip_bp, url_prefix="/vip")
    app.register_blueprint(visitors_bp, url_prefix="/v")


def _register_request_hooks(app):
    @app.before_request
    def open_connection_and_check_permission():
        if request.endpoint == "static":
            return None
        db.connect(reuse_if_open=True)
        site_settings()  # (sets the site's clock before any time is read)
        if request.endpoint is None or request.endpoint in permissions.PUBLIC:
            return None
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        if sessions.idle_too_long(session, app.config["SESSION_IDLE_HOURS"]):
            logout_user()
            session.clear()
            return redirect(url_for("auth.login", next=request.full_path))
        if not permissions.allowed(current_user.role, request.endpoint):
            abort(403)
        return None

    @app.teardown_request
    def end_transaction(exc):
        # The thread keeps its connection (warm caches for its next request); nothing may stay
        # open on it. A test app closes it, as each test has its own database.
        if db.is_closed():
            return
        if db.in_transaction():
            db.rollback()
        if app.testing:
            db.close()

    @app.after_request
    def headers(response):
        response.vary.add("HX-Request")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response


def _register_template_helpers(app):
    from blueprints import helpers
    helpers.register(app)


if __name__ == "__main__":
    create_app().run(port=int(os.environ.get("PORT", 5000)))
