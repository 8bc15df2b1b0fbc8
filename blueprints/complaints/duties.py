"""The complaint desk's scheduled duties (services.duties): 催办 and the monthly statistics."""
import datetime

from models import Complaint
from models.base import in_literal
from models.complaints import OPEN
from models.i18n import N_
from models.i18n import lazy_gettext as _l
from services import duties, notifications, signoffs
from services.staff import general_managers, managers_of


@duties.register("complaint_reminders", _l("逾期投诉催办（负责人和经理；超过设定时间报总经理）"),
                 _l("每天 09:00"), duties.daily(9))
def reminders(at):
    """Each open complaint past a deadline: its owner and the department's managers are
    reminded; past the escalation delay (setting complaint_escalate_hours), the GM too."""
    from services import settings as settings_service
    escalate = datetime.timedelta(hours=int(settings_service.load()["complaint_escalate_hours"]))
    late = Complaint.select().where(Complaint.not_voided() & in_literal(Complaint.state, OPEN) &
                                    (Complaint.next_due < at))
    told = escalated = 0
    for complaint in late:
        people = managers_of(complaint.responsible_dept)
        if complaint.owner_id:
            people = [complaint.owner] + people
        if at - complaint.next_due >= escalate:
            people += general_managers()
            escalated += 1
        notifications.notify(people, N_("催办：投诉 %(serial)s 已超期，请尽快处理"),
                             "complaints.detail", complaint.id, kind=notifications.REMINDER,
                             serial=complaint.serial)
        told += 1
    return f"{told} reminded, {escalated} to the GM"


@duties.register("complaint_statistics", _l("上月投诉统计提请经理确认（10 日前）"),
                 _l("每月 1 日 08:00"), duties.monthly(1, 8, until=9))
def statistics(at):
    told = signoffs.tell_managers(at, N_("%(month)s 投诉统计已生成，请于 10 日前确认"),
                                  "complaints.stats")
    return f"{told} managers told"


@duties.register("complaint_statistics_reminder", _l("上月投诉统计未确认时提醒经理（10 日）"),
                 _l("每月 10 日 09:00"), duties.monthly(10, 9, until=10))
def statistics_reminder(at):
    return signoffs.remind_unsigned(signoffs.COMPLAINT_STATS, at,
                                    N_("%(month)s 投诉统计尚未确认，今天是截止日"), "complaints.stats")
