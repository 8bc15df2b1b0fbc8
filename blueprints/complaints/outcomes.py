"""A complaint's outcomes: responsibility shares, allowance and quantities, and the 奖罚通知单,
the penalty for late handling among them."""
import datetime
from decimal import Decimal

from models import PenaltyNotice, ResponsibilityShare, db, now
from models.complaints import PENALTY
from models.i18n import lazy_gettext as _l
from models.users import GM
from services import audit

from . import deadlines
from .service import WorkflowError, record_step


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
        record_step(complaint, user, "shares", complaint.state, complaint.state, dict(cleaned))
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


LATE = ("met_late", "missed")  # a clock met after its due moment, or never met by closure


def late_clocks(complaint, clocks=None):
    """The clocks a finished complaint met late or never met: what a 治办单 asks about (seed
    000 第十四条: 对于处理时效逾期案件,得开立"治办单"送有关部门追查逾期缘由). `clocks`: its
    clocks when already worked out."""
    if not complaint.finished:
        return []
    return [c for c in clocks or deadlines.clocks(complaint) if c.status in LATE]


def days_late(clock):
    """Whole days a clock was late, a part day counting as one."""
    return -(-clock.delta // datetime.timedelta(days=1))


def late_penalty(complaint, settings):
    """The penalty proposed for handling this case late: the rate a day (a setting) for each
    day each clock was late."""
    rate = Decimal(str(settings["complaint_late_penalty_per_day"]))
    return sum((rate * days_late(c) for c in late_clocks(complaint)), Decimal("0"))


def propose_late_penalty(complaint, user, settings):
    """A 奖罚通知单 for the late handling, for the GM to confirm; once per case."""
    clocks = late_clocks(complaint)
    if not clocks:
        raise WorkflowError(_l("该投诉没有逾期处理的时限"))
    if complaint.notices.where(PenaltyNotice.for_lateness & PenaltyNotice.not_voided()).exists():
        raise WorkflowError(_l("已按逾期拟定过罚扣"))
    reason = "；".join(f"{c.label}逾期 {days_late(c)} 天" for c in clocks)
    notice = PenaltyNotice(complaint=complaint, kind=PENALTY, for_lateness=True,
                           target=(complaint.responsible_dept or
                                   (complaint.owner.display_name if complaint.owner_id else ""))
                           [:60], amount=late_penalty(complaint, settings),
                           reason=str(_l("处理时效逾期（治办）：%(clocks)s", clocks=reason)),
                           created_by=user.id)
    return audit.save(notice, user)


def approve_notice(notice, user):
    """Only a 总经理 approves a penalty or reward notice."""
    if user.role != GM:
        raise WorkflowError(_l("奖罚通知单须由总经理批准"))
    notice.approved_by, notice.approved_at = user.id, now()
    return audit.save(notice, user)
