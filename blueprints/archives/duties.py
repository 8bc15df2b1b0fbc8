"""The archive's scheduled duties (services.duties)."""
from models.i18n import lazy_gettext as _l
from services import duties

from . import ownership


@duties.register("ownership_lapse", _l("来电两个月未到访的客户转为资料"), _l("每天 02:00"),
                 duties.daily(2))
def lapse(at):
    lapsed = ownership.lapse_enquiries(None, at)
    return f"{len(lapsed)} lapsed"
