"""客户档案: the customer hub every module links to."""
from flask import Blueprint
from peewee import fn

from blueprints.core.routes import register_panel, tiles_panel
from blueprints.helpers import site_settings
from models import Customer, Document, EmergencyContact, now
from models.base import Prepared
from models.i18n import lazy_gettext as _l
from services import audit, search, timeline

bp = Blueprint("archives", __name__)

timeline.register_kind("archive", _l("建立档案"), "archives.detail")
audit.register_voidable("customer", Customer, _l("客户档案"))
audit.register_voidable("contact", EmergencyContact, _l("紧急联络人"))
audit.register_voidable("document", Document, _l("档案文件"))

from . import depth, imports, routes, service  # noqa: E402,F401

search.register(service.search_customers, "customer", _l("客户档案"))


@register_panel
def _archive_panel(user):
    """Managers: contacts due and evaluations waiting; sales: their own contacts due."""
    from models.users import GM, MANAGER, SALES

    from . import ownership
    if user.role not in (MANAGER, GM, SALES):
        return None
    settings = site_settings()
    today = now().date()
    owner = user.id if user.role == SALES else None
    candidates = [("archives.rules", _l("应联系的客户"), lambda: ownership.count_contacts_due(
        settings, today, owner=owner), {"owner": "me"} if owner else {}, True)]
    if user.role in (MANAGER, GM):
        candidates.append(("archives.rules", _l("待审批的评级"), lambda: _EVALUATIONS.scalar(
            "proposed", "reviewed"), {}, False))
    return tiles_panel(user, candidates)


def _waiting_evaluations(state, other_state):
    from models import GradeEvaluation
    return GradeEvaluation.select(fn.COUNT(GradeEvaluation.id)).where(
        GradeEvaluation.state.in_([state, other_state]))


_EVALUATIONS = Prepared(_waiting_evaluations)  # the panel's count, its SQL written once
