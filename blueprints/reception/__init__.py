"""接待: the visitor register, sales-floor rotation, customer visits, follow-ups, shift handovers."""
from flask import Blueprint

from blueprints.core.routes import register_panel, tiles_panel
from models import CustomerVisit, FollowUp, Visit, now
from models.i18n import lazy_gettext as _l
from services import audit, permissions, search, timeline

bp = Blueprint("reception", __name__)

timeline.register_kind("visit", _l("来访"), "reception.detail")
timeline.register_kind("customer_visit", _l("拜访"), "reception.customer_visit_detail")
timeline.register_kind("followup", _l("回访"), "reception.followup_detail")
audit.register_voidable("visit", Visit, _l("访客登记"))
audit.register_voidable("customer_visit", CustomerVisit, _l("客户拜访"))
audit.register_voidable("followup", FollowUp, _l("回访"))

from . import (  # noqa: E402,F401
    duties,
    followups,
    handovers,
    rota,
    rotation,
    routes,
    selfservice,
    service,
    visits,
)

search.register(service.search_visitors, "visit", _l("访客登记"))


register_panel(lambda user: tiles_panel(user, service.home_tiles(user, now().date())))


@register_panel
def _handovers_panel(user):
    """Unacknowledged handovers greet the incoming shift at login."""
    if not permissions.allowed(user.role, "reception.handover_ack"):
        return None
    waiting = service.unacknowledged_handovers(user.id)
    return ("reception/_handover_panel.html", {"waiting": waiting}) if waiting else None
