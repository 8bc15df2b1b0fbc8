"""Grading (客户分级): yearly evaluations in the March window, provisional grades, re-evaluation."""
from models import Customer, GradeEvaluation, db, now
from models.archives import APPROVED, REJECTED, REVIEWED
from models.i18n import lazy_gettext as _l
from models.users import GM, MANAGER, SALES
from services import audit, workdays
from services.customers import requeue

PROVISIONAL_MONTHS = 6


class GradingError(Exception):
    """A grading step the rules refuse."""


def in_window(day, window):
    """True inside the yearly evaluation window, written 'MM-DD:MM-DD' (default 03-25:03-30)."""
    start, end = window.split(":")
    return start <= day.strftime("%m-%d") <= end



def propose(customer, user, settings, tier, grade, provisional=False, today=None, **figures):
    """Sales proposes a grade with its figures; the yearly one only inside the window."""
    today = today or now().date()
    if user.role not in (SALES, MANAGER):
        raise GradingError(_l("客户评级由销售人员提出"))
    if not provisional and not in_window(today, settings["evaluation_window"]):
        raise GradingError(_l("年度评级须在评级期内提出（%(window)s）",
                              window=settings["evaluation_window"].replace(":", " ~ ")))
    evaluation = GradeEvaluation(customer=customer, year=today.year, provisional=provisional,
                                 tier=tier, grade=grade, proposed_by=user.id, **figures)
    return audit.save(evaluation, user)


def review(evaluation, user, comment=""):
    """The sales head (经理) reviews the proposal."""
    if not evaluation.awaiting_review:
        raise GradingError(_l("只能审核已提议的评级"))
    if user.role != MANAGER:
        raise GradingError(_l("评级须由销售主管审核"))
    evaluation.state, evaluation.reviewed_by, evaluation.reviewed_at = REVIEWED, user.id, now()
    evaluation.comment = comment
    return audit.save(evaluation, user)


def approve(evaluation, user, comment=""):
    """The GM approves: the customer takes the grade; the evaluation stays as history."""
    if evaluation.state != REVIEWED:
        raise GradingError(_l("评级须先经销售主管审核"))
    if user.role != GM:
        raise GradingError(_l("评级须由总经理批准"))
    with db.atomic():
        evaluation.state, evaluation.approved_by, evaluation.approved_at = APPROVED, user.id, now()
        evaluation.comment = comment or evaluation.comment
        audit.save(evaluation, user)
        customer = evaluation.customer
        customer.tier, customer.grade = evaluation.tier, evaluation.grade
        customer.credit_grade = evaluation.credit or customer.credit_grade
        customer.provisional_until = (provisional_until(customer, evaluation.approved_at.date())
                                      if evaluation.provisional else None)
        audit.save(customer, user)
        requeue(customer)
    return evaluation


def reject(evaluation, user, comment):
    """Send a proposal back (sales head or GM), with the reason."""
    if not evaluation.pending or user.role not in (MANAGER, GM):
        raise GradingError(_l("不能退回此评级"))
    evaluation.state, evaluation.comment = REJECTED, comment
    return audit.save(evaluation, user)


def due_for_reevaluation(today):
    """Customers whose provisional grade is six months old."""
    return list(Customer.select().where(Customer.provisional_until.is_null(False) &
                                        (Customer.provisional_until <= today) &
                                        Customer.not_voided())
                .order_by(Customer.provisional_until))


def provisional_until(customer, today):
    """When a provisional grade is evaluated again: six months after cooperation began (seed
    000 5.2: 在合作满六个月后,进行评估), the contract date; `today` when there is none yet."""
    return workdays.add_months(customer.contract_date or today, PROVISIONAL_MONTHS)


def set_provisional(customer, today):
    """A new customer's first grade is provisional: re-evaluate after six months' cooperation."""
    if customer.tier or customer.grade:
        customer.provisional_until = provisional_until(customer, today)


__all__ = ["propose", "review", "approve", "reject", "due_for_reevaluation", "in_window",
           "GradingError"]
