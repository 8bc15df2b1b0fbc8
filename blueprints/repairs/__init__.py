"""报修: requests, engineering work orders, review, materials and the customer's signature."""
from flask import Blueprint

from blueprints.core.routes import register_panel, tiles_panel
from models import RepairRequest, WorkOrder, now
from services import audit, search, timeline
from services.i18n import lazy_gettext as _l

bp = Blueprint("repairs", __name__)

timeline.register_kind("repair", _l("报修"), "repairs.detail")
audit.register_voidable("work_order", WorkOrder, _l("工程修理单"))
audit.register_voidable("repair_request", RepairRequest, _l("报修登记"))

from . import routes, service  # noqa: E402,F401

search.register(service.search_orders)


@register_panel
def _repairs_panel(user):
    """Engineer: my jobs and the queue; managers: jobs waiting review and overdue jobs."""
    from models.repairs import UNDER_REVIEW, order_is_open
    from models.users import ENGINEER, GM, MANAGER
    open_orders = WorkOrder.select().where(order_is_open() &
                                           (WorkOrder.voided == False))  # noqa: E712
    candidates = []
    if user.role == ENGINEER:
        candidates += [
            ("repairs.index", _l("我的工单"), lambda: open_orders.where(
                WorkOrder.engineer == user.id).count(), {"view": "mine"}, False),
            ("repairs.index", _l("待接单队列"), lambda: open_orders.where(
                WorkOrder.engineer.is_null() & (WorkOrder.state == "dispatched")).count(),
             {"view": "queue"}, True)]
    if user.role in (MANAGER, GM):
        candidates += [
            ("repairs.index", _l("待评审工单"), lambda: open_orders.where(
                WorkOrder.state == UNDER_REVIEW).count(), {"view": "review"}, True),
            ("repairs.index", _l("超时工单"), lambda: open_orders.where(
                (WorkOrder.deadline < now()) & WorkOrder.started_at.is_null()).count(),
             {"view": "overdue"}, True)]
    return tiles_panel(user, candidates) if candidates else None
