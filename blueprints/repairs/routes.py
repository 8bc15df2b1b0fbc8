"""Repair views: lists for the desk and the engineer, the request, the work order, prints."""

from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN, SQL

from blueprints.helpers import (
    date_arg,
    day_bounds,
    excel_response,
    external_url,
    get_or_404,
    once_per_form,
    pdf_response,
    record_or_none,
    render,
    sheet_response,
    show_form,
    site_settings,
    void_view,
)
from blueprints.numbers import keep_stored, show_masked
from models import (
    Customer,
    RepairRequest,
    ServiceItem,
    User,
    WorkOrder,
    clock,
)
from models.base import first_in_queue, literal, read_together
from models.masking import mask_phone
from models.repairs import DISPATCHED, UNDER_REVIEW, order_is_open
from models.users import ENGINEER
from services import identity, signatures

from . import bp, service
from .forms import ItemForm, MaterialForm, OrderFilterForm, RepairRequestForm, StepForm
from .service import RepairError


def _order_or_404(id):
    return get_or_404(WorkOrder, id)


LIST_MOST = 200  # work orders a list shows


def filtered_orders(form):
    engineer = User.alias("engineer")  # read with each order, not one query a row
    query = (WorkOrder.select(WorkOrder, RepairRequest, engineer.id, engineer.display_name)
             .join(RepairRequest).switch(WorkOrder)
             .join(engineer, JOIN.LEFT_OUTER, on=(WorkOrder.engineer == engineer.id))
             .where(WorkOrder.not_voided()))
    view = form.view.data or ("mine" if current_user.role == ENGINEER else "open")
    if view != "all":
        query = query.where(order_is_open())
    if view == "mine":
        query = query.where(WorkOrder.engineer == current_user.id)
    elif view == "queue":
        query = query.where(WorkOrder.engineer.is_null() & (WorkOrder.state == DISPATCHED))
    elif view == "review":
        query = query.where(WorkOrder.state == UNDER_REVIEW)
    elif view == "overdue":
        query = query.where(WorkOrder.deadline < clock.now(),
                            WorkOrder.started_at.is_null())
    if form.state.data:
        query = query.where(WorkOrder.state == form.state.data)
    if form.day.data and not form.day.errors:
        start, end = day_bounds(form.day.data, form.day.data)
        query = query.where((RepairRequest.received_at >= start) &
                            (RepairRequest.received_at < end))
    return view, query.order_by(WorkOrder.id.desc())


@bp.route("/")
def index():
    """Work orders: mine, the queue, waiting review, overdue, by state; oldest waits shown."""
    form = OrderFilterForm(request.args)
    form.validate()
    view, query = filtered_orders(form)
    form.view.data = view
    # A-class customers' first (seed 000), then the rest, newest first.
    first, rest = read_together(
        query.where(first_in_queue(RepairRequest)).limit(literal(LIST_MOST)),
        query.where(RepairRequest.priority == SQL("0")).limit(literal(LIST_MOST)))
    rows = (first + rest)[:LIST_MOST]
    return render("repairs/index.html", "repairs/_rows.html", form=form, rows=rows,
                  now=clock.now(), is_overdue=service.is_overdue)


@bp.route("/new", methods=["GET", "POST"])
@once_per_form
def new():
    """报修登记: record the request; its work order opens at once (repeats flagged)."""
    form = RepairRequestForm()
    customer = _customer(form.customer.data or request.args.get("customer"))
    if request.method == "GET":
        form.received_at.data = clock.now().replace(second=0)
        if customer:
            form.customer.data = str(customer.id)
            form.contact_name.data, form.contact_phone.data = customer.name, customer.phone
            form.location.data = customer.unit_label
    if customer:
        keep_stored(form, customer, {"contact_phone": "phone"})
    if form.validate_on_submit():
        repair = RepairRequest(
            received_at=form.received_at.data, customer=customer,
            contact_name=(form.contact_name.data or "").strip(),
            contact_phone=identity.normalize_phone(form.contact_phone.data),
            location=form.location.data.strip(), area=form.area.data,
            item=record_or_none(ServiceItem, form.item.data),
            content=form.content.data.strip(), preferred_at=form.preferred_at.data,
            channel=form.channel.data)
        order = service.register_request(repair, current_user)
        if repair.repeat_of_id:
            flash(_("注意：该单元同一项目 6 个月内已维修过，属返修"), "error")
        flash(_("已登记报修，工单 %(serial)s", serial=order.serial), "success")
        return redirect(url_for("repairs.detail", id=order.id))
    if customer:
        show_masked(form, customer, {"contact_phone": "phone"})
    return show_form("repairs/form.html", form, customer=customer)


def _customer(value):
    return record_or_none(Customer, value)


def _detail(order, status=200, error=None, **forms):
    settings = site_settings()
    context = dict(step_form=StepForm(), item_form=ItemForm(), material_form=MaterialForm())
    context.update(forms)
    return render("repairs/detail.html", status=status, order=order, error=error,
                  actions=service.allowed_actions(order, current_user, settings),
                  turn=service.whose_turn(order),
                  labels=service.ACTION_LABELS, waited=service.waited(order),
                  overdue=service.is_overdue(order), **context)


@bp.route("/<int:id>")
def detail(id):
    """The work order: readable and operable with one hand on a phone."""
    return _detail(_order_or_404(id))


@bp.route("/<int:id>/step/<action>", methods=["POST"])
def step(id, action):
    """Dispatch, acknowledge, start, review, complete, sign or cancel."""
    order = _order_or_404(id)
    if action not in service.ACTIONS:
        abort(404)
    form = StepForm()
    if not form.validate_on_submit():
        return _detail(order, status=422, error=_("请检查填写的内容"), step_form=form)
    try:
        signature = (signatures.decode(form.signature.data)
                     if action == "sign" and form.signature.data else None)
        engineer = (record_or_none(User, form.engineer.data))
        service.step(order, action, current_user, site_settings(), engineer=engineer,
                     reason=form.reason.data or "", signature=signature,
                     on_paper=form.on_paper.data)
    except (RepairError, signatures.SignatureError) as refused:
        return _detail(order, status=422, error=str(refused), step_form=form)
    flash(_("已完成：%(action)s", action=service.ACTION_LABELS[action]), "success")
    return redirect(url_for("repairs.detail", id=id))


@bp.route("/<int:id>/items", methods=["POST"])
@once_per_form
def item_add(id):
    """Confirm a repair item on site; the fee follows the service list."""
    order = _order_or_404(id)
    form = ItemForm()
    if not form.validate_on_submit():
        return _detail(order, status=422, error=_("请检查填写的内容"), item_form=form)
    chosen = (record_or_none(ServiceItem, form.service_item.data))
    try:
        service.add_item(order, current_user, service_item=chosen,
                         description=form.description.data or "", quantity=form.quantity.data,
                         unit_fee=form.unit_fee.data)
    except RepairError as refused:
        return _detail(order, status=422, error=str(refused), item_form=form)
    return redirect(url_for("repairs.detail", id=id))


@bp.route("/<int:id>/materials", methods=["POST"])
@once_per_form
def material_add(id):
    """Record a material; customer-supplied ones are checked 合格/不合格."""
    order = _order_or_404(id)
    form = MaterialForm()
    if not form.validate_on_submit():
        return _detail(order, status=422, error=_("请检查填写的内容"), material_form=form)
    try:
        service.add_material(order, current_user, form.name.data, form.quantity.data,
                             form.unit.data, form.supplied_by_customer.data, form.check.data,
                             form.note.data)
    except RepairError as refused:
        return _detail(order, status=422, error=str(refused), material_form=form)
    return redirect(url_for("repairs.detail", id=id))


@bp.route("/<int:id>/signature.png")
def signature(id):
    """The customer's signature as captured on the tablet."""
    order = _order_or_404(id)
    if not order.signature:
        abort(404)
    response = make_response(bytes(order.signature))
    response.headers["Content-Type"] = "image/png"
    return response


@bp.route("/<int:id>/void", methods=["POST"])
def void(id):
    """Void a work order registered by mistake."""
    order = _order_or_404(id)
    return void_view(order, "repairs.index", "repairs.detail",
                     _("已作废 %(serial)s", serial=order.serial))


@bp.route("/<int:id>/print")
def print_order(id):
    """工程修理单 with the captured signature or empty signature boxes."""
    order = _order_or_404(id)
    return pdf_response("print/work_order.html", f"工程修理单-{order.serial}.pdf", record=order,
                        title=_("工程修理单"), number=order.serial,
                        qr_url=external_url("repairs.detail", id=id), order=order,
                        signature=signatures.data_uri(order.signature))


@bp.route("/print")
def print_day():
    """报修登记表 for a day."""
    day = date_arg("day", clock.today())
    return sheet_response("print/repairs_day.html", f"报修登记表-{day.isoformat()}.pdf",
                          service.day_register(day), title=_("报修登记表"),
                          number=day.isoformat(),
                          qr_url=external_url("repairs.index", day=day.isoformat(), view="all"))


@bp.route("/export")
def export():
    """The work orders as filtered, as an Excel workbook."""
    form = OrderFilterForm(request.args)
    form.validate()
    _view, query = filtered_orders(form)

    def row(o):
        return [o.serial, o.request.received_at, o.request.location, str(o.request.area_label),
                o.request.content, o.request.contact_name, mask_phone(o.request.contact_phone),
                str(o.state_label), o.engineer.display_name if o.engineer else "", o.fee_total,
                o.accepted_at]
    headers = [_("工单号"), _("报修时间"), _("地点"), _("区域"), _("内容"), _("联系人"), _("电话"),
               _("状态"), _("工程人员"), _("收费（元）"), _("验收签字")]
    return excel_response("工程修理单.xlsx", _("报修工单"), headers, query, "WorkOrder", row)
