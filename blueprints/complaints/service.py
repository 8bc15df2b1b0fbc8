"""Complaint rules: intake, the workflow state machine, what the pages read, search.

Every step goes through apply(); deadlines.py has the clocks, outcomes.py the shares and the
奖罚通知单, returning.py the returns and statistics.py the month's figures; nothing here knows
Flask.
"""
import json
from decimal import Decimal, InvalidOperation

from models import (
    Complaint,
    ComplaintProgress,
    ComplaintStep,
    Customer,
    PenaltyNotice,
    User,
    db,
    now,
)
from models.base import Prepared, in_literal, next_step, read_together
from models.complaints import (
    APPROVED,
    CAUSE_KINDS,
    CLASSIFIED,
    CLOSED,
    FINISHED,
    FOLLOWED_UP,
    INVALID,
    INVESTIGATED,
    RECORDED,
    REPLIED,
    STATES,
)
from models.customers import Status
from models.i18n import N_
from models.i18n import lazy_gettext as _l
from models.users import DESK, ENGINEER, GM, MANAGER, SALES
from services import audit, notifications, serials, staff, timeline, workdays
from services import settings as settings_service
from services.customers import create_customer, first_in_queues
from services.search import Hit, equals, matching, starts
from services.staff import general_managers, managers_of

from . import approval, deadlines
from .deadlines import proposal_deadline


class WorkflowError(Exception):
    """A step that the rules do not allow; the message says why, `field` which input it concerns."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


# ---- intake -----------------------------------------------------------------------------------

def intake(complaint, actor):
    """Accept a complaint: number, deadlines, the receiver as owner (首问负责制), timeline, alerts."""
    with db.atomic():
        complaint.serial = serials.next_serial("KS", complaint.received_at)
        complaint.closure_due, complaint.onsite_due, complaint.report_due = deadlines.due_dates(
            complaint.received_at, complaint.region)
        complaint.received_by = actor
        complaint.owner = complaint.owner or actor
        complaint.state = RECORDED
        complaint.priority = first_in_queues(complaint.customer)
        audit.save(complaint, actor)
        record_step(complaint, actor, "intake", RECORDED, RECORDED,
                    {"content": complaint.content[:200]}, at=complaint.received_at)
        timeline.add(complaint.customer, "complaint", f"{complaint.serial} {complaint.category}",
                     ref_id=complaint.id, user=actor, at=complaint.received_at)
        if complaint.severity == "major":
            _alert_major(complaint)
    return complaint


def _alert_major(complaint):
    notifications.notify(managers_of(complaint.responsible_dept) + general_managers(),
                         N_("重大投诉 %(serial)s：%(text)s"), "complaints.detail", complaint.id,
                         kind=notifications.MAJOR, serial=complaint.serial, text=complaint.content[:60])


def record_step(complaint, user, action, from_state, to_state, note, at=None):
    """Record a step, stamped when it happened (`at`, the action's own time) or now."""
    ComplaintStep.create(complaint=complaint, user=user.id if user else None, action=action,
                         at=at or now(), from_state=from_state, to_state=to_state,
                         note=json.dumps(note, ensure_ascii=False, default=str))


# ---- the workflow -----------------------------------------------------------------------------

STAFF = {DESK, SALES, ENGINEER, MANAGER, GM}
# action: (states it may start from, state it leads to, roles allowed, fields required)
ACTIONS = {
    "classify": ((RECORDED,), CLASSIFIED, {MANAGER, GM},
                 ("nature", "responsible_dept", "cause_kind")),
    "invalidate": ((RECORDED, CLASSIFIED), INVALID, {MANAGER, GM}, ("invalid_reason",)),
    "investigate": ((CLASSIFIED,), INVESTIGATED, STAFF, ("cause", "responsible_party",
                                                         "solution", "claim_amount")),
    # (and only the approvers of its 核决 level: approval.may_decide)
    "approve": ((INVESTIGATED,), APPROVED, STAFF, ()),
    "send_back": ((INVESTIGATED,), CLASSIFIED, STAFF, ("approval_comment",)),
    "reply": ((APPROVED,), REPLIED, STAFF, ("reply_method", "reply_note")),
    "follow_up": ((REPLIED,), FOLLOWED_UP, STAFF, ("satisfaction",)),
    "close": ((FOLLOWED_UP,), CLOSED, {MANAGER, GM}, ("summary", "corrective_action")),
}
ACTION_LABELS = {"classify": _l("判定"), "invalidate": _l("判定不成立"), "investigate": _l("调查"),
                 "approve": _l("核决"), "send_back": _l("退回重新调查"),
                 "reply": _l("答复客户"), "follow_up": _l("回访"), "close": _l("结案"),
                 # steps that record something without changing the state
                 "intake": _l("受理"), "hand_over": _l("移交负责人"), "onsite": _l("现场处理"),
                 "progress": _l("告知进度"), "meeting": _l("紧急会议"), "shares": _l("责任比例"),
                 "opinion": _l("综合看法")}
FIELD_LABELS = {"nature": _l("性质"), "responsible_dept": _l("责任部门"),
                "cause_kind": _l("异常原因（质量/非质量）"),
                "invalid_reason": _l("不成立原因"), "cause": _l("原因"),
                "responsible_party": _l("责任方"), "solution": _l("处理方案"),
                "claim_amount": _l("涉及金额"),
                "approval_comment": _l("审批意见"), "reply_method": _l("答复方式"),
                "reply_note": _l("答复内容"), "satisfaction": _l("满意度"),
                "summary": _l("结案总结"), "corrective_action": _l("纠正措施")}


DECIDING = ("approve", "send_back")  # steps only the 核决 level's approvers take


def allowed_actions(complaint, user):
    """The steps this user may take now (for the buttons on the complaint)."""
    if complaint.finished or complaint.voided:
        return []
    names = [name for name, (sources, _, roles, _) in ACTIONS.items()
             if complaint.state in sources and user.role in roles]
    if any(name in DECIDING for name in names) and not approval.may_decide(
            complaint, user, settings_service.load()):
        names = [name for name in names if name not in DECIDING]
    return names


# What comes next in each state, and who does it ("待经理判定"): shown to everyone who sees the
# complaint, whether or not they may take the step.
NEXT_STEP = {RECORDED: _l("待经理判定"), CLASSIFIED: _l("待负责人 %(who)s 调查"),
             INVESTIGATED: _l("待%(who)s"), APPROVED: _l("待负责人 %(who)s 答复客户"),
             REPLIED: _l("待负责人 %(who)s 回访"), FOLLOWED_UP: _l("待经理结案")}


def whose_turn(complaint, route=None):
    """What comes next and who does it, or None when the complaint is finished. `route`: its
    approval_route when already worked out."""
    def who(complaint):
        if complaint.state == INVESTIGATED:
            return route or approval_route(complaint)
        return complaint.owner.display_name if complaint.owner_id else ""
    return next_step(complaint, NEXT_STEP, who)


def approval_route(complaint):
    """"总经理核决（周总）": the level that decides the complaint's solution, and who."""
    settings = settings_service.load()
    level = complaint.approval_level or approval.level_for(complaint.claim_amount, settings)
    names = "、".join(p.display_name for p in approval.approvers(
        level, complaint.responsible_dept, settings))
    return f"{approval.LEVELS[level]}（{names}）" if names else str(approval.LEVELS[level])


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
    if action in DECIDING and not approval.may_decide(complaint, user,
                                                      settings_service.load()):
        raise WorkflowError(_l("超出您的核决权限：此案由%(route)s",
                               route=approval_route(complaint)))
    missing = [FIELD_LABELS[f] for f in required if data.get(f) in (None, "")]
    if missing:
        raise WorkflowError(_l("请填写：%(fields)s", fields="、".join(str(m) for m in missing)))
    if action == "investigate":
        data["claim_amount"] = _claim_amount(data["claim_amount"])
    if action == "classify" and data["cause_kind"] not in CAUSE_KINDS:
        raise WorkflowError(_l("异常原因须为质量异常或非质量异常"))
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
            complaint.approval_level = approval.level_for(complaint.claim_amount,
                                                          settings_service.load())
        elif action == "approve":
            complaint.approved_at, complaint.approved_by = at, user.id
        elif action == "send_back":
            complaint.investigated_at = None
        elif action == "reply":
            complaint.replied_at = at
            complaint.opinion_due = workdays.add_workdays(at, 1)
        elif action == "follow_up":
            complaint.followed_up_at = at
            complaint.satisfaction = int(data["satisfaction"])
        elif action == "close":
            complaint.closed_at = at
        complaint.state = target
        audit.save(complaint, user)
        record_step(complaint, user, action, before, target, data, at=at)
        if target in FINISHED:
            timeline.add(complaint.customer, "complaint",
                         f"{complaint.serial} {complaint.state_label}", ref_id=complaint.id,
                         user=user, at=at)
        if action in ("close", "invalidate"):
            _plan_followup(complaint, user, at)
        if action == "investigate":
            notifications.notify(approval.approvers(complaint.approval_level,
                                                    complaint.responsible_dept,
                                                    settings_service.load()),
                                 N_("投诉 %(serial)s 待审批"), "complaints.detail",
                                 complaint.id, serial=complaint.serial)
    return complaint


def route_context(complaint, amount_text):
    """What the investigation form says about 核决: the limits, and for the amount typed (if it
    is one) the level and who decides."""
    settings = settings_service.load()
    manager, deputy = approval.limits(settings)
    try:
        amount = _claim_amount(amount_text) if str(amount_text).strip() else None
    except WorkflowError:
        amount = None
    found = approval.route(amount, complaint.responsible_dept, settings) if amount is not None \
        else None
    return {"limits": (manager, deputy), "route": found, "amount": amount}


CLAIM_MOST = Decimal("9999999999.99")  # what the column holds


def _claim_amount(value):
    """The money at stake as a Decimal of yuan, or a WorkflowError saying it is not one."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise WorkflowError(_l("涉及金额须为数字（元），没有则填 0"))
    if not amount.is_finite() or not 0 <= amount <= CLAIM_MOST:
        raise WorkflowError(_l("涉及金额须为数字（元），没有则填 0"))
    return amount.quantize(Decimal("0.01"))


def _plan_followup(complaint, user, at):
    """Every closed complaint gets a follow-up (100 % 回访), due the next working day; one
    found invalid too, so that 100 % means every complaint."""
    from services.customers import create_followup
    subject = (N_("投诉结案回访：%(serial)s") if complaint.state == CLOSED
               else N_("投诉判定不成立回访：%(serial)s"))
    create_followup(subject, workdays.add_workdays(at, 1).date(),
                    customer=complaint.customer, source="complaint", source_id=complaint.id,
                    assigned_to=complaint.owner, actor=user, params={"serial": complaint.serial})


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
        record_step(complaint, user, "hand_over", complaint.state, complaint.state,
                    {"from": previous.display_name if previous else "",
                     "to": new_owner.display_name, "note": note})
        notifications.notify([new_owner], N_("投诉 %(serial)s 已移交给您"),
                             "complaints.detail", complaint.id, serial=complaint.serial)
    return complaint


def record_onsite(complaint, user, at=None, note=""):
    """On-site handling happened (24 h in-province, 48 h out-of-province)."""
    with db.atomic():
        complaint.onsite_at = at or now()
        audit.save(complaint, user)
        record_step(complaint, user, "onsite", complaint.state, complaint.state, {"note": note},
                    at=complaint.onsite_at)
    return complaint


def record_progress(complaint, user, method, note, at=None):
    """A progress report to the customer."""
    with db.atomic():
        progress = ComplaintProgress.create(complaint=complaint, at=at or now(), method=method,
                                            note=note[:500], user=user.id)
        record_step(complaint, user, "progress", complaint.state, complaint.state,
                    {"note": note}, at=progress.at)
    return progress


def record_opinion(complaint, user, opinion, at=None):
    """综合看法 (seed 000 第九条（五）): after the customer was answered, the office's composite
    opinion of the sales side's and the works' views, due within one working day."""
    if complaint.replied_at is None:
        raise WorkflowError(_l("答复客户后才能填写综合看法"))
    with db.atomic():
        complaint.opinion, complaint.opinion_at = opinion, at or now()
        complaint.opinion_by = user.id
        audit.save(complaint, user)
        record_step(complaint, user, "opinion", complaint.state, complaint.state,
                    {"opinion": opinion}, at=complaint.opinion_at)
    return complaint


def record_meeting(complaint, user, meeting_at, notes, agreed_solution):
    """The emergency meeting of a major complaint and the solution agreed there."""
    with db.atomic():
        complaint.meeting_at, complaint.meeting_notes = meeting_at, notes
        complaint.agreed_solution = agreed_solution
        audit.save(complaint, user)
        record_step(complaint, user, "meeting", complaint.state, complaint.state,
                    {"notes": notes, "solution": agreed_solution})
    return complaint


# ---- a complaint raised again ----------------------------------------------------------------

def recomplain(original, user, content):
    """The customer rejects the result: a new complaint linked to the original."""
    if not original.answered:
        raise WorkflowError(_l("答复客户后才能就处理结果重新受理"))
    fresh = Complaint(parent=original, received_at=now(), channel=original.channel,
                      complainant=original.complainant, phone=original.phone,
                      customer=original.customer, category=original.category,
                      content=content or str(_l("客户不接受处理结果：%(serial)s",
                                                serial=original.serial)),
                      demand=original.demand, region=original.region,
                      severity=original.severity, order_no=original.order_no,
                      item=original.item)
    return intake(fresh, user)


# ---- what the pages read ------------------------------------------------------------------------

def filtered(view, user, state=None, category=None, severity=None, owner_id=None, search=None,
             whole=False):
    """The complaints a list's filters select: (query, paged). `view`: open (the default),
    overdue, soon, mine or all. `whole`: every column, for the export (a list reads only what
    its rows show)."""
    if view == "overdue":
        return deadlines.overdue_list(whole=whole), False
    if view == "soon":
        return deadlines.due_soon_list(whole=whole), False
    query = Complaint.live() if view == "all" else deadlines.open_complaints()
    if view == "mine":
        query = query.where(Complaint.owner == user.id)
    if state in STATES:
        # A state written into the SQL: PostgreSQL then keeps one plan per state, where a bound
        # one was planned anew for each request (95 % of complaints are closed, few are not).
        query = query.where(in_literal(Complaint.state, [state]))
    elif state:
        query = query.where(Complaint.state == state)
    for field, value in ((Complaint.category, category), (Complaint.severity, severity),
                         (Complaint.owner, owner_id)):
        if value:
            query = query.where(field == value)
    if search:
        query = query.where(Complaint.id.in_([h.id for h in search_complaints(search, 200)]))
    return deadlines.listed(query, whole, finished=state in FINISHED).order_by(
        Complaint.id.desc()), True


def due_mark(ident):
    """The complaint a late-list page starts after (its id and closure deadline), or None."""
    if ident is None:
        return None
    return Complaint.select(Complaint.id, Complaint.closure_due, Complaint.priority).where(
        Complaint.id == ident).get_or_none()


_STEPS = Prepared(lambda complaint_id: ComplaintStep.select(
    ComplaintStep, User.display_name.alias("user_name")).join(
    User, on=(ComplaintStep.user == User.id)).where(
    (ComplaintStep.complaint == complaint_id) & (ComplaintStep.action != "progress"))
    .order_by(ComplaintStep.at, ComplaintStep.id))


def with_people(complaint):
    """`complaint` with the people its page names (owner, receiver, approver), from the staff
    directory, where following each foreign key read them one by one."""
    if complaint is None:
        return None
    keys = (Complaint.owner, Complaint.received_by, Complaint.approved_by)
    ids = {getattr(complaint, key.name + "_id") for key in keys} - {None}
    people = staff.people(ids) if ids else {}
    for key in keys:
        person = people.get(getattr(complaint, key.name + "_id"))
        if person is not None:
            setattr(complaint, key.name, person)
    return complaint


_PAGE_ROWS = ("shares", "progress", "notices", "recomplaints")


def page_rows(complaint):
    """What the complaint's page lists beside it, read together (one round trip): its shares,
    progress reports, notices, recomplaints and steps, by those names. The steps come in the
    order they happened, each with its user's name (user_name); progress reports are listed
    on their own, not twice."""
    return _page_rows(read_together(*_page_queries(complaint.id)))


def with_page_rows(complaint_id):
    """(the complaint with its people, its page_rows), read together with it: (None, None)
    when there is no such complaint."""
    found, *rows = read_together(Complaint.by_id_query(complaint_id),
                                 *_page_queries(complaint_id))
    return (with_people(found[0]), _page_rows(rows)) if found else (None, None)


def _page_queries(complaint_id):
    complaint = Complaint(id=complaint_id)
    return [complaint.related_query(name) for name in _PAGE_ROWS] + [
        _STEPS.query(ComplaintStep, complaint_id)]


def _page_rows(results):
    *related, steps_so_far = results
    return dict(zip(_PAGE_ROWS, related), steps=steps_so_far)


def notice_of(complaint, notice_id):
    """The complaint's penalty or reward notice with this id, or None."""
    return PenaltyNotice.get_or_none((PenaltyNotice.id == notice_id) &
                                     (PenaltyNotice.complaint == complaint))


def complainant_as_customer(complaint, actor):
    """A new customer archive for the complainant (a walk-in shopper), owned by who took it."""
    return create_customer(Customer(name=complaint.complainant, phone=complaint.phone,
                                    kind="shopper", status=Status.COOPERATING,
                                    owner=actor.id), actor)


# ---- home panel -------------------------------------------------------------------------------

_IN_STATE = Prepared(lambda state: deadlines.open_count(Complaint.state == state))
_OF_SEVERITY = Prepared(lambda severity: deadlines.open_count(Complaint.severity == severity))
_OWNED_BY = Prepared(lambda owner: deadlines.open_count(Complaint.owner == owner))


def home_tiles(user):
    """Managers: overdue and due soon; the GM: approvals waiting and major complaints; others:
    their own. As (endpoint, label, count, url arguments, warn)."""
    if user.role == GM:
        return [
            ("complaints.index", _l("待我审批的投诉"), lambda: _IN_STATE.later(INVESTIGATED),
             {"state": INVESTIGATED}, True),
            ("complaints.index", _l("处理中的重大投诉"), lambda: _OF_SEVERITY.later("major"),
             {"severity": "major"}, True)]
    if user.role == MANAGER:
        late, soon = deadlines.overdue_and_soon_later()
        return [
            ("complaints.index", _l("逾期投诉"), lambda: late, {"view": "overdue"}, True),
            ("complaints.index", _l("24 小时内到期"), lambda: soon, {"view": "soon"}, True)]
    return [("complaints.index", _l("我负责的投诉"), lambda: _OWNED_BY.later(user.id),
             {"view": "mine"}, False)]


# ---- search -----------------------------------------------------------------------------------

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
    return matching(_complaint_hits, keys, limit, lambda c: Hit(
        "complaint", f"{c.serial} {c.complainant}", f"{c.category} · {c.state_label}",
        "complaints.detail", c.id))


__all__ = ["WorkflowError", "ACTIONS", "apply", "intake", "record_step", "recomplain",
           "hand_over", "search_complaints"]
