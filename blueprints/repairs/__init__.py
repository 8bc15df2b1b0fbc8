"""报修: requests, engineering work orders, review, materials and the customer's signature."""
from flask import Blueprint
from peewee import fn

from blueprints.core.routes import register_panel, tiles_panel
from models import RepairRequest, WorkOrder, now
from models.base import Prepared
from models.i18n import lazy_gettext as _l
from services import audit, search, timeline

bp = Blueprint("repairs", __name__)

timeline.register_kind("repair", _l("报修"), "repairs.detail")
audit.register_voidable("work_order", WorkOrder, _l("工程修理单"))
audit.register_voidable("repair_request", RepairRequest, _l("报修登记"))

from . import routes, service  # noqa: E402,F401

search.register(service.search_orders, "work_order", _l("报修工单"))


@register_panel
def _repairs_panel(user):
    """Engineer: my jobs and the queue; managers: jobs waiting review and overdue jobs."""
    from models.repairs import UNDER_REVIEW
    from models.users import ENGINEER, GM, MANAGER
    candidates = []
    if user.role == ENGINEER:
        candidates += [
            ("repairs.index", _l("我的工单"), lambda: _MINE.scalar(user.id), {"view": "mine"},
             False),
            ("repairs.index", _l("待接单队列"), lambda: _QUEUE.scalar("dispatched"),
             {"view": "queue"}, True)]
    if user.role in (MANAGER, GM):
        candidates += [
            ("repairs.index", _l("待评审工单"), lambda: _IN_STATE.scalar(UNDER_REVIEW),
             {"view": "review"}, True),
            ("repairs.index", _l("超时工单"), lambda: _LATE.scalar(now()), {"view": "overdue"},
             True)]
    return tiles_panel(user, candidates) if candidates else None


def _open_orders(condition):
    """How many open work orders meet `condition` (SQL written once, see Prepared)."""
    from models.repairs import order_is_open
    return WorkOrder.live().select(fn.COUNT(WorkOrder.id)).where(condition & order_is_open())


_MINE = Prepared(lambda engineer: _open_orders(WorkOrder.engineer == engineer))
_QUEUE = Prepared(lambda state: _open_orders(WorkOrder.engineer.is_null() &
                                             (WorkOrder.state == state)))
_IN_STATE = Prepared(lambda state: _open_orders(WorkOrder.state == state))
_LATE = Prepared(lambda at: _open_orders((WorkOrder.deadline < at) &
                                         WorkOrder.started_at.is_null()))
