"""会员: eligibility, enrolment, purchases, discounts, the points ledger, card life, greetings."""
import datetime

from flask import Blueprint
from peewee import fn

from blueprints.core.routes import register_panel, tiles_panel
from models import Purchase, VipCard, now
from models.base import Prepared
from models.i18n import lazy_gettext as _l
from models.vip import birthday_keys
from services import audit, search, timeline

bp = Blueprint("vip", __name__)

timeline.register_kind("vip", _l("会员"), "vip.card")
audit.register_voidable("vip_card", VipCard, _l("会员卡"))
audit.register_voidable("purchase", Purchase, _l("消费记录"))

from . import routes, service  # noqa: E402,F401

search.register(service.search_cards, "vip", _l("会员卡"))


@register_panel
def _cashier_panel(user):
    """The cashier: members with a birthday today and cards expiring this month."""
    from models.users import DESK, SALES
    if user.role not in (DESK, SALES):
        return None
    today = now().date()
    month_end = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    keys = birthday_keys(today)  # one day, or two (28 February counts 29 February's)
    return tiles_panel(user, [
        ("vip.index", _l("今天生日的会员"), lambda: _BIRTHDAYS.scalar(
            "active", today, keys[0], keys[-1]), {}, False),
        ("vip.index", _l("本月到期的会员卡"), lambda: _EXPIRING.scalar(
            "active", today, month_end), {}, False)])


# The panel's counts, written as SQL once (see Prepared).
_BIRTHDAYS = Prepared(lambda state, today, day, other_day: VipCard.select(
    fn.COUNT(VipCard.id)).where((VipCard.state == state) & (VipCard.expires_on >= today) &
                                VipCard.birthday_md.in_([day, other_day])))
_EXPIRING = Prepared(lambda state, today, month_end: VipCard.select(fn.COUNT(VipCard.id)).where(
    (VipCard.state == state) & (VipCard.expires_on >= today) & (VipCard.expires_on < month_end)))
