"""The desk's lines in the daily digest (services.duties)."""
from models import FollowUp, Handover
from models.i18n import N_
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
