"""会员: eligibility, enrolment, purchases, discounts, the points ledger, card life, greetings."""
from flask import Blueprint

from blueprints.core.routes import register_panel, tiles_panel
from models import Purchase, VipCard, now
from models.i18n import lazy_gettext as _l
from services import audit, search, timeline

bp = Blueprint("vip", __name__)

timeline.register_kind("vip", _l("会员"), "vip.card")
audit.register_voidable("vip_card", VipCard, _l("会员卡"))
audit.register_voidable("purchase", Purchase, _l("消费记录"))

from . import duties, routes, service  # noqa: E402,F401

search.register(service.search_cards, "vip", _l("会员卡"))
register_panel(lambda user: tiles_panel(user, service.home_tiles(user, now().date())))
