"""会员: eligibility, enrolment, purchases, discounts, the points ledger, card life, greetings."""
import datetime

from flask import Blueprint

from blueprints.core.routes import register_panel, tiles_panel
from models import Purchase, VipCard, now
from models.vip import birthday_keys
from services import audit, search, timeline
from services.i18n import lazy_gettext as _l

bp = Blueprint("vip", __name__)

timeline.register_kind("vip", _l("会员"), "vip.card")
audit.register_voidable("vip_card", VipCard, _l("会员卡"))
audit.register_voidable("purchase", Purchase, _l("消费记录"))

from . import routes, service  # noqa: E402,F401

search.register(service.search_cards)


@register_panel
def _cashier_panel(user):
    """The cashier: members with a birthday today and cards expiring this month."""
    from models.users import DESK, SALES
    if user.role not in (DESK, SALES):
        return None
    today = now().date()
    active = VipCard.select().where((VipCard.state == "active") & (VipCard.expires_on >= today))
    month_end = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return tiles_panel(user, [
        ("vip.index", _l("今天生日的会员"), lambda: active.where(
            VipCard.birthday_md.in_(birthday_keys(today))).count(), {}, False),
        ("vip.index", _l("本月到期的会员卡"), lambda: active.where(
            VipCard.expires_on < month_end).count(), {}, False)])
