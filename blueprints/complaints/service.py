"""Complaint rules: deadlines and clocks, the workflow state machine, outcomes, returns, statistics.

Every deadline comes from clocks(); every step goes through apply(); nothing here knows Flask.
"""
import datetime
import json
from collections import Counter, namedtuple
from decimal import Decimal
from types import SimpleNamespace

from peewee import JOIN, Case, fn

from models import (
    Complaint,
    ComplaintProgress,
    ComplaintStep,
    PenaltyNotice,
    ResponsibilityShare,
    User,
    db,
    now,
)
from models.complaints import (
    APPROVED,
    CLASSIFIED,
    CLOSED,
    FINISHED,
    FOLLOWED_UP,
    INVALID,
    INVESTIGATED,
    PROGRESS_PERIOD,
    R_APPROVED,
    R_INSPECTED,
    R_RECEIVED,
    R_REFUSED,
    R_REQUESTED,
    R_SETTLED,
    RECORDED,
    REPLIED,
    complaint_is_open,
    first_progress_due,
    report_moments_of,
)
from models.i18n import lazy_gettext as _l
from models.users import DESK, ENGINEER, GM, MANAGER, SALES
from services import audit, notifications, serials, timeline, workdays
from services.search import Hit, equals, matching, starts

CLOSE_DAYS = {"overseas": 20}
CLOSE_DAYS_DEFAULT = 15
ONSITE_HOURS = {"in_province": 24, "out_province": 48}
REPORT_DAYS = 3
PROPOSAL_WORKDAYS = 1
DUE_SOON = datetime.timedelta(hours=24)


class WorkflowError(Exception):
    """A step that the rules do not allow; the message says why, `field` which input it concerns."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


# ---- deadlines and clocks -----------------------------------------------------------------------

def deadlines(received_at, region):
    """(closure, on-site, investigation report) deadlines from acceptance and region."""
    closure = received_at + datetime.timedelta(days=CLOSE_DAYS.get(region, CLOSE_DAYS_DEFAULT))
    hours = ONSITE_HOURS.get(region)
    onsite = workdays.add_hours(received_at, hours) if hours else None
    report = received_at + datetime.timedelta(days=REPORT_DAYS)
    return closure, onsite, report


def proposal_deadline(classified_at):
    """The solution is proposed within 1 working day of classification (PRC calendar)."""
    return workdays.add_workdays(classified_at, PROPOSAL_WORKDAYS)


def recompute_workday_deadlines(at, actor=None):
    """After the working calendar changed (the 节假日 page): the proposal deadlines that have not
    passed yet are worked out again, and with them each complaint's next deadline."""
    from models.complaints import complaint_is_open
    pending = Complaint.select().where(
        complaint_is_open() & Complaint.classified_at.is_null(False)
        & Complaint.investigated_at.is_null() & (Complaint.proposal_due > at))
    changed = 0
    for complaint in pending:
        due = proposal_deadline(complaint.classified_at)
        if due != complaint.proposal_due:
            complaint.proposal_due = due
            audit.save(complaint, actor)
            changed += 1
    return changed


Clock = namedtuple("Clock", "key label due met_at status delta")
CLOCK_LABELS = {"closure": _l("结案期限"), "onsite": _l("现场处理"),
                "proposal": _l("提出处理方案（1 个工作日）"), "report": _l("调查报告（3 天内）"),
                "progress": _l("进度告知（每 7 天至少 2 次）"),
                "inspect": _l("到货 3 日内检验"), "settle": _l("到货 5 日内处理完毕")}
OK, SOON, OVERDUE, MET, MET_LATE, MISSED = "ok", "soon", "overdue", "met", "met_late", "missed"


def _clock(key, due, met_at, at, ended=None):
    """One clock at `at`. `ended`: when the complaint was closed (or found invalid), which
    stops the clocks it never met: missed if they were already due then, else no longer due."""
    label = CLOCK_LABELS[key]
    if due is None:
        return None
    if met_at is not None:
        return Clock(key, label, due, met_at, MET if met_at <= due else MET_LATE, met_at - due)
    if ended is not None:
        return Clock(key, label, due, None, MISSED, ended - due) if ended > due else None
    if at > due:
        return Clock(key, label, due, None, OVERDUE, at - due)
    return Clock(key, label, due, None, SOON if due - at <= DUE_SOON else OK, due - at)


def progress_clock(complaint, at, reports=None):
    """At least two progress reports in every 7-day period counted from acceptance."""
    if reports is None:
        reports = [p.at for p in complaint.progress]
    end = complaint.closed_at or at
    finished = complaint.state in FINISHED
    due = first_progress_due(complaint.received_at, reports)
    if due <= end:  # a period that is over had too few reports
        return Clock("progress", CLOCK_LABELS["progress"], due, None,
                     MISSED if finished else OVERDUE, end - due)
    periods = max((end - complaint.received_at) // PROGRESS_PERIOD, 0)
    current_end = complaint.received_at + PROGRESS_PERIOD * (periods + 1)
    if finished or due > current_end:  # the current period has its reports
        return Clock("progress", CLOCK_LABELS["progress"], current_end, end, MET,
                     datetime.timedelta(0))
    return _clock("progress", due, None, at)


def clocks(complaint, at=None, reports=None):
    """Every clock of a complaint with its due moment and whether it is met, soon, or late.
    `reports`: its progress report moments, when already fetched (see clocks_for)."""
    at = at or now()
    ended = (complaint.closed_at or at) if complaint.state in FINISHED else None
    items = [
        _clock("closure", complaint.closure_due, ended, at),
        _clock("onsite", complaint.onsite_due, complaint.onsite_at, at, ended),
        _clock("proposal", complaint.proposal_due, complaint.investigated_at, at, ended),
        _clock("report", complaint.report_due, complaint.investigated_at, at, ended),
    ]
    if complaint.state != INVALID:
        items.append(progress_clock(complaint, at, reports))
    return [c for c in items if c is not None]


def clocks_for(complaints, at=None):
    """{id: clocks} for many complaints, their progress reports read in one query."""
    at = at or now()
    complaints = list(complaints)
    reports = report_moments_of(c.id for c in complaints)
    return {c.id: clocks(c, at, reports[c.id]) for c in complaints}


def pressing_clocks(complaints, at=None):
    """{id: its late and nearly late clocks}, what a list shows of each complaint. A finished
    complaint has none (closing stops its clocks: met or missed), so only the open ones are
    worked out and only their progress reports read; a list of closed complaints reads none."""
    complaints = list(complaints)
    every = clocks_for([c for c in complaints if c.state not in FINISHED], at)
    return {c.id: [clock for clock in every.get(c.id, ()) if clock.status in (OVERDUE, SOON)]
            for c in complaints}


def is_overdue(complaint, at=None):
    return any(c.status == OVERDUE for c in clocks(complaint, at))


def open_complaints():
    return Complaint.live().where(complaint_is_open())


# What clocks() reads: enough for counting (the home page) without loading whole complaints.
CLOCK_FIELDS = (Complaint.id, Complaint.state, Complaint.received_at, Complaint.closure_due,
                Complaint.closed_at, Complaint.onsite_due, Complaint.onsite_at,
                Complaint.proposal_due, Complaint.investigated_at, Complaint.report_due)


# What a list row shows (complaints/_rows.html): its clocks, these, and the owner's name.
LIST_FIELDS = CLOCK_FIELDS + (Complaint.serial, Complaint.severity, Complaint.complainant,
                              Complaint.category, Complaint.owner)


class Listed(SimpleNamespace):
    """A complaint as a list shows it: the columns it reads (LIST_FIELDS), its owner's name
    (owner_name) and its state's label. Fifty of these are built in a third of the time fifty
    complaints with their owners joined take, which was a list's largest cost after the page."""
    state_label = Complaint.state_label


def listed(query, whole=False):
    """The query with each complaint's owner (their name) read in the same query, reading only
    what a list shows into Listed rows (a complaint has some seventy columns), or, `whole`,
    every column into complaints with their owners (exports)."""
    owner = User.alias("owner")
    query = query.join(owner, JOIN.LEFT_OUTER, on=(Complaint.owner == owner.id)).switch(Complaint)
    if whole:
        return query.select(Complaint, owner)
    return query.select(*LIST_FIELDS, owner.display_name.alias("owner_name")).objects(Listed)


def overdue_and_soon(at=None, counting=False, whole=False):
    """(overdue, due soon) in one pass over the open complaints: overdue has a clock past due;
    due soon has a clock due within 24 hours and none overdue. Earliest closure due first.
    `counting`: only the clock fields are read, as plain tuples; `whole`: every column."""
    at = at or now()
    # Only complaints with a deadline not met within the next day can be late or nearly late
    # (next_due is kept on every save; None when not yet known, e.g. written by hand).
    return _classified(open_complaints().where(Complaint.next_due.is_null() |
                                               (Complaint.next_due <= at + DUE_SOON)),
                       at, counting, whole)


def overdue_and_soon_counts(at=None):
    """How many complaints overdue_and_soon() lists, counted from next_due (the earliest
    deadline not met): before now is overdue, within a day is due soon. Complaints whose
    next_due is not known, or is this very moment (where the clocks' own edge rules decide),
    are classified by their clocks."""
    at = at or now()
    due = Complaint.next_due
    late, soon = (open_complaints().select(
        fn.COUNT(Case(None, [(due < at, 1)])),
        fn.COUNT(Case(None, [((due > at) & (due <= at + DUE_SOON), 1)]))).tuples().get())
    unsure = _classified(open_complaints().where(due.is_null() | (due == at)), at, counting=True)
    return late + len(unsure[0]), soon + len(unsure[1])


def _classified(query, at, counting=False, whole=False):
    """(overdue, due soon) among `query`'s complaints, each ordered by due_order."""
    query = query.select(*CLOCK_FIELDS).namedtuples() if counting else listed(query, whole)
    candidates = list(query)
    every = clocks_for(candidates, at)
    overdue, soon = [], []
    for complaint in candidates:
        states = {c.status for c in every[complaint.id]}
        if OVERDUE in states:
            overdue.append(complaint)
        elif SOON in states:
            soon.append(complaint)
    overdue.sort(key=due_order)
    soon.sort(key=due_order)
    return overdue, soon


def due_order(complaint):
    """How the late and nearly late lists are ordered: earliest closure due first (any without
    one first of all), then by id; the same on SQLite and PostgreSQL, which sort NULL apart."""
    due = complaint.closure_due
    return due is not None, due or datetime.datetime.min, complaint.id


def overdue_list(at=None, whole=False):
    return overdue_and_soon(at, whole=whole)[0]


def due_soon_list(at=None, whole=False):
    return overdue_and_soon(at, whole=whole)[1]


# ---- intake -----------------------------------------------------------------------------------

def managers_of(department):
    """Managers to notify about a major complaint: the department's managers, else all managers."""
    query = User.select().where((User.active == True) & (User.role == MANAGER))  # noqa: E712
    in_dept = list(query.where(User.department == department)) if department else []
    return in_dept or list(query)


def general_managers():
    return list(User.select().where((User.active == True) & (User.role == GM)))  # noqa: E712


def intake(complaint, actor):
    """Accept a complaint: number, deadlines, the receiver as owner (首问负责制), timeline, alerts."""
    with db.atomic():
        complaint.serial = serials.next_serial("KS", complaint.received_at)
        complaint.closure_due, complaint.onsite_due, complaint.report_due = deadlines(
            complaint.received_at, complaint.region)
        complaint.received_by = actor
        complaint.owner = complaint.owner or actor
        complaint.state = RECORDED
        audit.save(complaint, actor)
        _step(complaint, actor, "intake", RECORDED, RECORDED, {"content": complaint.content[:200]})
        timeline.add(complaint.customer, "complaint", f"{complaint.serial} {complaint.category}",
                     ref_id=complaint.id, user=actor, at=complaint.received_at)
        if complaint.severity == "major":
            _alert_major(complaint)
    return complaint


def _alert_major(complaint):
    message = str(_l("重大投诉 %(serial)s：%(text)s", serial=complaint.serial,
                     text=complaint.content[:60]))
    notifications.notify(managers_of(complaint.responsible_dept) + general_managers(), message,
                         "complaints.detail", complaint.id)


def _step(complaint, user, action, from_state, to_state, note):
    ComplaintStep.create(complaint=complaint, user=user.id if user else None, action=action,
                         from_state=from_state, to_state=to_state,
                         note=json.dumps(note, ensure_ascii=False, default=str))


# ---- the workflow -----------------------------------------------------------------------------

STAFF = {DESK, SALES, ENGINEER, MANAGER, GM}
# action: (states it may start from, state it leads to, roles allowed, fields required)
ACTIONS = {
    "classify": ((RECORDED,), CLASSIFIED, {MANAGER, GM},
                 ("nature", "responsible_dept")),
    "invalidate": ((RECORDED, CLASSIFIED), INVALID, {MANAGER, GM}, ("invalid_reason",)),
    "investigate": ((CLASSIFIED,), INVESTIGATED, STAFF, ("cause", "responsible_party",
                                                         "solution")),
    "approve": ((INVESTIGATED,), APPROVED, {GM}, ()),
    "send_back": ((INVESTIGATED,), CLASSIFIED, {GM}, ("approval_comment",)),
    "reply": ((APPROVED,), REPLIED, STAFF, ("reply_method", "reply_note")),
    "follow_up": ((REPLIED,), FOLLOWED_UP, STAFF, ("satisfaction",)),
    "close": ((FOLLOWED_UP,), CLOSED, {MANAGER, GM}, ("summary", "corrective_action")),
}
ACTION_LABELS = {"classify": _l("判定"), "invalidate": _l("判定不成立"), "investigate": _l("调查"),
                 "approve": _l("总经理审批"), "send_back": _l("退回重新调查"),
                 "reply": _l("答复客户"), "follow_up": _l("回访"), "close": _l("结案"),
                 # steps that record something without changing the state
                 "intake": _l("受理"), "hand_over": _l("移交负责人"), "onsite": _l("现场处理"),
                 "progress": _l("告知进度"), "meeting": _l("紧急会议"), "shares": _l("责任比例")}
FIELD_LABELS = {"nature": _l("性质"), "responsible_dept": _l("责任部门"),
                "invalid_reason": _l("不成立原因"), "cause": _l("原因"),
                "responsible_party": _l("责任方"), "solution": _l("处理方案"),
                "approval_comment": _l("审批意见"), "reply_method": _l("答复方式"),
                "reply_note": _l("答复内容"), "satisfaction": _l("满意度"),
                "summary": _l("结案总结"), "corrective_action": _l("纠正措施")}


def allowed_actions(complaint, user):
    """The steps this user may take now (for the buttons on the complaint)."""
    if complaint.finished or complaint.voided:
        return []
    return [name for name, (sources, _, roles, _) in ACTIONS.items()
            if complaint.state in sources and user.role in roles]


def apply(complaint, action, user, at=None, **data):
    """Take one workflow step, or raise WorkflowError saying why it is not allowed."""
    if action not in ACTIONS:
        raise WorkflowError(_l("未知的操作"))
    sources, target, roles, required = ACTIONS[action]
    if complaint.voided:
        raise WorkflowError(_l("该投诉已作废"))
    if complaint.state not in sources:
        raise WorkflowError(_l("当前状态为“%(state)s”，不能执行“%(action)s”",
                               state=complaint.state_label, action=ACTION_LABELS[action]))
    if user.role not in roles:
        raise WorkflowError(_l("您的角色不能执行“%(action)s”", action=ACTION_LABELS[action]))
    missing = [FIELD_LABELS[f] for f in required if data.get(f) in (None, "")]
    if missing:
        raise WorkflowError(_l("请填写：%(fields)s", fields="、".join(str(m) for m in missing)))
    if action == "follow_up" and not 1 <= int(data["satisfaction"]) <= 5:
        raise WorkflowError(_l("满意度为 1 到 5"))
    at = at or now()
    before = complaint.state
    with db.atomic():
        for key, value in data.items():
            setattr(complaint, key, value)
        if action == "classify":
            complaint.valid = True
            complaint.classified_at = at
            complaint.proposal_due = proposal_deadline(at)
        elif action == "invalidate":
            complaint.valid = False
            complaint.closed_at = at
        elif action == "investigate":
            complaint.investigated_at = at
        elif action == "approve":
            complaint.approved_at, complaint.approved_by = at, user.id
        elif action == "send_back":
            complaint.investigated_at = None
        elif action == "reply":
            complaint.replied_at = at
        elif action == "follow_up":
            complaint.followed_up_at = at
            complaint.satisfaction = int(data["satisfaction"])
        elif action == "close":
            complaint.closed_at = at
        complaint.state = target
        audit.save(complaint, user)
        _step(complaint, user, action, before, target, data)
        if target in FINISHED:
            timeline.add(complaint.customer, "complaint",
                         f"{complaint.serial} {complaint.state_label}", ref_id=complaint.id,
                         user=user, at=at)
        if action == "close":
            _plan_followup(complaint, user, at)
        if action == "investigate":
            notifications.notify(general_managers(), str(_l(
                "投诉 %(serial)s 待审批", serial=complaint.serial)), "complaints.detail",
                complaint.id)
    return complaint


def _plan_followup(complaint, user, at):
    """Every closed complaint gets a follow-up (100 % 回访), due the next working day."""
    from services.customers import create_followup
    create_followup(str(_l("投诉结案回访：%(serial)s", serial=complaint.serial)),
                    workdays.add_workdays(at, 1).date(), customer=complaint.customer,
                    source="complaint", source_id=complaint.id, assigned_to=complaint.owner,
                    actor=user)


def hand_over(complaint, new_owner, user, note=""):
    """Pass ownership on (首问负责制 holds until someone takes it over)."""
    if complaint.finished:
        raise WorkflowError(_l("已结案的投诉不能移交"))
    if not new_owner.active:
        raise WorkflowError(_l("不能移交给已停用的用户"))
    with db.atomic():
        previous = complaint.owner
        complaint.owner = new_owner.id
        audit.save(complaint, user)
        _step(complaint, user, "hand_over", complaint.state, complaint.state,
              {"from": previous.display_name if previous else "", "to": new_owner.display_name,
               "note": note})
        notifications.notify([new_owner], str(_l("投诉 %(serial)s 已移交给您",
                                                 serial=complaint.serial)),
                             "complaints.detail", complaint.id)
    return complaint


def record_onsite(complaint, user, at=None, note=""):
    """On-site handling happened (24 h in-province, 48 h out-of-province)."""
    with db.atomic():
        complaint.onsite_at = at or now()
        audit.save(complaint, user)
        _step(complaint, user, "onsite", complaint.state, complaint.state, {"note": note})
    return complaint


def record_progress(complaint, user, method, note, at=None):
    """A progress report to the customer."""
    with db.atomic():
        progress = ComplaintProgress.create(complaint=complaint, at=at or now(), method=method,
                                            note=note[:500], user=user.id)
        _step(complaint, user, "progress", complaint.state, complaint.state, {"note": note})
    return progress


def record_meeting(complaint, user, meeting_at, notes, agreed_solution):
    """The emergency meeting of a major complaint and the solution agreed there."""
    with db.atomic():
        complaint.meeting_at, complaint.meeting_notes = meeting_at, notes
        complaint.agreed_solution = agreed_solution
        audit.save(complaint, user)
        _step(complaint, user, "meeting", complaint.state, complaint.state,
              {"notes": notes, "solution": agreed_solution})
    return complaint


# ---- outcomes ---------------------------------------------------------------------------------

def set_shares(complaint, shares, user):
    """Responsibility split across departments: each 1–100 %, no department twice, total 100 %."""
    cleaned = [(d.strip(), int(p)) for d, p in shares if (d or "").strip()]
    departments = [d for d, _ in cleaned]
    if len(set(departments)) != len(departments):
        raise WorkflowError(_l("同一部门只能出现一次"))
    if any(not 0 < p <= 100 for _, p in cleaned):
        raise WorkflowError(_l("每个部门的比例应在 1% 到 100% 之间"))
    if cleaned and sum(p for _, p in cleaned) != 100:
        raise WorkflowError(_l("责任比例合计必须为 100%%，现为 %(total)s%%",
                               total=sum(p for _, p in cleaned)))
    with db.atomic():
        ResponsibilityShare.delete().where(ResponsibilityShare.complaint == complaint).execute()
        for department, percent in cleaned:
            ResponsibilityShare.create(complaint=complaint, department=department,
                                       percent=percent)
        _step(complaint, user, "shares", complaint.state, complaint.state, dict(cleaned))
    return cleaned


def set_outcome(complaint, user, allowance=None, return_qty=None, rework_qty=None):
    """Allowance or compensation (折让/赔款) and return or rework quantities."""
    for value in (return_qty, rework_qty):
        if value is not None and value < 0:
            raise WorkflowError(_l("数量不能为负"))
    if allowance is not None and Decimal(allowance) < 0:
        raise WorkflowError(_l("金额不能为负"))
    complaint.allowance, complaint.return_qty, complaint.rework_qty = (allowance, return_qty,
                                                                       rework_qty)
    audit.save(complaint, user)
    return complaint


def propose_notice(complaint, user, kind, target, amount, reason):
    """Propose a penalty or reward notice (奖罚通知单); the GM approves it."""
    notice = PenaltyNotice(complaint=complaint, kind=kind, target=target, amount=amount,
                           reason=reason, created_by=user.id)
    return audit.save(notice, user)


def approve_notice(notice, user):
    """Only a 总经理 approves a penalty or reward notice."""
    if user.role != GM:
        raise WorkflowError(_l("奖罚通知单须由总经理批准"))
    notice.approved_by, notice.approved_at = user.id, now()
    return audit.save(notice, user)


def recomplain(original, user, content):
    """The customer rejects the result: a new complaint linked to the original."""
    fresh = Complaint(parent=original, received_at=now(), channel=original.channel,
                      complainant=original.complainant, phone=original.phone,
                      customer=original.customer, category=original.category,
                      content=content or str(_l("客户不接受处理结果：%(serial)s",
                                                serial=original.serial)),
                      demand=original.demand, region=original.region,
                      severity=original.severity, order_no=original.order_no,
                      item=original.item)
    return intake(fresh, user)


# ---- returns ----------------------------------------------------------------------------------

INSPECT_DAYS, SETTLE_DAYS = 3, 5


def freight_payer(quality):
    """Quality returns are at the company's cost, others at the customer's."""
    return "company" if quality else "customer"


def check_return_year(purchase_date, requested_at):
    """Returns across a calendar year are refused (公司不接受跨年度退换货)."""
    if purchase_date.year != requested_at.year:
        raise WorkflowError(_l("购买于 %(year)s 年，不接受跨年度退换货", year=purchase_date.year),
                            field="purchase_date")


def create_return(request, lines, user):
    """Record a return request with its lines; refused across a calendar year."""
    check_return_year(request.purchase_date, request.requested_at)
    if not lines:
        raise WorkflowError(_l("请至少填写一行退换货明细"), field="lines")
    with db.atomic():
        request.serial = serials.next_serial("TH", request.requested_at)
        audit.save(request, user)
        for line in lines:
            line.request = request
            line.save()
        timeline.add(request.customer, "return", f"{request.serial} {request.reason[:60]}",
                     ref_id=request.id, user=user)
    return request


RETURN_STEPS = {
    "approve": (R_REQUESTED, R_APPROVED), "refuse": (R_REQUESTED, R_REFUSED),
    "receive": (R_APPROVED, R_RECEIVED), "inspect": (R_RECEIVED, R_INSPECTED),
    "settle": (R_INSPECTED, R_SETTLED),
}


def return_step(request, step, user, note="", at=None):
    """Approve (customer service), refuse, receive goods, inspect, settle — in that order."""
    source, target = RETURN_STEPS[step]
    if request.state != source:
        raise WorkflowError(_l("当前状态不能执行此操作"))
    if step in ("approve", "refuse") and user.role not in (DESK, MANAGER, GM):
        raise WorkflowError(_l("退换货须由客服部批准"))
    at = at or now()
    if step == "approve":
        request.approved_by, request.approved_at = user.id, at
    elif step == "refuse":
        request.refused_reason = note
    elif step == "receive":
        request.arrived_at = at
    elif step == "inspect":
        request.inspected_at, request.inspection_note = at, note
    elif step == "settle":
        request.settled_at, request.settlement_note = at, note
    request.state = target
    return audit.save(request, user)


def return_clocks(request, at=None):
    """Inspection within 3 days and settlement within 5 days of the goods' arrival."""
    if request.arrived_at is None:
        return []
    at = at or now()
    return [_clock("inspect", request.arrived_at + datetime.timedelta(days=INSPECT_DAYS),
                   request.inspected_at, at),
            _clock("settle", request.arrived_at + datetime.timedelta(days=SETTLE_DAYS),
                   request.settled_at, at)]


# ---- monthly statistics ------------------------------------------------------------------------

def month_bounds(year, month):
    start = datetime.datetime(year, month, 1)
    end = datetime.datetime(year + (month == 12), month % 12 + 1, 1)
    return start, end


Stats = namedtuple("Stats", "year month received by_category by_department by_severity closed "
                            "closed_on_time on_time_rate mean_days overdue satisfaction "
                            "satisfaction_count invalid")


def monthly_stats(year, month):
    """客诉案件统计表: received in the month by category, department and severity; closed in the
    month on time and mean days to close; open and past closure at month end; mean satisfaction."""
    start, end = month_bounds(year, month)
    live = Complaint.voided == False  # noqa: E712
    received = list(Complaint.select().where(live & (Complaint.received_at >= start) &
                                             (Complaint.received_at < end)))
    closed = list(Complaint.select().where(live & (Complaint.state == CLOSED) &
                                           (Complaint.closed_at >= start) &
                                           (Complaint.closed_at < end)))
    on_time = [c for c in closed if c.closed_at <= c.closure_due]
    days = [(c.closed_at - c.received_at).total_seconds() / 86400 for c in closed]
    overdue = Complaint.select().where(
        live & (Complaint.received_at < end) & (Complaint.closure_due < end) &
        ((Complaint.closed_at.is_null()) | (Complaint.closed_at >= end)) &
        (Complaint.state != INVALID)).count()
    rated = [c.satisfaction for c in Complaint.select().where(
        live & (Complaint.followed_up_at >= start) & (Complaint.followed_up_at < end) &
        Complaint.satisfaction.is_null(False))]
    return Stats(
        year, month, len(received),
        sorted(Counter(c.category for c in received).items()),
        sorted(Counter(c.responsible_dept or "—" for c in received).items()),
        sorted(Counter(c.severity for c in received).items()),
        len(closed), len(on_time),
        round(100 * len(on_time) / len(closed), 1) if closed else None,
        round(sum(days) / len(days), 1) if days else None,
        overdue,
        round(sum(rated) / len(rated), 2) if rated else None, len(rated),
        sum(1 for c in received if c.state == INVALID))


def _complaint_hits():
    """What a complaint hit shows."""
    return Complaint.select(Complaint.id, Complaint.serial, Complaint.complainant,
                            Complaint.category, Complaint.state).where(Complaint.not_voided())


def search_complaints(query, limit):
    """Complaints by serial, complainant name or initials, or phone tail (newest first)."""
    if query.upper.startswith("KS-"):
        keys = [starts(Complaint.serial, query.upper)]
    elif query.digits and len(query.digits) == 4:
        keys = [equals(Complaint.phone_tail, query.digits)]
    elif query.digits and len(query.digits) > 4:
        keys = [starts(Complaint.phone, query.digits)]
    elif query.latin:
        keys = [starts(Complaint.name_initials, query.latin)]
    elif query.has_cjk:
        keys = [starts(Complaint.complainant, query.raw)]
    else:
        return []
    return [Hit("complaint", f"{c.serial} {c.complainant}", f"{c.category} · {c.state_label}",
                "complaints.detail", c.id)
            for c in matching(_complaint_hits, keys, limit)]


__all__ = ["WorkflowError", "ACTIONS", "apply", "clocks", "intake", "overdue_list",
           "due_soon_list", "monthly_stats", "set_shares", "create_return", "return_step",
           "recomplain", "hand_over", "search_complaints"]
