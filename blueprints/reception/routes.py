"""The visitor register (访客登记): today's list, one-hand entry, sign-out, the daily sheet."""
import datetime
from types import SimpleNamespace

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN

from blueprints.archives.service import search_customers
from blueprints.core.forms import ButtonForm
from blueprints.helpers import (
    back,
    day_bounds,
    excel_response,
    external_url,
    get_or_404,
    keyset_page,
    once_per_form,
    page_args,
    pdf_response,
    record_id,
    record_or_none,
    render,
    show_form,
    site_settings,
    void_view,
)
from blueprints.numbers import keep_stored, show_masked
from models import Customer, User, Visit, clock
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


def filtered_visits(form, register=False):
    """The visits of one day with the list's filters, newest first, with the host, the linked
    customer (blacklist badge) and the staff visited read in the same query. `register`: as
    register rows (register_rows)."""
    day = _day(None if form.day.errors else form.day.data)
    start, end = day_bounds(day, day)
    if register:
        query = register_rows()
    else:
        visited = User.alias("visited")
        query = (Visit.select(Visit, User, Customer, visited)
                 .join(User, JOIN.LEFT_OUTER, on=(Visit.host == User.id)).switch(Visit)
                 .join(Customer, JOIN.LEFT_OUTER, on=(Visit.customer == Customer.id))
                 .switch(Visit)
                 .join(visited, JOIN.LEFT_OUTER, on=(Visit.visitee_staff == visited.id))
                 .switch(Visit))
    query = query.where((Visit.voided == False) & (Visit.arrived_at >= start) &  # noqa: E712
                        (Visit.arrived_at < end))
    if form.reception_class.data:
        query = query.where(Visit.reception_class == form.reception_class.data)
    if record_id(form.host.data) is not None:
        query = query.where(Visit.host == record_id(form.host.data))
    if form.state.data == "inside":
        query = query.where(Visit.left_at.is_null())
    elif form.state.data == "left":
        query = query.where(Visit.left_at.is_null(False))
    if form.night.data == "1":
        query = query.where(Visit.night_duty == True)  # noqa: E712
    return day, query.order_by(Visit.arrived_at.desc(), Visit.id.desc())


# What a register row shows (reception/_row.html).
REGISTER_FIELDS = (Visit.id, Visit.serial, Visit.night_duty, Visit.name, Visit.phone,
                   Visit.plate, Visit.headcount, Visit.visitee, Visit.purpose,
                   Visit.reception_class, Visit.venue, Visit.arrived_at, Visit.left_at)


class RegisterRow(SimpleNamespace):
    """A visit as a register row shows it: REGISTER_FIELDS, whether its customer is on the
    blacklist, and the name of the staff member visited. A visit, its customer and the staff
    are ~90 columns, and fifty visits built with them cost more than the rest of the query."""


def register_rows():
    """Visits read as register rows: the customer's blacklist flag and the visited staff
    member's name come in the same query."""
    visited = User.alias("visited")
    return (Visit.select(*REGISTER_FIELDS, Customer.blacklisted.alias("blacklisted"),
                         visited.display_name.alias("visitee_staff_name"))
            .join(Customer, JOIN.LEFT_OUTER, on=(Visit.customer == Customer.id)).switch(Visit)
            .join(visited, JOIN.LEFT_OUTER, on=(Visit.visitee_staff == visited.id))
            .switch(Visit).objects(RegisterRow))


@bp.route("/")
def index():
    """Today's visitor register with who is still inside, filterable by day, class, host, state."""
    form = VisitFilterForm(request.args)
    form.validate()
    day, query = filtered_visits(form, register=True)
    rows, next_before = keyset_page(query, Visit, PAGE, order=Visit.arrived_at)
    inside = service.inside_count()
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
                                        (Customer.voided == False)).first()  # noqa: E712
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
    if request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted"):
        return render("reception/_row.html", visits=register_rows().where(Visit.id == visit.id))
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
    return pdf_response("print/visitors.html", f"{title}-{day.isoformat()}.pdf", title=title,
                        number=day.isoformat(), rows=rows, day=day,
                        qr_url=external_url("reception.index", day=day.isoformat()), background=True)


@bp.route("/visits/export")
def export():
    """The day's register as filtered, as an Excel workbook."""
    form = VisitFilterForm(request.args)
    form.validate()
    _day_value, query = filtered_visits(form)
    yes = _("是")

    def row(v):
        return [v.serial, v.name, mask_id(v.id_number), mask_phone(v.phone), v.headcount,
                v.visitee or (v.visitee_staff.display_name if v.visitee_staff else ""),
                v.purpose, v.plate, v.reception_class, v.venue,
                v.host.display_name if v.host else "", v.arrived_at, v.left_at,
                yes if v.night_duty else ""]
    headers = [_("单号"), _("访客"), _("证件"), _("电话"), _("人数"), _("被访"), _("事由"), _("车牌"),
               _("类别"), _("接待场所"), _("接待人"), _("到达"), _("离开"), _("夜班")]
    return excel_response("访客登记.xlsx", _("访客登记表"), headers,
                          query.order_by(Visit.arrived_at), "Visit", row)
