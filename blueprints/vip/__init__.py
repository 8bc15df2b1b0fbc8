"""会员: eligibility, enrolment, purchases, discounts, the points ledger, card life, greetings."""
from flask import Blueprint
from flask_babel import lazy_gettext as _l

from models import Purchase, VipCard
from services import audit, search, timeline

bp = Blueprint("vip", __name__)

timeline.register_kind("vip", _l("会员"), "vip.card")
audit.register_voidable("vip_card", VipCard, _l("会员卡"))
audit.register_voidable("purchase", Purchase, _l("消费记录"))

from . import routes, service  # noqa: E402,F401

search.register(service.search_cards)
