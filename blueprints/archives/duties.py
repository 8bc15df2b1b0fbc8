"""The archive's scheduled duties (services.duties)."""
from models.i18n import N_
from models.i18n import lazy_gettext as _l
from models.users import GM, MANAGER, SALES
from services import duties
from services import settings as settings_service

from . import ownership


@duties.register("ownership_lapse", _l("来电两个月未到访的客户转为资料"), _l("每天 02:00"),
                 duties.daily(2))
def lapse(at):
    lapsed = ownership.lapse_enquiries(None, at)
    return f"{len(lapsed)} lapsed"


@duties.digest_line(N_("应联系的客户 %(n)s 位"), {SALES, MANAGER, GM})
def contacts_due(user, today, memo):
    if "settings" not in memo:
        memo["settings"] = settings_service.load()
    owner = user.id if user.role == SALES else None
    return ownership.count_contacts_due(memo["settings"], today, owner=owner,
                                        cap=ownership.TILE_CAP)


@duties.digest_line(N_("签约满 2 个工作日仍未完善的档案 %(n)s 份"), {MANAGER, GM})
def incomplete_cards(user, today, memo):
    if "incomplete" not in memo:
        memo["incomplete"] = len(ownership.incomplete_cards())
    return memo["incomplete"]
