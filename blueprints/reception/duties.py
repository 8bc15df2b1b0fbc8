"""The desk's lines in the daily digest (services.duties)."""
from models import FollowUp, Handover
from models.i18n import N_
from models.i18n import lazy_gettext as _l
from models.users import DESK, ENGINEER, GM, MANAGER, SALES
from services import duties


@duties.digest_line(N_("到期未做的回访 %(n)s 个"), {DESK, SALES, ENGINEER, MANAGER, GM})
def followups_due(user, today, memo):
    return FollowUp.select().where(FollowUp.not_voided() & (FollowUp.assigned_to == user.id) &
                                   FollowUp.done_at.is_null() &
                                   (FollowUp.planned_on <= today)).count()


@duties.digest_line(N_("未确认的交接记录 %(n)s 份"), {DESK, MANAGER})
def handovers_waiting(user, today, memo):
    return Handover.select().where(Handover.acknowledged_at.is_null() &
                                   (Handover.author != user.id)).count()


@duties.register("visitor_privacy", _l("访客证件号到期遮蔽，过期的自助登记作废并删除"),
                 _l("每天 03:00"), duties.daily(3))
def visitor_privacy(at):
    from services import settings as settings_service

    from . import selfreg
    masked = selfreg.mask_old_ids(settings_service.load()["visitor_id_retention_months"], at)
    expired, erased = selfreg.forget_requests(at)
    return f"{masked} ID numbers masked, {expired} requests expired, {erased} erased"
