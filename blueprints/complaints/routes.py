"""Complaint views: list and lists of late ones, intake, the complaint with its steps, prints."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import SQL

from blueprints.core.forms import ButtonForm
from blueprints.helpers import (
    LazyForms,
    can,
    date_range_args,
    excel_response,
    external_url,
    get_or_404,
    keyset_cut,
    keyset_query,
    once_per_form,
    page_args,
    pdf_response,
    record_id,
    record_or_none,
    render,
    sheet_response,
    show_form,
    site_settings,
    void_view,
)
from blueprints.numbers import keep_stored, show_masked
from models import Complaint, ComplaintStep, Customer, User, clock
from models.base import first_in_queue, literal, read_together
from models.complaints import CAUSE_KINDS, CHANNELS, CHECKLIST
from models.i18n import lazy_gettext as _l
from models.masking import mask_phone
from services import identity
from services.search import Query

from . import approval, bp, deadlines, outcomes, service
from .forms import (
    ComplaintFilterForm,
    ComplaintForm,
    HandOverForm,
    MeetingForm,
    NoticeForm,
    OnsiteForm,
    OpinionForm,
    OutcomeForm,
    ProgressForm,
    SharesForm,
    StepForm,
)
from .service import WorkflowError

# The handling form's five copies (联), each for the department named on it.
COPIES = (_l("质量管理部"), _l("制造部门"), _l("业务部门"), _l("会计科"), _l("总经理室"))
PAGE = 50
NOTICE_COPIES = (_l("自存"), _l("会计单位查核"), _l("送惩罚部门"))
TRACKING_MOST = 3000  # complaints a printed tracking register holds


def _complaint_or_404(id):
    return service.with_people(get_or_404(Complaint, id))


def _filtered(form, whole=False):
    """The complaints the list's filters select: (query, paged)."""
    search = Query(form.q.data)
    return service.filtered(form.view.data or "open", current_user, state=form.state.data,
                            category=form.category.data, severity=form.severity.data,
                            owner_id=record_id(form.owner.data),
                            search=search if search else None, whole=whole)


def _worked_out_page(rows):
    """(rows, next_before) for the late or nearly late list, which is worked out in Python
    (deadlines.due_order): fifty at a time, from after the complaint ?before= names, like
    keyset_page. That complaint may have left the list meanwhile (closed, reported on): the
    page goes on from where it stood."""
    mark = service.due_mark(record_id(request.args.get("before")))
    if mark is not None:
        rows = [row for row in rows if deadlines.due_order(row) > deadlines.due_order(mark)]
    return rows[:PAGE], (rows[PAGE - 1].id if len(rows) > PAGE else None)


@bp.route("/")
def index():
    """Complaints in progress (or overdue, due soon, mine, all), with their nearest clock."""
    form = ComplaintFilterForm(request.args, categories=site_settings()["complaint_categories"])
    form.validate()
    query, paged = _filtered(form)
    if paged:
        # A-class customers' first (seed 000): all of them on the first page, then the rest.
        page = keyset_query(query.where(Complaint.priority == SQL("0")), Complaint, PAGE)
        first, rows = ([], list(page)) if request.args.get("before") else read_together(
            query.where(first_in_queue(Complaint)).limit(literal(PAGE)), page)
        rows, next_before = keyset_cut(rows, PAGE)
        rows = first + rows
    else:
        rows, next_before = _worked_out_page(query)
    clocks = deadlines.pressing_clocks(rows, clock.now())
    return render("complaints/index.html", "complaints/_rows.html", form=form, rows=rows,
                  clocks=clocks, next_before=next_before, args=page_args())


@bp.route("/new", methods=["GET", "POST"])
@once_per_form
def new():
    """受理: the first receiver records the complaint and owns it (首问负责制)."""
    form = ComplaintForm(categories=site_settings()["complaint_categories"])
    if request.method == "GET":
        form.received_at.data = clock.now().replace(second=0)
        customer = _customer(request.args.get("customer"))
        if customer:
            form.customer.data = str(customer.id)
            form.complainant.data, form.phone.data = customer.name, customer.phone
        # A request from a customer visit turns into a complaint or suggestion in one step.
        form.content.data = request.args.get("content", "")[:4000]
        if request.args.get("category") in site_settings()["complaint_categories"]:
            form.category.data = request.args["category"]
        if request.args.get("channel") in CHANNELS:
            form.channel.data = request.args["channel"]
    elif _customer(form.customer.data):
        keep_stored(form, _customer(form.customer.data))
    if form.validate_on_submit():
        complaint = Complaint(content=form.content.data.strip())
        for name in ("channel", "complainant", "category", "severity", "region", "demand",
                     "order_no", "item"):
            setattr(complaint, name, (getattr(form, name).data or "").strip())
        for name in ("received_at", "quantity", "ship_date", "defective_qty") + tuple(
                key for key, _label in CHECKLIST):
            setattr(complaint, name, getattr(form, name).data)
        complaint.phone = identity.normalize_phone(form.phone.data)
        complaint.plate = identity.normalize_plate(form.plate.data or "")
        complaint.cause_kind = form.cause_kind.data if form.cause_kind.data in CAUSE_KINDS else ""
        complaint.customer = _customer(form.customer.data)
        if complaint.customer is None and form.create_customer.data:
            complaint.customer = service.complainant_as_customer(complaint, current_user)
        service.intake(complaint, current_user)
        flash(_("已受理投诉 %(serial)s，由您负责跟进", serial=complaint.serial), "success")
        return redirect(url_for("complaints.detail", id=complaint.id))
    customer = _customer(form.customer.data)
    if customer:
        show_masked(form, customer)
    return show_form("complaints/form.html", form, customer=customer, checklist=CHECKLIST)


def _customer(value):
    return record_or_none(Customer, value)


def _forms(complaint, shares):
    """How to build each form the complaint's page may show (built only if it is shown)."""
    departments = site_settings()["departments"]

    def shares_form():
        form = SharesForm(departments=departments)
        for line, share in zip(form.lines, shares):
            line.department.data, line.percent.data = share.department, share.percent
        return form
    return dict(step_form=lambda: StepForm(departments=departments),
                hand_over_form=HandOverForm, progress_form=ProgressForm,
                onsite_form=lambda: OnsiteForm(at=clock.now().replace(
                    second=0, microsecond=0)),
                meeting_form=lambda: MeetingForm(obj=complaint),
                opinion_form=lambda: OpinionForm(obj=complaint),
                outcome_form=lambda: OutcomeForm(obj=complaint),
                shares_form=shares_form, notice_form=NoticeForm)


def _detail(complaint, status=200, error=None, rows=None, **submitted):
    """The complaint's page; `submitted`: forms sent back with their errors, by name; `rows`:
    its page_rows when already read."""
    rows = rows or service.page_rows(complaint)
    actions = service.allowed_actions(complaint, current_user)
    clocks = deadlines.clocks(complaint, reports=[p.at for p in rows["progress"]])
    route = service.approval_route(complaint) if complaint.claim_amount is not None else None
    return render("complaints/detail.html", status=status, complaint=complaint,
                  approval_limits=(approval.limits(site_settings())
                                   if "investigate" in actions else None),
                  approval_route=route,
                  clocks=clocks, error=error,
                  actions=actions, turns=service.whose_turn(complaint, route),
                  late_clocks=outcomes.late_clocks(complaint, clocks),
                  action_labels=service.ACTION_LABELS, checklist=CHECKLIST,
                  forms=LazyForms(_forms(complaint, rows["shares"]), **submitted), **rows)


# The complaint page's side forms, each with the endpoint it is sent to (who may use it).
SIDE_FORMS = {"progress_form": "complaints.progress", "onsite_form": "complaints.onsite",
              "hand_over_form": "complaints.hand_over", "outcome_form": "complaints.outcome",
              "shares_form": "complaints.shares", "notice_form": "complaints.notice_new",
              "opinion_form": "complaints.opinion"}


@bp.route("/<int:id>/forms/<name>")
def side_form(id, name):
    """One side form of the complaint page: fetched when it is opened there (htmx), or a page
    of its own without scripts. The page renders them folded and empty: most views open none."""
    if name not in SIDE_FORMS:
        abort(404)
    if not can(SIDE_FORMS[name]):
        abort(403)
    complaint = _complaint_or_404(id)
    return render("complaints/side_form.html", "complaints/_side_form.html", complaint=complaint,
                  name=name, forms=LazyForms(_forms(complaint, complaint.related("shares"))))


@bp.route("/<int:id>")
def detail(id):
    """The complaint: its clocks, steps so far, and the next steps this user may take."""
    complaint, rows = service.with_page_rows(id)
    if complaint is None:
        abort(404)
    return _detail(complaint, rows=rows)


@bp.route("/<int:id>/step/<action>", methods=["POST"])
def step(id, action):
    """Take one workflow step; a step the rules refuse is answered with the reason."""
    complaint = _complaint_or_404(id)
    if action not in service.ACTIONS:
        abort(404)
    form = StepForm(departments=site_settings()["departments"])
    if not form.validate_on_submit():
        return _detail(complaint, status=422, error=_("请检查填写的内容"), step_form=form)
    required = service.ACTIONS[action][3]
    data = {name: (getattr(form, name).data or "").strip() for name in required
            if name != "claim_amount"}
    if action == "investigate":
        amount = form.claim_amount.data
        data["claim_amount"] = "" if amount is None else amount
    if action == "classify":
        data["responsible_person"] = (form.responsible_person.data or "").strip()
        data["cause_kind"] = form.cause_kind.data or complaint.cause_kind
    if action == "approve":
        data["approval_comment"] = (form.approval_comment.data or "").strip()
    try:
        service.apply(complaint, action, current_user, **data)
    except WorkflowError as refused:
        return _detail(complaint, status=422, error=str(refused), step_form=form)
    flash(_("已完成：%(action)s", action=service.ACTION_LABELS[action]), "success")
    return redirect(url_for("complaints.detail", id=id))


@bp.route("/<int:id>/approval-route")
def approval_route(id):
    """Who will decide the solution for the amount being typed (htmx, in the investigation)."""
    complaint = _complaint_or_404(id)
    return render("complaints/_approval_route.html", complaint=complaint,
                  **service.route_context(complaint, request.args.get("claim_amount", "")))


def _simple(id, form_class, apply, form_key):
    """Validate a side form (no state change) and apply it; errors re-render the complaint."""
    complaint = _complaint_or_404(id)
    form = form_class()
    if form.validate_on_submit():
        try:
            apply(complaint, form)
        except WorkflowError as refused:
            return _detail(complaint, status=422, error=str(refused), **{form_key: form})
        flash(_("已保存"), "success")
        return redirect(url_for("complaints.detail", id=id))
    return _detail(complaint, status=422, error=_("请检查填写的内容"), **{form_key: form})


@bp.route("/<int:id>/hand-over", methods=["POST"])
def hand_over(id):
    """Pass the complaint to another owner."""
    return _simple(id, HandOverForm, lambda c, f: service.hand_over(
        c, User.get_by_id(int(f.owner.data)), current_user, f.note.data or ""), "hand_over_form")


@bp.route("/<int:id>/progress", methods=["POST"])
@once_per_form
def progress(id):
    """Record a progress report to the customer."""
    return _simple(id, ProgressForm, lambda c, f: service.record_progress(
        c, current_user, f.method.data, f.note.data.strip()), "progress_form")


@bp.route("/<int:id>/onsite", methods=["POST"])
def onsite(id):
    """Record on-site handling."""
    return _simple(id, OnsiteForm, lambda c, f: service.record_onsite(
        c, current_user, at=f.at.data, note=f.note.data or ""), "onsite_form")


@bp.route("/<int:id>/opinion", methods=["POST"])
def opinion(id):
    """The office's composite opinion after the reply (综合看法)."""
    return _simple(id, OpinionForm, lambda c, f: service.record_opinion(
        c, current_user, f.opinion.data.strip()), "opinion_form")


@bp.route("/<int:id>/meeting", methods=["POST"])
def meeting(id):
    """The emergency meeting of a major complaint."""
    return _simple(id, MeetingForm, lambda c, f: service.record_meeting(
        c, current_user, f.meeting_at.data, f.meeting_notes.data.strip(),
        f.agreed_solution.data.strip()), "meeting_form")


@bp.route("/<int:id>/outcome", methods=["POST"])
def outcome(id):
    """Allowance/compensation and return or rework quantities."""
    return _simple(id, OutcomeForm, lambda c, f: outcomes.set_outcome(
        c, current_user, f.allowance.data, f.return_qty.data, f.rework_qty.data), "outcome_form")


@bp.route("/<int:id>/shares", methods=["POST"])
def shares(id):
    """Responsibility split across departments (must total 100 %)."""
    complaint = _complaint_or_404(id)
    form = SharesForm(departments=site_settings()["departments"])
    if form.validate_on_submit():
        lines = [(line.department.data, line.percent.data or 0) for line in form.lines
                 if line.department.data]
        try:
            outcomes.set_shares(complaint, lines, current_user)
        except WorkflowError as refused:
            return _detail(complaint, status=422, error=str(refused), shares_form=form)
        flash(_("已保存责任比例"), "success")
        return redirect(url_for("complaints.detail", id=id))
    return _detail(complaint, status=422, error=_("请检查填写的内容"), shares_form=form)


@bp.route("/<int:id>/notices", methods=["POST"])
@once_per_form
def notice_new(id):
    """Propose a penalty or reward notice (奖罚通知单)."""
    return _simple(id, NoticeForm, lambda c, f: outcomes.propose_notice(
        c, current_user, f.kind.data, f.target.data.strip(), f.amount.data,
        f.reason.data.strip()), "notice_form")


@bp.route("/<int:id>/notices/<int:notice_id>/approve", methods=["POST"])
def notice_approve(id, notice_id):
    """The GM approves a penalty or reward notice."""
    complaint = _complaint_or_404(id)
    notice = service.notice_of(complaint, notice_id)
    if notice is None:
        abort(404)
    if ButtonForm().validate_on_submit():
        try:
            outcomes.approve_notice(notice, current_user)
        except WorkflowError as refused:
            return _detail(complaint, status=422, error=str(refused))
    return redirect(url_for("complaints.detail", id=id))


@bp.route("/<int:id>/recomplaint", methods=["POST"])
@once_per_form
def recomplaint(id):
    """The customer rejects the result: open a linked complaint in one tap."""
    original = _complaint_or_404(id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        fresh = service.recomplain(original, current_user,
                                   request.form.get("content", "").strip())
    except WorkflowError as refused:
        return _detail(original, status=422, error=str(refused))
    flash(_("已就原投诉 %(old)s 重新受理为 %(new)s", old=original.serial, new=fresh.serial),
          "success")
    return redirect(url_for("complaints.detail", id=fresh.id))


@bp.route("/<int:id>/void", methods=["POST"])
def void(id):
    """Void a complaint registered by mistake (with a reason)."""
    complaint = _complaint_or_404(id)
    return void_view(complaint, "complaints.index", "complaints.detail",
                     _("已作废 %(serial)s", serial=complaint.serial))


@bp.route("/<int:id>/print")
def print_form(id):
    """客户投诉处理表: one page for each of the five copies (联)."""
    complaint = _complaint_or_404(id)
    return pdf_response("print/complaint.html", f"客户投诉处理表-{complaint.serial}.pdf",
                        record=complaint, title=_("客户投诉处理表"), number=complaint.serial,
                        qr_url=external_url("complaints.detail", id=id), complaint=complaint,
                        copies=COPIES, checklist=CHECKLIST, clocks=deadlines.clocks(complaint),
                        approval_route=(service.approval_route(complaint)
                                        if complaint.claim_amount is not None else None),
                        steps=list(complaint.steps.order_by(ComplaintStep.id)))


@bp.route("/<int:id>/reminder")
def reminder(id):
    """催办单: the reminder notice for an overdue complaint."""
    complaint = _complaint_or_404(id)
    late = [c for c in deadlines.clocks(complaint) if c.status == deadlines.OVERDUE]
    return pdf_response("print/reminder.html", f"催办单-{complaint.serial}.pdf",
                        record=complaint, title=_("催办单"), number=complaint.serial,
                        qr_url=external_url("complaints.detail", id=id), complaint=complaint,
                        late=late)


@bp.route("/<int:id>/late-notice")
def late_notice(id):
    """治办单: a case closed with clocks met late or missed, sent to find out why."""
    complaint = _complaint_or_404(id)
    late = outcomes.late_clocks(complaint)
    if not late:
        abort(404)
    return pdf_response("print/late_notice.html", f"治办单-{complaint.serial}.pdf",
                        record=complaint, title=_("治办单"), number=complaint.serial,
                        qr_url=external_url("complaints.detail", id=id), complaint=complaint,
                        late=[(c, outcomes.days_late(c)) for c in late],
                        penalty=outcomes.late_penalty(complaint, site_settings()))


@bp.route("/<int:id>/late-penalty", methods=["POST"])
def late_penalty(id):
    """Propose the penalty for late handling from the late clocks; the GM confirms it."""
    complaint = _complaint_or_404(id)
    if ButtonForm().validate_on_submit():
        try:
            outcomes.propose_late_penalty(complaint, current_user, site_settings())
            flash(_("已按逾期拟定罚扣，待总经理批准"), "success")
        except WorkflowError as refused:
            flash(str(refused), "error")
    return redirect(url_for("complaints.detail", id=id))


@bp.route("/<int:id>/notices/<int:notice_id>/print")
def notice_print(id, notice_id):
    """奖罚通知单 in its three copies: kept, for the accounts, for the department (seed 000)."""
    complaint = _complaint_or_404(id)
    notice = service.notice_of(complaint, notice_id)
    if notice is None:
        abort(404)
    return pdf_response("print/notice.html", f"奖罚通知单-{complaint.serial}-{notice.id}.pdf",
                        record=notice, title=_("奖罚通知单"), number=complaint.serial,
                        complaint=complaint, notice=notice, copies=NOTICE_COPIES)


@bp.route("/tracking/print")
def tracking_print():
    """客户埋怨案件登记追踪表: the period's complaints as the paper tracking register."""
    start, end = date_range_args()
    since, until = clock.day_bounds(start, end)
    rows = []
    for c in (Complaint.live().where((Complaint.received_at >= since) &
                                     (Complaint.received_at < until))
              .order_by(Complaint.received_at).limit(literal(TRACKING_MOST))):
        late = outcomes.late_clocks(c)
        rows.append([c.serial, c.received_at.strftime("%Y-%m-%d"), c.complainant, c.category,
                     str(c.cause_kind_label or ""), c.responsible_dept, str(c.state_label),
                     c.closure_due.strftime("%Y-%m-%d"),
                     c.closed_at.strftime("%Y-%m-%d") if c.closed_at else "",
                     "、".join(str(k.label) for k in late)])
    return sheet_response("print/register.html", "客户埋怨案件登记追踪表.pdf", rows,
                          title=_("客户埋怨案件登记追踪表"), period=f"{start} — {end}",
                          headers=[_("客诉编号"), _("受理日期"), _("投诉人"), _("类别"),
                                   _("异常原因"), _("责任部门"), _("状态"), _("结案期限"),
                                   _("结案日期"), _("逾期事项")],
                          signs=[_("登记人"), _("总经理室")])


@bp.route("/export")
def export():
    """The complaint list as filtered, as an Excel workbook."""
    form = ComplaintFilterForm(request.args, categories=site_settings()["complaint_categories"])
    form.validate()
    query, _paged = _filtered(form, whole=True)

    def row(c):
        return [c.serial, c.received_at, c.complainant, mask_phone(c.phone), c.category,
                str(c.severity_label), str(c.state_label),
                c.owner.display_name if c.owner else "", c.closure_due, c.closed_at,
                c.satisfaction]
    headers = [_("单号"), _("受理时间"), _("投诉人"), _("电话"), _("类别"), _("严重程度"), _("状态"),
               _("负责人"), _("结案期限"), _("结案日期"), _("满意度")]
    return excel_response("客户投诉.xlsx", _("客户投诉"), headers, query, "Complaint", row)
