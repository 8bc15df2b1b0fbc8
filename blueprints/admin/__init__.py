"""Users and settings, for the 管理员 role."""
from flask import Blueprint

from blueprints.core.routes import register_panel
from models import Holiday, clock
from models.i18n import lazy_gettext as _l
from models.users import ADMIN, GM, MANAGER
from services import audit, workdays

bp = Blueprint("admin", __name__)

audit.register_voidable("holiday", Holiday, _l("节假日登记"))

from . import routes  # noqa: E402,F401


@register_panel
def _holiday_schedule_panel(user):
    """From 1 December: next year's 调休 schedule is not entered yet (deadlines would count
    only the statutory holidays)."""
    today = clock.today()
    if user.role not in (MANAGER, GM, ADMIN) or today.month != 12 \
            or not workdays.schedule_missing(today.year + 1):
        return None
    return "admin/_holidays_panel.html", {"year": today.year + 1}
