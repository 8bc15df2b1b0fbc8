"""投诉: intake to closure on time, approvals, reminders, returns and monthly statistics."""
from flask import Blueprint

from blueprints.core.routes import register_panel, tiles_panel
from models import Complaint, PenaltyNotice, ReturnRequest
from models.i18n import lazy_gettext as _l
from services import audit, search, timeline

bp = Blueprint("complaints", __name__)

timeline.register_kind("complaint", _l("投诉"), "complaints.detail")
timeline.register_kind("return", _l("退换货"), "complaints.return_detail")
audit.register_voidable("complaint", Complaint, _l("客户投诉"))
audit.register_voidable("return", ReturnRequest, _l("退换货申请"))
audit.register_voidable("notice", PenaltyNotice, _l("奖罚通知单"))

from . import deadlines, duties, returns, routes, service, stats  # noqa: E402,F401

search.register(service.search_complaints, "complaint", _l("投诉"))


register_panel(lambda user: tiles_panel(user, service.home_tiles(user)))
