"""The visitor register (访客登记): today's list, one-hand entry, sign-out, the daily sheet."""
import datetime

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.archives.service import search_customers
from blueprints.core.forms import ButtonForm
from blueprints.helpers import (
    back,
    excel_response,
    external_url,
    get_or_404,
    is_htmx_partial,
    keyset_cut,
    keyset_query,
    once_per_form,
    page_args,
    record_id,
    record_or_none,
    render,
    sheet_response,
    show_form,
    site_settings,
    void_view,
)
from blueprints.numbers import keep_stored, show_masked
from models import Customer, Visit, clock
from models.base import read_together
from models.masking import mask_id, mask_phone
from services import audit, identity
from services.search import Query

from . import bp, service
from .forms import VisitFilterForm, VisitForm

PAGE = 50


def _visit_or_404(id):
    return get_or_404(Visit, id)


def _day(value):
    return value if isinstance(value, datetime.date) else clock.today()


def filtered_visits(form):
    """(day, the register's visits of that day with the list's filters)."""
    day = _day(None if form.day.errors else form.day.data)
    return day, service.register_visits(day, reception_class=form.reception_class.data,
                                        host_id=record_id(form.host.data),
                                        state=form.state.data, night=form.night.data == "1")


@bp.route("/")
def index():
    """Today's visitor register with who is still inside, filterable by day, class, host, state."""
    form = VisitFilterForm(request.args)
    form.validate()
    day, query = filtered_visits(form)
    page, ((inside,),) = read_together(keyset_query(query, Visit, PAGE, order=Visit.arrived_at),
                                       service.inside_count_query())
    rows, next_before = keyset_cut(page, PAGE)
    return render("reception/index.html", "reception/_rows.html", form=form, rows=rows, day=day,
                  inside=inside, next_before=next_before, args=page_args(),
                  print_args={k: v for k, v in request.args.items() if v})


def _prefill(form, previous):
    """Copy a previous entry of the same visitor into a new form (repeat visitors)."""
    for name in ("name", "phone", "id_type", "id_number", "visitee", "purpose", "plate",
                 "reception_class"):
        getattr(form, name).data = getattr(previous, name)
    form.headcount.data = previous.headcount
    form.visitee_customer.data = str(previous.visitee_customer_id or "")
    form.customer.data = str(previous.customer_id or "")


@bp.route("/visits/new", methods=["GET", "POST"])
@once_per_form
def new():
    """Register a visitor: now, class C and the clerk as host by default; repeat visitors prefilled."""
    form = VisitForm()
    previous = record_or_none(Visit, request.args.get("from"))
    if request.method == "GET":
        form.arrived_at.data = clock.now().replace(second=0)
        form.host.data = str(current_user.id)
        if previous:
            _prefill(form, previous)
    elif previous:
        keep_stored(form, previous)
    if form.validate_on_submit():
        visit = Visit()
        _fill(visit, form)
        service.register_visit(visit, current_user, site_settings())
        flash(_("已登记 %(serial)s %(name)s", serial=visit.serial, name=visit.name), "success")
        return redirect(url_for("reception.index"))
    warnings = service.blacklist_warnings(form.phone.data or "", form.plate.data or "",
                                          form.id_number.data or "")
    if previous:
        show_masked(form, previous)
    return show_form("reception/form.html", form, visit=None, warnings=warnings,
                     recent=service.recent_visitors(), visitee=_chosen(form.visitee_customer.data),
                     linked=_chosen(form.customer.data))


def _chosen(value):
    return record_or_none(Customer, value)


def _fill(visit, form):
    for name in ("name", "id_type", "visitee", "purpose", "reception_class", "venue", "notes"):
        setattr(visit, name, (getattr(form, name).data or "").strip())
    visit.phone = identity.normalize_phone(form.phone.data)
    visit.id_number = (form.id_number.data or "").strip().upper()
    visit.plate = identity.normalize_plate(form.plate.data)
    visit.headcount = form.headcount.data
    visit.arrived_at = form.arrived_at.data
    visit.host = int(form.host.data)
    visit.visitee_staff = int(form.visitee_staff.data) if form.visitee_staff.data else None
    visit.visitee_customer = _chosen(form.visitee_customer.data)
    visit.customer = _chosen(form.customer.data)


@bp.route("/visits/lookup")
def lookup():
    """As phone, plate or ID are typed: blacklist warnings, a repeat visitor, a matching customer."""
    phone = request.args.get("phone", "")
    warnings = service.blacklist_warnings(phone, request.args.get("plate", ""),
                                          request.args.get("id_number", ""))
    previous = service.previous_visit(phone)
    number = identity.normalize_phone(phone)
    customer = (Customer.select().where((Customer.phone == number) &
                                        Customer.not_voided()).first()
                if len(number) >= 5 else None)
    return render("reception/_lookup.html", warnings=warnings, previous=previous,
                  customer=customer)


@bp.route("/visits/pick")
def pick():
    """Search residents/units for 'whom they visit' and pick one (htmx, no script of our own)."""
    chosen = _chosen(request.args.get("id", ""))
    hits = [] if chosen else search_customers(Query(request.args.get("visitee", "")), 6)
    return render("reception/_pick.html", hits=hits, chosen=chosen)


@bp.route("/visits/<int:id>")
def detail(id):
    """One visitor entry."""
    visit = _visit_or_404(id)
    return render("reception/detail.html", visit=visit)


@bp.route("/visits/<int:id>/edit", methods=["GET", "POST"])
def edit(id):
    """Correct an entry (audited); the number and night flag stay as registered."""
    visit = _visit_or_404(id)
    form = VisitForm(obj=visit)
    if request.method == "GET":
        form.host.data = str(visit.host_id or "")
        form.visitee_staff.data = str(visit.visitee_staff_id or "")
        form.visitee_customer.data = str(visit.visitee_customer_id or "")
        form.customer.data = str(visit.customer_id or "")
    keep_stored(form, visit)
    if form.validate_on_submit():
        _fill(visit, form)
        audit.save(visit, current_user)
        flash(_("已保存"), "success")
        return redirect(url_for("reception.detail", id=id))
    show_masked(form, visit)
    return show_form("reception/form.html", form, visit=visit, warnings=[], recent=[],
                     visitee=_chosen(form.visitee_customer.data),
                     linked=_chosen(form.customer.data))


@bp.route("/visits/<int:id>/sign-out", methods=["POST"])
def sign_out(id):
    """One tap: the visitor has left."""
    visit = _visit_or_404(id)
    if ButtonForm().validate_on_submit():
        service.sign_out(visit, current_user)
    if is_htmx_partial():
        return render("reception/_row.html", visits=service.register_row(visit.id))
    return redirect(back("reception.index"))


@bp.route("/visits/<int:id>/void", methods=["POST"])
def void(id):
    """Void a mistaken entry with a reason."""
    visit = _visit_or_404(id)
    return void_view(visit, "reception.index", "reception.detail",
                     _("已作废 %(serial)s", serial=visit.serial))


@bp.route("/visits/print")
def print_day():
    """访客登记表 for a day (or its night-duty entries) as A4 landscape."""
    form = VisitFilterForm(request.args)
    form.validate()
    day, query = filtered_visits(form)
    rows = list(query.order_by(Visit.arrived_at, Visit.id))
    night = form.night.data == "1"
    title = _("夜班访客登记表") if night else _("访客登记表")
    return sheet_response("print/visitors.html", f"{title}-{day.isoformat()}.pdf", rows,
                          title=title, number=day.isoformat(), day=day,
                          qr_url=external_url("reception.index", day=day.isoformat()))


@bp.route("/visits/export")
def export():
    """The day's register as filtered, as an Excel workbook."""
    form = VisitFilterForm(request.args)
    form.validate()
    _day_value, query = filtered_visits(form)
    yes = _("是")

    def row(v):
        return [v.serial, v.name, mask_id(v.id_number), mask_phone(v.phone), v.headcount,
                v.visitee or v.visitee_staff_name or "", v.purpose, v.plate, v.reception_class,
                v.venue, v.host_name or "", v.arrived_at, v.left_at,
                yes if v.night_duty else ""]
    headers = [_("单号"), _("访客"), _("证件"), _("电话"), _("人数"), _("被访"), _("事由"), _("车牌"),
               _("类别"), _("接待场所"), _("接待人"), _("到达"), _("离开"), _("夜班")]
    return excel_response("访客登记.xlsx", _("访客登记表"), headers,
                          query.order_by(Visit.arrived_at), "Visit", row)
