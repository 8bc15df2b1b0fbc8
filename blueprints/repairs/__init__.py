"""报修: requests, engineering work orders, review, materials and the customer's signature."""
from flask import Blueprint

from blueprints.core.routes import register_panel, tiles_panel
from models import RepairRequest, WorkOrder, now
from models.i18n import lazy_gettext as _l
from services import audit, search, timeline

bp = Blueprint("repairs", __name__)

timeline.register_kind("repair", _l("报修"), "repairs.detail")
audit.register_voidable("work_order", WorkOrder, _l("工程修理单"))
audit.register_voidable("repair_request", RepairRequest, _l("报修登记"))

from . import duties, routes, service  # noqa: E402,F401

search.register(service.search_orders, "work_order", _l("报修工单"))


register_panel(lambda user: tiles_panel(user, service.home_tiles(user, now())))
