"""What every view shares: the render helper, PDFs, settings per request, template helpers."""
import datetime
import functools
import json
import re
import secrets
import time
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import quote, unquote, urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    has_request_context,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from peewee import IntegrityError

from models import Submission, User, clock, db, masking
from models.base import literal
from models.clock import day_bounds  # noqa: F401  (views import it from here)
from models.i18n import lazy_gettext as _l
from services import audit, exports, files, jobs, permissions, printing, timeline
from services import settings as settings_service

INVALID = 422  # the status of every form answered with its errors (htmx is told to swap it)


_UNSAFE_IN_PATH = re.compile(r"[\x00-\x1f\x7f\\]")


def _is_local_path(target):
    parts = urlsplit(target)
    segments = parts.path.split("/")[1:]
    return (target.startswith("/") and "//" not in target.partition("?")[0]
            and not _UNSAFE_IN_PATH.search(target)
            and not parts.scheme and not parts.netloc
            and "" not in segments[:-1] and not {".", ".."} & set(segments))


def safe_next(target, fallback="core.index"):
    """`target` when it is a path on this site, else the `fallback` endpoint's URL.

    Refused: anything that is not a plain path (schemes, `//host`, `/\\host`, empty or dot
    segments that a browser may fold into `//host`), and control characters or backslashes, raw
    or percent-encoded, which browsers strip or turn into `/` (`/%09/evil.example` is followed
    as `//evil.example`)."""
    if isinstance(target, str) and len(target) <= 2000 \
            and _is_local_path(target) and _is_local_path(unquote(target)):
        return target
    return url_for(fallback)


def back(fallback):
    """Where the request came from, if that was a page of this site; else `fallback`'s URL."""
    parts = urlsplit(request.referrer or "")
    if parts.netloc != request.host:
        return url_for(fallback)
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""), fallback)


def is_htmx_partial():
    """A real htmx request wants the partial; boosted requests and history restores want the page."""
    htmx = current_app.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template, partial=None, status=200, **context):
    """The full page, or only `partial` for a real htmx request (app.py adds Vary: HX-Request
    to every response)."""
    name = partial if partial and is_htmx_partial() else template
    return make_response(render_template(name, **context), status)


class LazyForms:
    """A page's forms by name, each built the first time the template shows it. A record's
    page offers a form for each step its state may allow and shows a few of them; building
    the rest (their choices read from the database) cost more than showing the page.
    `built`: forms already made (one sent back with its errors)."""

    def __init__(self, builders, **built):
        self._builders, self._built, self._sent = builders, built, set(built)

    def sent_back(self, name):
        """Was the form `name` sent back (with its errors)? It is then shown open."""
        return name in self.__dict__["_sent"]

    def __getattr__(self, name):
        built = self.__dict__["_built"]
        if name not in built:
            builder = self.__dict__["_builders"].get(name)
            if builder is None:
                raise AttributeError(name)
            built[name] = builder()
        return built[name]


def show_form(template, form, partial=None, **context):
    """A form page; after an invalid submission, status 422 with the messages beside the fields."""
    status = INVALID if form.errors else 200
    return render(template, partial, status=status, form=form, **context)


MAX_ID = 2**31 - 1  # ids are 4-byte integers on PostgreSQL (SERIAL)


def record_id(value):
    """An id from a form or query string: ASCII digits within the database's range, else None."""
    value = (value or "").strip() if isinstance(value, str) else ""
    if not (value.isascii() and value.isdigit() and len(value) <= 12):
        return None
    number = int(value)
    return number if number <= MAX_ID else None


def keyset_page(query, model, size=50, order=None):
    """(rows, next_before): one page of `query` from the row ?before= names, newest first.

    Ordered by id, or by `order` and then id (both descending); the cursor is the last row's id,
    so a deep page costs what the first one does (no OFFSET)."""
    return keyset_cut(list(keyset_query(query, model, size, order)), size)


def keyset_query(query, model, size=50, order=None):
    """keyset_page's query, not yet run (to read it with others: models.base.read_together)."""
    before = record_id(request.args.get("before"))
    if order is None:
        query = query.order_by(model.id.desc())
        if before is not None:
            query = query.where(model.id < before)
    else:
        query = query.order_by(order.desc(), model.id.desc())
        mark = model.select(order).where(model.id == before).get_or_none() \
            if before is not None else None
        if mark is not None:
            value = getattr(mark, order.name)
            query = query.where((order < value) | ((order == value) & (model.id < before)))
    return query.limit(literal(size + 1))


def keyset_cut(rows, size=50):
    """(rows, next_before) from the rows keyset_query read."""
    return rows[:size], (rows[size - 1].id if len(rows) > size else None)


def page_args():
    """The list's filters for its next-page link (without the old cursor)."""
    return {k: v for k, v in request.args.items() if k != "before" and v}


def signed_in_user():
    """The signed-in user as a record of its own, for work that outlives the request."""
    return User.get_by_id(current_user.id)


def record_or_none(model, value):
    """The record whose id the form sent, or None (also for junk or enormous numbers)."""
    ident = record_id(value)
    return model.get_or_none(model.id == ident) if ident is not None else None


VOIDED = 409  # the answer to a change asked of a voided record


def get_or_404(model, id):
    """The record with this id, or a 404 page. A voided record is read-only until a manager
    restores it: any POST on it (and its edit page) is refused with a message."""
    record = model.get_or_none(model.id == id)
    if record is None:
        abort(404)
    refuse_if_voided(record)
    return record


def refuse_if_voided(record):
    """Refuse a change to a voided record (status VOIDED with the reason why)."""
    if getattr(record, "voided", False) and (
            request.method != "GET" or request.endpoint.endswith("edit")):
        abort(VOIDED)


def void_view(record, done_endpoint, detail_endpoint, message, **values):
    """The POST behind every 'void with a reason' form: void, or say the reason is missing.
    `values`: the endpoints' arguments besides the record's id."""
    from blueprints.archives.forms import VoidForm
    form = VoidForm()
    if form.validate_on_submit():
        audit.void(record, current_user, form.reason.data)
        flash(message, "success")
        return redirect(url_for(done_endpoint, **values))
    flash(_("请填写作废原因。"), "error")
    return redirect(url_for(detail_endpoint, id=record.id, **values))


# The calendar the app works in: dates asked for outside it are brought inside (a typo, or an
# attack on date arithmetic: 9999-12-31 plus one day overflows).
FIRST_DAY, LAST_DAY = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)


def within_calendar(day):
    """`day` brought inside FIRST_DAY..LAST_DAY."""
    return min(max(day, FIRST_DAY), LAST_DAY)


def date_arg(name, default):
    """?name= as a date inside the calendar, or `default` when missing or malformed."""
    try:
        return within_calendar(datetime.date.fromisoformat(request.values.get(name, "")))
    except ValueError:
        return default


def date_range_args(days_after=0):
    """?start=&end= (dates) as a pair: from the first of this month to today (+ days_after) when
    missing or malformed."""
    today = clock.today()
    return (date_arg("start", today.replace(day=1)),
            date_arg("end", today + datetime.timedelta(days=days_after)))


def month_arg(due_day=None):
    """?month=YYYY-MM as (year, month) inside the calendar. When missing or malformed: the month
    whose report is due next. A report due by the `due_day` of the following month is the
    previous month's until that day, then the current month's (the one being recorded)."""
    try:
        year, month = (int(x) for x in request.args.get("month", "")[:20].split("-"))
        first = within_calendar(datetime.date(year, month, 1))
    except (ValueError, OverflowError):
        today = clock.today()
        first = today.replace(day=1)
        if due_day is None or today.day <= due_day:
            first = first - datetime.timedelta(days=1)
    return first.year, first.month


def site_settings():
    """All settings, once per request: read from the database only when they changed, which
    the signed-in user's query tells (settings_revision)."""
    if "site_settings" not in g:
        user = current_user if has_request_context() else None
        revision = getattr(user, "settings_revision", None) if user is not None else None
        g.site_settings = settings_service.load(revision)
    return g.site_settings


def pdf_response(template, filename, record=None, title="", number="", qr_url=None,
                 background=False, **context):
    """Render a print template to an A4 PDF, log the print in the access log, and send it.

    With `background`, the layout runs in a job: when it finishes within PDF_WAIT_SECONDS the PDF
    is sent as usual, otherwise the browser goes to the job's progress page and can come back."""
    qr = printing.qr_data_uri(qr_url) if qr_url else None
    html = render_template(template, site=site_settings(), title=title, number=number,
                           printed_at=clock.now(), qr=qr, qr_url=qr_url, **context)
    return _send_pdf([html], filename, record, title, background)


SHEET_ROWS = {"portrait": 34, "landscape": 22}  # rows on a page of a register sheet
SHEET_LAST_ROOM = 8  # rows' height the last page keeps for its total and signature boxes
SHEET_HEAD_COST = 5  # a page's heading takes about as long to lay out as five rows


def sheet_pages(rows, per_page, last_room=SHEET_LAST_ROOM):
    """Rows cut into pages of `per_page`, the last page with room for what follows the rows."""
    pages = [rows[start:start + per_page] for start in range(0, len(rows), per_page)] or [[]]
    if len(pages[-1]) > per_page - last_room:
        keep = per_page - last_room
        pages[-1:] = [pages[-1][:keep], pages[-1][keep:]]
    return pages


def sheet_response(template, filename, rows, title="", number="", qr_url=None,
                   landscape=True, **context):
    """A register sheet (a print/sheet.html template) as a PDF: SHEET_ROWS rows a page, each page
    headed and numbered, its pages laid out in parts at once (services.printing)."""
    pages = sheet_pages(rows, SHEET_ROWS["landscape" if landscape else "portrait"])
    numbered = [SimpleNamespace(rows=page, number=n, count=len(pages))
                for n, page in enumerate(pages, 1)]
    qr = printing.qr_data_uri(qr_url) if qr_url else None
    common = dict(site=site_settings(), title=title, number=number, printed_at=clock.now(),
                  qr=qr, qr_url=qr_url, landscape=landscape, total=len(rows), **context)
    parts = [render_template(template, pages=[numbered[i] for i in run], **common)
             for run in printing.split_even([len(page) + SHEET_HEAD_COST for page in pages],
                                            printing.PDF_PROCESSES)]
    return _send_pdf(parts, filename, None, title, background=True)


def _send_pdf(parts, filename, record, title, background):
    audit.log_access(current_user, audit.PRINT, obj=record, detail=title)
    if not background:
        pdf = printing.parts_to_pdf(parts, current_app.static_folder,
                                    current_app.static_url_path)
        return file_response(pdf, "application/pdf", filename, inline=True)
    # Typeset by the task consumer from the pages rendered here (kept as the job's input).
    key = f"pdf-input/{secrets.token_hex(12)}"
    files.put(key, json.dumps(parts, ensure_ascii=False).encode(), "application/json")
    job = jobs.start("pdf", signed_in_user(), {"input": key, "file": filename,
                                               "locale": str(get_locale())}, total=2)
    wait = current_app.config.get("PDF_WAIT_SECONDS", 1.0)
    deadline = time.monotonic() + wait
    while wait and jobs.state_of(job) in jobs.UNFINISHED \
            and time.monotonic() < deadline:
        time.sleep(0.02)
    if wait and jobs.state_of(job) == jobs.DONE:
        done = jobs.finished_file(job.token)
        if done is not None:
            return file_response(bytes(done.data), "application/pdf", filename, inline=True)
    return redirect(url_for("core.job", token=job.token))


@jobs.handler("pdf")
def typeset_job(job, params):
    """The "pdf" job: the pages rendered by the request that asked, typeset into one PDF."""
    jobs.progress(job, 1, message=_("正在排版 %(name)s…", name=params["file"]))
    stored = files.get(params["input"])
    if stored is None:
        raise LookupError(_("要排版的内容已不在，请重新打印"))
    parts = json.loads(bytes(stored.data))
    pdf = printing.parts_to_pdf(parts, current_app.static_folder, current_app.static_url_path)
    jobs.save_file(job, pdf, "application/pdf")
    return {"file": params["file"], "type": "application/pdf"}


def signoff_context(report, year, month, confirm_endpoint):
    """What a month's report page shows beside the report: the month as YYYY-MM (period), and
    for the _signoff.html panel its sign-off, whether the month may be signed off yet, and
    where the button posts."""
    from services import signoffs
    period = signoffs.period(year, month)
    return {"period": period, "signoff": signoffs.signed(report, year, month),
            "signoff_open": signoffs.may_sign(year, month),
            "signoff_action": url_for(confirm_endpoint, month=period)}


def sign_off_month(report, year, month, done):
    """A manager's sign-off of a finished month's report (services.signoffs), said in a flash."""
    from blueprints.core.forms import ButtonForm
    from services import signoffs
    if not ButtonForm().validate_on_submit():
        return
    if not signoffs.may_sign(year, month):
        flash(_("月份结束后才能确认。"), "error")
        return
    signoffs.sign(report, year, month, current_user)
    flash(done, "success")


EXPORT_INLINE_ROWS = 2000


def excel_response(filename, title, headers, query, model, row):
    """An .xlsx of a list as filtered, recorded in the access log. A short list is sent at once;
    a long one becomes a job: the task consumer asks for the same list as the same user (see
    export_job) and builds the file there, while the browser shows its progress."""
    job = g.get("export_job")
    count = len(query) if isinstance(query, list) else query.count()
    if job is None and count > current_app.config.get("EXPORT_INLINE_ROWS",
                                                      EXPORT_INLINE_ROWS):
        asked = request.path + "?" + request.query_string.decode()  # (as the browser sent it)
        job = jobs.start("export", signed_in_user(), {"path": asked, "locale": str(get_locale())},
                         total=count)
        return redirect(url_for("core.job", token=job.token))
    # (Read whole before any progress is written: SQLite cannot write on a connection whose
    # read is still open once another writer has moved on.)
    records, rows = list(query), []
    for index, record in enumerate(records, 1):
        rows.append(row(record))
        if job is not None and index % 500 == 0:
            jobs.progress(job, index)
    body = exports.workbook(title, headers, rows)
    audit.log_access(current_user, audit.EXPORT, model=model,
                     detail=f"{title} {len(rows)}"[:200], reason=request.query_string.decode()[:500])
    if job is None:
        return file_response(body, exports.XLSX, filename)
    jobs.save_file(job, body, exports.XLSX)
    g.export_result = {"file": filename, "type": exports.XLSX, "rows": len(rows)}
    return None


@jobs.handler("export")
def export_job(job, params):
    """The "export" job: the list's export asked for again, in the consumer, as the user who
    asked (their permissions checked now) and in their language; excel_response builds the
    file (export_result)."""
    from flask_login import login_user
    user = User.get_or_none(User.id == job.user_id)
    if user is None or not user.active:
        raise PermissionError(_("发起导出的用户已停用"))
    with current_app.app_context(), current_app.test_request_context(params["path"]):
        session["lang"] = params.get("locale")
        login_user(user)
        if request.endpoint is None or not permissions.allowed(user.role, request.endpoint):
            raise PermissionError(_("没有导出这份清单的权限"))
        site_settings()  # (the site's clock, as a request sets it)
        g.export_job = job
        current_app.view_functions[request.endpoint](**request.view_args)
        return g.export_result


def file_response(body, content_type, filename, inline=False):
    """Bytes as a download (or shown inline, for PDFs) with a UTF-8 file name."""
    response = make_response(body)
    response.headers["Content-Type"] = content_type
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    response.headers["Content-Disposition"] = (
        f"{'inline' if inline else 'attachment'}; filename=\"{ascii_name}\"; "
        f"filename*=UTF-8''{quote(filename.replace('/', '-'))}")
    return response


def external_url(endpoint, **values):
    """An absolute URL for QR codes and printed links: opens the record on the tablet. Under
    the site URL setting (the address tablets reach the desk at) when it is set; else under the
    address this request came to."""
    site_url = site_settings()["site_url"].rstrip("/")
    if not site_url:
        return url_for(endpoint, _external=True, **values)
    return site_url + url_for(endpoint, **values)


def can(endpoint):
    """May the current user use this endpoint? Templates hide what a role cannot do."""
    return current_user.is_authenticated and permissions.allowed(current_user.role, endpoint)


def unread_notifications():
    """The badge number in the header."""
    if not current_user.is_authenticated:
        return 0
    if "unread" not in g:
        g.unread = getattr(current_user, "unread_count", None)  # read with the user (app.py)
        if g.unread is None:
            from services.notifications import unread_count
            g.unread = unread_count(current_user.id)
    return g.unread


def colon():
    """The colon after a label: full-width in Chinese, ': ' in English."""
    return "：" if get_locale().language == "zh" else ": "


def _paren(text):
    """An aside in brackets: "（…）" in Chinese, " (…)" in English."""
    if get_locale().language == "zh":
        return Markup("（%s）") % text
    return Markup(" (%s)") % text


def may_reveal():
    return current_user.is_authenticated and current_user.role in permissions.REVEAL_ROLES


NAV = [("core.index", _l("首页")), ("reception.index", _l("接待")), ("complaints.index", _l("投诉")),
       ("repairs.index", _l("报修")), ("vip.index", _l("会员")), ("archives.index", _l("客户档案")),
       ("registers.index", _l("登记表")),
       ("core.access_log", _l("查阅登记")), ("admin.users", _l("用户")),
       ("admin.settings", _l("设置")), ("admin.duties", _l("定时任务"))]


def nav_items():
    """(endpoint, label, is_current) for the module bar: views that exist and the role may use."""
    if not current_user.is_authenticated:
        return []
    here, role, views = request.endpoint or "", current_user.role, current_app.view_functions
    items = []
    for endpoint, label in NAV:  # (the user and the views read once: this runs on every page)
        if endpoint not in views or not permissions.allowed(role, endpoint):
            continue
        module = endpoint.split(".")[0]
        if endpoint == "admin.users":
            current = here.startswith("admin.user")
        elif module in ("core", "admin"):
            current = here == endpoint
        else:
            current = here.split(".")[0] == module
        items.append((endpoint, label, current))
    return items


def timeline_url(entry):
    _, endpoint = timeline.KINDS.get(entry.kind, (None, None))
    return (url_for(endpoint, id=entry.ref_id, **timeline.URL_VALUES.get(entry.kind, {}))
            if endpoint and entry.ref_id else None)


def timeline_label(kind):
    label, _ = timeline.KINDS.get(kind, (kind, None))
    return label


def _datetime(value):
    """2026-11-22 14:30 (a date alone: 2026-11-22), the same in every language: lists show
    hundreds of these, so no locale machinery."""
    if not value:
        return ""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return value.strftime("%Y-%m-%d %H:%M")


def _time_of_day(value):
    """14:30, or nothing: a filter, as lists show one a row (a method called from a template
    goes through Jinja's call machinery)."""
    return value.strftime("%H:%M") if value else ""


ONCE = "once"
_ONCE_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def once_field():
    """A create form's one-time submission key (see once_per_form), as a hidden input."""
    return Markup(f'<input type="hidden" name="{ONCE}" value="{secrets.token_urlsafe(18)}">')


class _AlreadySubmitted(Exception):
    pass


def once_per_form(view):
    """A create form's POST makes its record at most once per form shown (a double tap, a
    resend after a timeout): its key is claimed in the same transaction as the record, and a
    second submit of the same form goes where the first one went. A submit answered with an
    error status (the form and its messages) releases the key, so the corrected form can be
    sent; any other answer keeps what the view wrote."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.form.get(ONCE, "") if request.method == "POST" else ""
        if not _ONCE_KEY.fullmatch(key):
            return view(*args, **kwargs)
        try:
            with db.atomic() as transaction:
                try:
                    claim = Submission.create(key=key, user=current_user.id)
                except IntegrityError:
                    raise _AlreadySubmitted
                response = view(*args, **kwargs)
                if response.status_code >= 400:  # refused: nothing was made, the key is free
                    transaction.rollback()
                    return response
                Submission.update(location=(response.location or request.full_path)[:300]).where(
                    Submission.id == claim.id).execute()
                return response
        except _AlreadySubmitted:
            first = Submission.get_or_none(Submission.key == key)
            flash(_("这张表单已经提交过，下面是第一次提交的结果。"), "info")
            return redirect(safe_next(first.location if first else ""))
    return wrapper


def csrf_field():
    """The CSRF token as a hidden input without an id, for pages with many small POST forms."""
    from flask_wtf.csrf import generate_csrf
    return Markup(f'<input type="hidden" name="csrf_token" value="{generate_csrf()}">')


def _span(delta):
    """A duration as a person reads it: 40 分钟, 5 小时, or 25 天 3 小时 (not 603 小时)."""
    minutes = int(abs(delta).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return _("%(d)s 天 %(h)s 小时", d=days, h=hours)
    if hours:
        return _("%(h)s 小时", h=hours)
    return _("%(m)s 分钟", m=minutes)


def _money(value):
    """Yuan with two decimals: 100 -> '100.00'."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):.2f}"


def _reject_key(mapping, key):
    """A copy of `mapping` without `key` (pagination links drop the old cursor)."""
    return {k: v for k, v in mapping.items() if k != key}


def filters_set(form):
    """How many of a list's filters the request sets to something other than their default:
    the count on the folded 筛选 control of a phone."""
    count = 0
    for field in form:
        value = request.args.get(field.name, "")
        default = field.default() if callable(field.default) else field.default
        if value and value != ("" if default is None else str(default)):
            count += 1
    return count


def register(app):
    """Template globals, filters and error pages."""
    app.jinja_env.globals.update(can=can, nav_items=nav_items, csrf_field=csrf_field,
                                 unread_notifications=unread_notifications,
                                 once_field=once_field,
                                 may_reveal=may_reveal, site_settings=site_settings,
                                 timeline_url=timeline_url, timeline_label=timeline_label,
                                 get_locale=get_locale, now=clock.now, colon=colon,
                                 filters_set=filters_set)
    app.jinja_env.filters.update(mask_phone=masking.mask_phone, mask_id=masking.mask_id,
                                 dt=_datetime, hm=_time_of_day, reject_key=_reject_key,
                                 money=_money, audit_values=audit.readable, span=_span,
                                 paren=_paren)

    def error_page(status, title, message):
        def handler(error):
            body = render_template("error.html", status=status, title=title(), message=message())
            return make_response(body, status)
        return handler

    app.register_error_handler(400, error_page(400, lambda: _("请求无效"),
                               lambda: _("表单已过期或缺少安全令牌，请刷新页面后重试。")))
    app.register_error_handler(403, error_page(403, lambda: _("无权访问"),
                               lambda: _("您的角色不能使用此页面。如需权限，请联系管理员。")))
    app.register_error_handler(404, error_page(404, lambda: _("页面不存在"),
                               lambda: _("找不到您要的页面或记录。")))
    app.register_error_handler(VOIDED, error_page(VOIDED, lambda: _("记录已作废"),
                               lambda: _("此记录已作废，不能修改。如需继续使用，请经理在“已作废记录”中恢复。")))
    app.register_error_handler(413, error_page(413, lambda: _("文件太大"),
                               lambda: _("上传的文件超过了允许的大小（10 MB），请压缩后重试。")))
    app.register_error_handler(429, error_page(429, lambda: _("提交过于频繁"),
                               lambda: _("同一网络提交太多次，请稍后再试，或到前台登记。")))
    app.register_error_handler(500, error_page(500, lambda: _("系统错误"),
                               lambda: _("出现了意外错误，数据未被修改。请重试或联系管理员。")))
