"""Actions on customers that several modules take (archives, complaints, VIP, imports)."""
from models import Complaint, RepairRequest, db
from services import audit, timeline

FIRST_GRADE = "A"  # seed 000: 应优先处理a类客户的埋怨和投诉; their repairs go first too


def first_in_queues(customer):
    """1 when this customer's complaints and repairs go first in every queue, else 0."""
    return int(customer is not None and customer.grade == FIRST_GRADE)


def requeue(customer):
    """After a grade changes: the customer's complaints and repairs take their new place."""
    first = first_in_queues(customer)
    Complaint.update(priority=first).where(Complaint.customer == customer.id).execute()
    RepairRequest.update(priority=first).where(RepairRequest.customer == customer.id).execute()


def create_customer(customer, actor):
    """Save a new customer with its audit entry and the first event on its timeline."""
    with db.atomic():
        audit.save(customer, actor)
        timeline.add(customer, "archive", " ".join(filter(None, [customer.name,
                                                                 customer.unit_label])),
                     ref_id=customer.id, user=actor)
    return customer


def create_followup(subject, planned_on, customer=None, source="manual", source_id=None,
                    assigned_to=None, method="phone", actor=None, params=None):
    """The one way any module plans a follow-up (回访): completed repairs, closed complaints…
    With `params`, `subject` is a catalogue source marked N_, shown in the reader's language."""
    from models import FollowUp
    from models.i18n import stored_params
    followup = FollowUp(customer=customer, subject=subject[:200], planned_on=planned_on,
                        source=source, source_id=source_id, assigned_to=assigned_to,
                        method=method, subject_params=stored_params(params))
    with db.atomic():
        audit.save(followup, actor)
        timeline.add(customer, "followup", f"{followup.source_label}：{followup.title}",
                     ref_id=followup.id, user=actor)
    return followup
