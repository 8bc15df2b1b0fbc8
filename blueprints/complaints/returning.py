"""Return and exchange rules (退换货): who pays the freight, the one-year limit, the steps."""
import datetime

from models import (
    db,
    now,
)
from models.complaints import (
    R_APPROVED,
    R_INSPECTED,
    R_RECEIVED,
    R_REFUSED,
    R_REQUESTED,
    R_SETTLED,
)
from models.i18n import lazy_gettext as _l
from models.users import DESK, GM, MANAGER
from services import audit, serials, timeline

from .deadlines import clock_of
from .service import WorkflowError

# ---- returns ----------------------------------------------------------------------------------

INSPECT_DAYS, SETTLE_DAYS = 3, 5
BATCH_DAYS = 5  # seed 004 第二条: 在经销商提出问题的五天内…上门认定


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
    request.area_manager = (request.area_manager or "").strip()
    if not request.area_manager:  # seed 004 第四条: 未经办事处经理或区域经理签字确认的…一律不予受理
        raise WorkflowError(_l("须经办事处经理或区域经理初步鉴定并签字确认"),
                            field="area_manager")
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


def confirm_batch(request, user, note, at=None):
    """A batch quality objection confirmed by the quality department (on site, or on the goods
    sent back), which the seed wants within 5 days of the claim."""
    if not request.batch:
        raise WorkflowError(_l("这不是批量质量异议"))
    if request.batch_confirmed_at is not None:
        raise WorkflowError(_l("批量质量已认定"))
    if not (note or "").strip():
        raise WorkflowError(_l("请填写认定结论"))
    request.batch_confirmed_at, request.batch_note = at or now(), note.strip()
    return audit.save(request, user)


def return_clocks(request, at=None):
    """A batch objection confirmed within 5 days of the claim; inspection within 3 days and
    settlement within 5 days of the goods' arrival."""
    at = at or now()
    clocks = []
    if request.batch:
        clocks.append(clock_of("batch", request.requested_at + datetime.timedelta(
            days=BATCH_DAYS), request.batch_confirmed_at, at))
    if request.arrived_at is None:
        return clocks
    return clocks + [
        clock_of("inspect", request.arrived_at + datetime.timedelta(days=INSPECT_DAYS),
                 request.inspected_at, at),
        clock_of("settle", request.arrived_at + datetime.timedelta(days=SETTLE_DAYS),
                 request.settled_at, at)]


