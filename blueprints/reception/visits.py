"""Customer visits (拜访/探望): appointments, the visit record, the register and the record form."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.archives.service import search_customers
from blueprints.core.forms import ButtonForm
from blueprints.helpers import (
    date_range_args,
    day_bounds,
    excel_response,
    external_url,
    get_or_404,
    once_per_form,
    pdf_response,
    record_or_none,
    render,
    show_form,
    site_settings,
)
from models import Customer, CustomerVisit, User, clock
from services import audit
from services.search import Query

from . import bp, service
from .forms import CustomerVisitForm, VisitRecordForm


def _visit_or_404(id):
    return get_or_404(CustomerVisit, id)


def _range():
    """?start=&end= (dates); this month and the next 30 days by default."""
    return date_range_args(days_after=30)


def _in_range(start, end):
    since, until = day_bounds(start, end)
    return (CustomerVisit.select(CustomerVisit, Customer, User).join(Customer)
            .switch(CustomerVisit).join(User)
            .where(CustomerVisit.not_voided() &
                   (CustomerVisit.planned_at >= since) & (CustomerVisit.planned_at < until))
            .order_by(CustomerVisit.planned_at))


@bp.route("/customer-visits")
def customer_visits():
    """Appointments and visits in a date range (this month by default)."""
    start, end = _range()
    return render("reception/customer_visits.html", rows=list(_in_range(start, end)),
                  start=start, end=end)


@bp.route("/customer-visits/new", methods=["GET", "POST"])
@once_per_form
def customer_visit_new():
    """Make an appointment with a customer (time, place, purpose)."""
    form = CustomerVisitForm()
    if request.method == "GET":
        form.staff.data = str(current_user.id)
        form.customer.data = request.args.get("customer", "")
    customer = (record_or_none(Customer, form.customer.data))
    if form.customer.data and customer is None:
        form.customer.errors = [_("请选择客户")]
    if form.validate_on_submit() and customer is not None:
        visit = CustomerVisit(customer=customer, staff=int(form.staff.data),
                              planned_at=form.planned_at.data, place=form.place.data or "",
                              purpose=form.purpose.data.strip())
        audit.save(visit, current_user)
        flash(_("已预约拜访 %(name)s", name=customer.name), "success")
        return redirect(url_for("reception.customer_visit_detail", id=visit.id))
    hits = search_customers(Query(request.args.get("q", "")), 8) if request.args.get("q") else []
    return show_form("reception/customer_visit_form.html", form, customer=customer, hits=hits,
                     q=request.args.get("q", ""))


@bp.route("/customer-visits/<int:id>")
def customer_visit_detail(id):
    """An appointment or a visit record."""
    categories = site_settings()["complaint_categories"]
    # An unanswered request becomes a suggestion (建议或批评) unless the office renamed it.
    suggestion = next((c for c in categories if "建议" in c), categories[-1] if categories else "")
    return render("reception/customer_visit_detail.html", visit=_visit_or_404(id),
                  suggestion_category=suggestion)


@bp.route("/customer-visits/<int:id>/record", methods=["GET", "POST"])
def customer_visit_record(id):
    """Record what was said (会谈内容记录); unanswered requests go to a manager as a follow-up."""
    visit = _visit_or_404(id)
    if not visit.can_record:
        flash(_("已取消的拜访不能填写会谈记录"), "error")
        return redirect(url_for("reception.customer_visit_detail", id=id))
    form = VisitRecordForm(obj=visit)
    if request.method == "GET" and not visit.visited_at:
        form.visited_at.data = clock.now().replace(second=0)
    if form.validate_on_submit():
        for name in ("visited_at", "participants", "opinions", "suggestions", "requests",
                     "explanation", "unresolved"):
            value = getattr(form, name).data
            setattr(visit, name, value.strip() if isinstance(value, str) else value)
        escalate_to = record_or_none(User, form.escalate_to.data)
        followup = service.record_customer_visit(visit, current_user, escalate_to=escalate_to)
        if followup:
            flash(_("未答复的要求已转给 %(name)s 跟进", name=escalate_to.display_name), "success")
        else:
            flash(_("已保存拜访记录"), "success")
        return redirect(url_for("reception.customer_visit_detail", id=id))
    return show_form("reception/customer_visit_record.html", form, visit=visit)


@bp.route("/customer-visits/<int:id>/cancel", methods=["POST"])
def customer_visit_cancel(id):
    """Cancel an appointment that will not take place."""
    visit = _visit_or_404(id)
    if ButtonForm().validate_on_submit():
        service.cancel_customer_visit(visit, current_user)
    return redirect(url_for("reception.customer_visit_detail", id=id))


@bp.route("/customer-visits/<int:id>/print")
def customer_visit_print(id):
    """会谈内容记录表 for one visit."""
    visit = _visit_or_404(id)
    return pdf_response("print/customer_visit.html", f"会谈内容记录表-{visit.customer.name}.pdf",
                        record=visit, title=_("会谈内容记录表"), number=f"BF-{visit.id:06d}",
                        qr_url=external_url("reception.customer_visit_detail", id=id),
                        visit=visit)


@bp.route("/customer-visits/print")
def customer_visits_print():
    """探望客户登记记录表 for a date range."""
    start, end = _range()
    rows = [v for v in _in_range(start, end) if v.recorded]
    return pdf_response("print/customer_visits.html", f"探望客户登记记录表-{start}-{end}.pdf",
                        title=_("探望客户登记记录表"), number=f"{start} ~ {end}", rows=rows,
                        qr_url=external_url("reception.customer_visits", start=start.isoformat(),
                                            end=end.isoformat()), background=True)


@bp.route("/customer-visits/export")
def customer_visits_export():
    """The period's appointments and visits, as an Excel workbook."""
    start, end = _range()

    def row(v):
        return [v.planned_at, v.customer.name, v.staff.display_name, v.place, v.purpose,
                str(v.state_label), v.visited_at, v.opinions, v.requests, v.unresolved]
    headers = [_("预约时间"), _("客户"), _("拜访人"), _("地点"), _("拜访目的"), _("状态"),
               _("拜访时间"), _("客户意见"), _("客户要求"), _("未能当场答复")]
    return excel_response("客户拜访.xlsx", _("客户拜访"), headers, _in_range(start, end),
                          "CustomerVisit", row)
