"""The repair desk's scheduled duties (services.duties): 催办 for missed appointments."""
from models import WorkOrder
from models.i18n import N_
from models.i18n import lazy_gettext as _l
from models.repairs import order_is_open
from services import duties, notifications
from services.staff import managers_of

ENGINEERING = "工程部"  # the department whose managers answer for the engineers


@duties.register("repair_reminders", _l("超过预约时间未到场的工单催办（工程师和工程部经理）"),
                 _l("每天 09:00"), duties.daily(9))
def reminders(at):
    """Each open work order whose appointment passed with no engineer on site: its engineer
    and the engineering department's managers are reminded."""
    late = WorkOrder.live().where(order_is_open() & (WorkOrder.deadline < at) &
                                  WorkOrder.started_at.is_null()).order_by(WorkOrder.id)
    managers = managers_of(ENGINEERING)
    told = 0
    for order in late:
        people = ([order.engineer] if order.engineer_id else []) + managers
        notifications.notify(people, N_("催办：工单 %(serial)s 已过预约时间，工程师尚未到场"),
                             "repairs.detail", order.id, kind=notifications.REMINDER,
                             serial=order.serial)
        told += 1
    return f"{told} reminded"
