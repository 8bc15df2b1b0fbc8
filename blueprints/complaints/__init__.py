"""投诉: intake to closure on time, approvals, reminders, returns and monthly statistics."""
import functools

from flask import Blueprint
from peewee import fn

from blueprints.core.routes import register_panel, tiles_panel
from models import Complaint, PenaltyNotice, ReturnRequest
from models.base import Prepared
from models.i18n import lazy_gettext as _l
from services import audit, search, timeline

bp = Blueprint("complaints", __name__)

timeline.register_kind("complaint", _l("投诉"), "complaints.detail")
timeline.register_kind("return", _l("退换货"), "complaints.return_detail")
audit.register_voidable("complaint", Complaint, _l("客户投诉"))
audit.register_voidable("return", ReturnRequest, _l("退换货申请"))
audit.register_voidable("notice", PenaltyNotice, _l("奖罚通知单"))

from . import returns, routes, service, stats  # noqa: E402,F401

search.register(service.search_complaints, "complaint", _l("投诉"))


@register_panel
def _complaints_panel(user):
    """Managers: overdue and due soon; the GM: approvals waiting and major complaints; others: mine."""
    from models.complaints import INVESTIGATED
    from models.users import GM, MANAGER
    if user.role == GM:
        candidates = [
            ("complaints.index", _l("待我审批的投诉"), lambda: _IN_STATE.scalar(INVESTIGATED),
             {"state": INVESTIGATED}, True),
            ("complaints.index", _l("处理中的重大投诉"), lambda: _OF_SEVERITY.scalar("major"),
             {"severity": "major"}, True)]
    elif user.role == MANAGER:
        counts = functools.cache(service.overdue_and_soon_counts)
        candidates = [
            ("complaints.index", _l("逾期投诉"), lambda: counts()[0], {"view": "overdue"}, True),
            ("complaints.index", _l("24 小时内到期"), lambda: counts()[1], {"view": "soon"},
             True)]
    else:
        candidates = [("complaints.index", _l("我负责的投诉"), lambda: _OWNED_BY.scalar(user.id),
                       {"view": "mine"}, False)]
    return tiles_panel(user, candidates)


def _open(condition):
    """How many open complaints meet `condition` (SQL written once, see Prepared)."""
    return service.open_complaints().select(fn.COUNT(Complaint.id)).where(condition)


_IN_STATE = Prepared(lambda state: _open(Complaint.state == state))
_OF_SEVERITY = Prepared(lambda severity: _open(Complaint.severity == severity))
_OWNED_BY = Prepared(lambda owner: _open(Complaint.owner == owner))
