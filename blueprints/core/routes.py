"""Home, search, language switch, logs and restore."""
import datetime
import json
from collections import namedtuple

from flask import abort, current_app, flash, g, make_response, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN, fn

from blueprints.helpers import (
    excel_response,
    external_url,
    file_response,
    keyset_page,
    month_arg,
    record_id,
    render,
    safe_next,
    sheet_response,
    show_form,
    signed_in_user,
    site_settings,
)
from models import AccessLog, AuditEntry, Customer, Job, Notification, User, clock
from models.base import Prepared, literal, read_later
from models.complaints import STATS_DUE_DAY
from models.i18n import lazy_gettext as _l
from models.reception import CLASSES
from services import audit, channels, charts, reports, signoffs
from services import jobs as jobs_service
from services import notifications as notifications_service
from services import search as search_service
from services.permissions import allowed

from . import bp
from .forms import ButtonForm, LogFilterForm

ACCESS_LABELS = {audit.REVEAL: _l("查看完整号码"), audit.PRINT: _l("打印"), audit.EXPORT: _l("导出"),
                 audit.DOWNLOAD: _l("下载"), audit.OPEN: _l("查阅保密资料")}
AUDIT_LABELS = {audit.CREATE: _l("新建"), audit.UPDATE: _l("修改"), audit.VOID: _l("作废"),
                audit.RESTORE: _l("恢复")}

# The tiles on the home page, in order; a role sees those its permissions allow.
MODULES = [
    ("reception.index", _l("接待登记"), _l("访客、轮流接待、拜访、回访、交接班")),
    ("complaints.index", _l("客户投诉"), _l("受理、判定、调查、审批、答复、回访、结案")),
    ("repairs.index", _l("报修工单"), _l("报修登记、派单、维修、验收签字")),
    ("vip.index", _l("会员"), _l("会员卡、消费、折扣、积分、礼品")),
    ("archives.index", _l("客户档案"), _l("客户资料卡、紧急联络、时间线")),
    ("core.reports_page", _l("统计图表"), _l("投诉、访客、报修、会员的趋势")),
    ("core.access_log", _l("查阅登记"), _l("查看号码、打印、导出的记录")),
    ("core.audit", _l("操作日志"), _l("新建、修改、作废、恢复的记录")),
    ("core.voided", _l("已作废记录"), _l("查看并恢复作废的记录")),
    ("admin.users", _l("用户管理"), _l("新增、停用用户，重置密码")),
    ("admin.settings", _l("系统设置"), _l("站点名称、时区、夜班时段、各类清单")),
    ("admin.holidays", _l("节假日"), _l("放假与调休安排，工作日期限按此计算")),
    ("admin.service_items", _l("修理服务项目表"), _l("维修项目、标准收费与工时")),
]


# Functions (user) -> (template, context) or None: what a module wants shown on the home page.
HOME_PANELS = []


def register_panel(panel):
    """Let a module put a panel on the home page (e.g. handovers waiting to be acknowledged)."""
    HOME_PANELS.append(panel)
    return panel


Tile = namedtuple("Tile", "label count url warn")


def tiles_panel(user, candidates):
    """A row of counters for the home page; each links to its filtered list.

    `candidates` are (endpoint, label, count function, url arguments, warn); only endpoints the
    user may open are shown, and their counts are only computed then. A count function may give
    a Later (Prepared.later): the home page reads all of those in one statement.
    """
    tiles = [Tile(label, count(), url_for(endpoint, **args), warn)
             for endpoint, label, count, args, warn in candidates
             if allowed(user.role, endpoint)]
    return ("core/_tiles_panel.html", {"tiles": tiles}) if tiles else None


def _available(endpoint):
    return endpoint in current_app.view_functions and allowed(current_user.role, endpoint)


_OWNED_CUSTOMERS = Prepared(lambda owner: Customer.live().select(fn.COUNT(Customer.id)).where(
    Customer.owner == owner))


@bp.route("/")
def index():
    """Home: the modules this role works in, its main one first."""
    tiles = [m for m in MODULES if _available(m[0])]
    stats = {}
    if _available("archives.index"):
        stats["mine"] = _OWNED_CUSTOMERS.later(current_user.id)
    panels = [p for p in (panel(current_user) for panel in HOME_PANELS) if p]
    return render("core/index.html", tiles=tiles, stats=_read_counts(panels, stats),
                  panels=panels)


def _read_counts(panels, stats):
    """The panels' tile counts and the stats that are still to be read (Later), read in one
    statement; the tiles get their numbers in place. The stats, read."""
    lists = [context["tiles"] for _template, context in panels if "tiles" in context]
    values = iter(read_later([tile.count for tiles in lists for tile in tiles] +
                             list(stats.values())))
    for tiles in lists:
        tiles[:] = [Tile(tile.label, next(values), tile.url, tile.warn) for tile in tiles]
    return {name: next(values) for name in stats}


@bp.route("/favicon.ico")
def favicon():
    """The icon browsers ask for at this address before they read the page's <link>."""
    with current_app.open_resource("static/favicon.svg") as handle:
        response = make_response(handle.read())
    response.mimetype = "image/svg+xml"
    response.cache_control.max_age = 86400
    return response


@bp.route("/health")
def health():
    """A plain answer for load balancers and the bench harness."""
    return {"status": "ok"}


@bp.route("/search")
def search():
    """The header search: customers and, as modules arrive, their records."""
    query, role = request.args.get("q", ""), current_user.role
    hits = [h for h in search_service.search(query) if allowed(role, h.endpoint)]
    return render("core/search.html", "core/_search_results.html", hits=hits,
                  q=query, kinds=search_service.KINDS)


@bp.route("/lang/<code>")
def set_language(code):
    """Switch the interface language and go back where we were."""
    if code in ("zh", "en"):
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")))


def _filtered(model, form, actions):
    """Apply the shared log filters; keyset pagination by id."""
    form.action.choices = [("", _("全部"))] + [(k, str(v)) for k, v in actions.items()]
    form.user.choices = [("", _("全部"))] + [
        (str(u.id), u.display_name) for u in User.select().order_by(User.display_name)]
    form.model.choices = [("", _("全部"))] + [(name, str(label)) for name, label in
                                             audit.record_kinds().items()]
    form.validate()
    query = model.select(model, User).join(User, JOIN.LEFT_OUTER,
                                            on=(model.user == User.id))
    if form.action.data:
        query = query.where(model.action == form.action.data)
    if record_id(form.user.data) is not None:
        query = query.where(model.user == record_id(form.user.data))
    if form.model.data and not form.model.errors:
        query = query.where(model.model == form.model.data)
    if form.start.data and not form.start.errors:
        query = query.where(model.at >= datetime.datetime.combine(form.start.data, datetime.time()))
    if form.end.data and not form.end.errors:
        query = query.where(model.at < datetime.datetime.combine(
            form.end.data + datetime.timedelta(days=1), datetime.time()))
    return query.order_by(model.id.desc())


@bp.route("/audit", endpoint="audit")
def audit_log():
    """The audit trail: who created, changed, voided or restored what."""
    form = LogFilterForm(request.args)
    rows, next_before = keyset_page(_filtered(AuditEntry, form, AUDIT_LABELS), AuditEntry)
    return render("core/audit.html", "core/_audit_rows.html", form=form, rows=rows,
                  next_before=next_before, labels=AUDIT_LABELS, kinds=audit.record_kinds())



@bp.route("/access-log")
def access_log():
    """查阅登记: reveals, prints, exports, downloads and confidential openings."""
    form = LogFilterForm(request.args)
    rows, next_before = keyset_page(_filtered(AccessLog, form, ACCESS_LABELS), AccessLog)
    return render("core/access_log.html", "core/_access_rows.html", form=form, rows=rows,
                  next_before=next_before, labels=ACCESS_LABELS, kinds=audit.record_kinds())


@bp.route("/access-log/print")
def access_log_print():
    """The access log as filtered, as a PDF (at most 2,000 rows)."""
    form = LogFilterForm(request.args)
    rows = list(_filtered(AccessLog, form, ACCESS_LABELS).limit(literal(2000)))
    return sheet_response("print/access_log.html", "查阅登记.pdf", rows, title=_("查阅登记"),
                          labels=ACCESS_LABELS, form=form, kinds=audit.record_kinds(),
                          qr_url=external_url("core.access_log", **request.args),
                          landscape=False)


def charts_for(today, year, month):
    """Every chart of the reports page, as SVG."""
    week_labels, by_category = reports.complaints_per_week(year, month)
    month_labels, rates = reports.on_time_rate_by_month(today)
    day_labels, by_class = reports.visitors_per_day(today)
    state_labels, state_counts = reports.repairs_by_state()
    hour_labels, hours = reports.repair_hours_by_month(today)
    vip_labels, members, points = reports.vip_by_month(today)
    return [
        charts.bars(_("%(year)s年%(month)s月 每周投诉（按类别）", year=year, month=month),
                    week_labels, by_category),
        charts.line(_("按时结案率（按月）"), month_labels, [(_("按时结案率"), rates)], unit="%",
                    top=100),
        charts.bars(_("近 30 天每日访客（按接待类别）"), day_labels,
                    [(str(CLASSES[cls]), counts) for cls, counts in by_class]),
        charts.bars(_("工单状态"), state_labels, [(_("工单数"), state_counts)]),
        charts.line(_("平均完工时长（小时，按月）"), hour_labels, [(_("平均小时"), hours)]),
        charts.bars(_("每月新会员"), vip_labels, [(_("新会员"), members)]),
        charts.bars(_("每月发放积分"), vip_labels, [(_("积分"), points)]),
    ]


@bp.route("/reports")
def reports_page():
    """Charts: complaints, closure on time, visitors, repairs, VIP members and points (the month
    being recorded, once the month before is reported)."""
    year, month = month_arg(due_day=STATS_DUE_DAY)
    today = clock.today()
    return render("core/reports.html", charts=charts_for(today, year, month),
                  period=signoffs.period(year, month))


@bp.route("/jobs/<token>")
def job(token):
    """A long job's progress (polled by htmx while it runs); the page can be left and revisited."""
    record = Job.get_or_none(Job.token == token)
    if record is None or (record.user_id != current_user.id and not allowed(
            current_user.role, "core.audit")):
        abort(404)
    return render("core/job.html", "core/_job.html", job=record,
                  result=jobs_service.result_of(record))


@bp.route("/jobs/<token>/file")
def job_file(token):
    """The file a finished job produced (only for whoever started it)."""
    record = Job.get_or_none(Job.token == token)
    if record is None or record.user_id != current_user.id or not record.succeeded:
        abort(404)
    result = jobs_service.result_of(record)
    found = jobs_service.finished_file(token)
    if "file" not in result or found is None:
        abort(404)
    return file_response(bytes(found.data), found.content_type, result["file"],
                         inline=result.get("type") == "application/pdf")


@bp.route("/notifications")
def notifications():
    """My notifications, newest first; opening the list marks them read."""
    rows = list(Notification.select().where(Notification.user == current_user.id)
                .order_by(Notification.id.desc()).limit(literal(100)))
    notifications_service.mark_read(current_user.id)
    g.unread = 0  # the badge, read with the user before these were marked
    return render("core/notifications.html", rows=rows)


@bp.route("/notifications/choices", methods=["GET", "POST"])
def notify_choices():
    """我的通知方式: which notices reach me by SMS or e-mail, besides the app."""
    from .forms import NotifyChoicesForm
    personal = {c: notifications_service.CHANNEL_NAMES[c] for c in channels.PERSONAL}
    form = NotifyChoicesForm.for_kinds(notifications_service.KINDS, personal)()
    user = signed_in_user()
    if form.validate_on_submit():
        user.email = (form.email.data or "").strip()
        user.notify_channels = json.dumps(
            {kind: sorted(set(getattr(form, f"kind_{kind}").data or []) & set(personal))
             for kind in notifications_service.KINDS}, sort_keys=True)
        audit.save(user, current_user)
        flash(_("通知方式已保存"), "success")
        return redirect(url_for("core.notify_choices"))
    if not form.is_submitted():
        form.email.data = user.email
        for kind in notifications_service.KINDS:
            getattr(form, f"kind_{kind}").data = sorted(notifications_service.chosen(user, kind))
    return show_form("core/notify_choices.html", form, user=user,
                     ready=channels.configured(site_settings()),
                     kinds=notifications_service.KINDS,
                     every_channel=[kind for kind in notifications_service.KINDS
                                    if notifications_service.every_channel(user, kind)])


@bp.route("/records/voided")
def voided():
    """Voided records of every kind, for a manager to restore."""
    kind = request.args.get("kind", "")
    groups = []
    for name, (model, label) in audit.VOIDABLE.items():
        if kind and name != kind:
            continue
        rows = list(model.select().where(model.is_voided())
                    .order_by(model.voided_at.desc()).limit(literal(100)))
        groups.append((name, label, rows))
    return render("core/voided.html", groups=groups, kind=kind, kinds=audit.VOIDABLE)


@bp.route("/records/voided/export")
def voided_export():
    """Voided records (?kind= for one kind), as an Excel workbook."""
    kind = request.args.get("kind", "")
    names = dict(User.select(User.id, User.display_name).tuples())
    rows = []
    for name, (model, label) in audit.VOIDABLE.items():
        if not kind or name == kind:
            rows += [(label, record) for record in model.select().where(
                model.is_voided()).order_by(model.voided_at.desc())]

    def row(item):
        label, record = item
        return [str(label), record.label(), record.voided_at,
                names.get(record.voided_by, ""), record.void_reason]
    headers = [_("类型"), _("记录"), _("作废时间"), _("作废人"), _("原因")]
    return excel_response("已作废记录.xlsx", _("已作废记录"), headers, rows, "Voidable", row)


@bp.route("/records/<kind>/<int:id>/restore", methods=["POST"])
def restore(kind, id):
    """Restore a voided record (managers only)."""
    if kind not in audit.VOIDABLE:
        abort(404)
    model, _label = audit.VOIDABLE[kind]
    record = model.get_or_none(model.id == id)
    if record is None:
        abort(404)
    if ButtonForm().validate_on_submit() and record.voided:
        audit.restore(record, current_user)
        flash(_("已恢复：%(label)s", label=record.label()), "success")
    return redirect(url_for("core.voided", kind=kind))


@bp.route("/audit/export")
def audit_export():
    """The audit trail as filtered, as an Excel workbook."""
    form, kinds = LogFilterForm(request.args), audit.record_kinds()

    def row(e):
        return [e.at, e.user.display_name if e.user else "", str(AUDIT_LABELS.get(e.action, e.action)),
                str(kinds.get(e.model, e.model)), e.record_id, e.label, audit.readable(e.before),
                audit.readable(e.after)]
    headers = [_("时间"), _("人员"), _("操作"), _("记录类型"), _("编号"), _("记录"), _("修改前"),
               _("修改后")]
    return excel_response("操作日志.xlsx", _("操作日志"), headers,
                          _filtered(AuditEntry, form, AUDIT_LABELS), "AuditEntry", row)


@bp.route("/access-log/export")
def access_log_export():
    """The access log as filtered, as an Excel workbook."""
    form, kinds = LogFilterForm(request.args), audit.record_kinds()

    def row(e):
        return [e.at, e.user.display_name if e.user else "",
                str(ACCESS_LABELS.get(e.action, e.action)), str(kinds.get(e.model, e.model)),
                e.record_id, e.label,
                e.detail, e.reason]
    headers = [_("时间"), _("人员"), _("操作"), _("记录类型"), _("编号"), _("记录"), _("内容"),
               _("原因")]
    return excel_response("查阅登记.xlsx", _("查阅登记"), headers,
                          _filtered(AccessLog, form, ACCESS_LABELS), "AccessLog", row)
