"""报修: requests, engineering work orders, review, materials and the customer's signature."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from models import RepairRequest, WorkOrder
from services import audit, search, timeline

bp = Blueprint("repairs", __name__)

timeline.register_kind("repair", _l("报修"), "repairs.detail")
audit.register_voidable("work_order", WorkOrder, _l("工程修理单"))
audit.register_voidable("repair_request", RepairRequest, _l("报修登记"))

from . import routes, service  # noqa: E402,F401

search.register(service.search_orders)
