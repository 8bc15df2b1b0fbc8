"""Customer list, card, emergency contacts, reveal, timeline and the two printed forms."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN

from blueprints.core.forms import ButtonForm
from blueprints.helpers import (
    excel_response,
    external_url,
    get_or_404,
    keyset_page,
    may_reveal,
    once_per_form,
    page_args,
    pdf_response,
    record_id,
    refuse_if_voided,
    render,
    show_form,
    site_settings,
    void_view,
)
from blueprints.numbers import keep_stored, show_masked
from blueprints.registers.service import record_duplicate
from models import Customer, Document, EmergencyContact, GradeEvaluation, User, now
from models.archives import CONTACT_METHODS
from models.customers import KINDS, Status
from models.masking import mask_phone
from services import audit, identity, timeline
from services.customers import create_customer
from services.search import Query

from . import bp, grading, service
from .forms import ContactForm, CustomerFilterForm, CustomerForm, RevealForm, VoidForm

REVEALABLE = {"phone": "phone", "phone2": "phone", "id_number": "id"}


def _customer_or_404(id):
    return get_or_404(Customer, id)


def _filtered_customers(form):
    """The list query for the filter form; the search box uses the same matching as the header."""
    query = (Customer.select(Customer, User)
             .join(User, JOIN.LEFT_OUTER, on=(Customer.owner == User.id))
             .where(Customer.not_voided()))
    for name in ("kind", "status", "tier", "grade"):
        value = getattr(form, name).data
        if value:
            query = query.where(getattr(Customer, name) == value)
    if form.owner.data == "none":
        query = query.where(Customer.owner.is_null())
    elif record_id(form.owner.data) is not None:
        query = query.where(Customer.owner == record_id(form.owner.data))
    search = Query(form.q.data)
    if search:
        ids = [hit.id for hit in service.search_customers(search, 200)]
        query = query.where(Customer.id.in_(ids))
    return query.order_by(Customer.id.desc())


@bp.route("/")
def index():
    """Customers, searchable as you type, filterable, newest first (keyset pages)."""
    form = CustomerFilterForm(request.args)
    form.validate()
    rows, next_before = keyset_page(_filtered_customers(form), Customer)
    return render("archives/index.html", "archives/_rows.html", form=form, rows=rows,
                  next_before=next_before, args=page_args())


def _fill(customer, form):
    """Copy the form into the customer, in normal form (digits-only phones, upper-case plates)."""
    for name in ("kind", "name", "contact_person", "email", "building", "unit", "room",
                 "address", "company_nature", "status", "source", "tier", "grade", "notes"):
        setattr(customer, name, (getattr(form, name).data or "").strip())
    customer.phone = identity.normalize_phone(form.phone.data)
    customer.phone2 = identity.normalize_phone(form.phone2.data)
    customer.id_number = (form.id_number.data or "").strip().upper()
    customer.plate = identity.normalize_plate(form.plate.data)
    customer.contract_date = form.contract_date.data
    customer.handed_over_on = form.handed_over_on.data
    customer.owner = record_id(form.owner.data)


@bp.route("/new", methods=["GET", "POST"])
@once_per_form
def new():
    """Register a customer; a phone already on file must be confirmed as a duplicate (重卡)."""
    form = CustomerForm(sources=site_settings()["customer_sources"])
    turn = service.turn_to_file(record_id(form.turn.data or request.args.get("turn")),
                                current_user)
    if request.method == "GET":
        form.owner.data = str(current_user.id)
        form.phone.data = request.args.get("phone", "")
        form.name.data = request.args.get("name", "")
        if turn is not None:  # a prospect's card, filed from their first visit
            form.turn.data = str(turn.id)
            form.name.data = form.name.data or turn.visitor_name
            form.owner.data, form.status.data = str(turn.user_id), Status.POTENTIAL
            form.source.data = "来访" if "来访" in site_settings()["customer_sources"] else ""
            if request.args.get("kind") in KINDS:
                form.kind.data = request.args["kind"]
    duplicates = []
    if form.validate_on_submit():
        duplicates = service.find_duplicates(form.phone.data)
        if duplicates and not form.confirm_duplicate.data:
            form.phone.errors.append(_("此电话已登记：%(who)s。请核对，确认后勾选下方“仍然登记”。",
                                       who=_duplicate_text(duplicates)))
        else:
            customer = Customer()
            _fill(customer, form)
            if duplicates and duplicates[0].owner_id:
                # 以最早有效登记为准: the earliest registration keeps the customer's owner.
                customer.owner = duplicates[0].owner_id
            grading.set_provisional(customer, now().date())
            create_customer(customer, current_user)
            if turn is not None:
                service.file_first_visit(turn, customer, current_user)
            if duplicates:  # 重卡: recorded against the first registration, fined if late
                record_duplicate(duplicates[0], customer, current_user, site_settings(),
                                 now().date())
            flash(_("已建立客户档案：%(name)s", name=customer.name), "success")
            return redirect(url_for("archives.detail", id=customer.id))
    return show_form("archives/form.html", form, customer=None, duplicates=duplicates)


def _duplicate_text(duplicates):
    return "、".join(f"{c.name}（{c.owner.display_name if c.owner else _('无归属')}）"
                     for c in duplicates[:3])


@bp.route("/duplicates")
def duplicates():
    """As the phone is typed: who already has this number (重卡), for the warning beside the field."""
    rows = service.find_duplicates(request.args.get("phone", ""),
                                   exclude_id=record_id(request.args.get("exclude")))
    return render("archives/_duplicates.html", rows=rows)


@bp.route("/<int:id>")
def detail(id):
    """The customer card: masked contacts, emergency contacts and the timeline."""
    customer = _customer_or_404(id)
    kind = request.args.get("kind") or None
    contacts = list(customer.emergency_contacts.where(EmergencyContact.not_voided()))
    return render("archives/detail.html", customer=customer, contacts=contacts,
                  entries=timeline.entries(customer, kind=kind), kind=kind,
                  kinds=timeline.KINDS, contact_methods=CONTACT_METHODS)


@bp.route("/<int:id>/timeline", endpoint="timeline")
def timeline_view(id):
    """More of the timeline, or one kind of it (htmx partial)."""
    customer = _customer_or_404(id)
    kind = request.args.get("kind") or None
    entries = timeline.entries(customer, kind=kind, before_id=record_id(request.args.get("before")))
    return render("archives/timeline.html", "archives/_timeline.html", customer=customer,
                  entries=entries, kind=kind, kinds=timeline.KINDS)



@bp.route("/<int:id>/edit", methods=["GET", "POST"])
def edit(id):
    """Change a customer's card (audited)."""
    customer = _customer_or_404(id)
    form = CustomerForm(obj=customer, sources=site_settings()["customer_sources"])
    if request.method == "GET":
        form.owner.data = str(customer.owner_id) if customer.owner_id else ""
    keep_stored(form, customer)
    duplicates = []
    if form.validate_on_submit():
        duplicates = service.find_duplicates(form.phone.data, exclude_id=customer.id)
        changed_phone = identity.normalize_phone(form.phone.data) != customer.phone
        if duplicates and changed_phone and not form.confirm_duplicate.data:
            form.phone.errors.append(_("此电话已登记：%(who)s。请核对，确认后勾选下方“仍然登记”。",
                                       who=_duplicate_text(duplicates)))
        else:
            _fill(customer, form)
            service.update_customer(customer, current_user)
            flash(_("已保存"), "success")
            return redirect(url_for("archives.detail", id=customer.id))
    show_masked(form, customer)
    return show_form("archives/form.html", form, customer=customer, duplicates=duplicates)


@bp.route("/<int:id>/void", methods=["POST"])
def void(id):
    """Void a customer with a reason; a manager can restore it."""
    customer = _customer_or_404(id)
    return void_view(customer, "archives.index", "archives.detail",
                     _("已作废客户档案：%(name)s", name=customer.name))


@bp.route("/<int:id>/reveal", methods=["POST"])
def reveal(id):
    """Show one full number after a reason is given; the access log records it."""
    customer = _customer_or_404(id)
    form = RevealForm()
    if not may_reveal():
        abort(403)
    field = form.field.data if form.field.data in REVEALABLE else None
    record = customer
    if form.contact.data:
        record = EmergencyContact.get_or_none((EmergencyContact.id == record_id(
            form.contact.data)) & (EmergencyContact.customer == customer))
        if record is None or field != "phone":
            abort(404)
    if field is None:
        abort(400)
    if not form.validate_on_submit():
        return render("archives/_reveal.html", status=422, form=form, customer=customer,
                      record=record, field=field, value=None)
    value = getattr(record, field)
    audit.log_access(current_user, audit.REVEAL, obj=record, detail=field,
                     reason=form.reason.data.strip())
    return render("archives/_reveal.html", form=form, customer=customer, record=record,
                  field=field, value=value)


@bp.route("/<int:id>/contacts/new", methods=["GET", "POST"])
@once_per_form
def contact_new(id):
    """Add an emergency contact (客户紧急联络表)."""
    customer = _customer_or_404(id)
    form = ContactForm()
    if form.validate_on_submit():
        contact = EmergencyContact(customer=customer)
        _fill_contact(contact, form)
        audit.save(contact, current_user)
        flash(_("已添加紧急联络人"), "success")
        return redirect(url_for("archives.detail", id=id))
    return show_form("archives/contact_form.html", form, customer=customer, contact=None)


def _fill_contact(contact, form):
    for name in ("name", "relation", "workplace", "address", "notes"):
        setattr(contact, name, (getattr(form, name).data or "").strip())
    contact.phone = identity.normalize_phone(form.phone.data)
    contact.phone2 = identity.normalize_phone(form.phone2.data)


def _contact_or_404(id, contact_id):
    contact = EmergencyContact.get_or_none((EmergencyContact.id == contact_id) &
                                           (EmergencyContact.customer == id))
    if contact is None:
        abort(404)
    refuse_if_voided(contact.customer)
    refuse_if_voided(contact)
    return contact


@bp.route("/<int:id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
def contact_edit(id, contact_id):
    """Change an emergency contact."""
    contact = _contact_or_404(id, contact_id)
    form = ContactForm(obj=contact)
    keep_stored(form, contact)
    if form.validate_on_submit():
        _fill_contact(contact, form)
        audit.save(contact, current_user)
        flash(_("已保存"), "success")
        return redirect(url_for("archives.detail", id=id))
    show_masked(form, contact)
    return show_form("archives/contact_form.html", form, customer=contact.customer,
                     contact=contact)


@bp.route("/<int:id>/contacts/<int:contact_id>/void", methods=["POST"])
def contact_void(id, contact_id):
    """Void an emergency contact with a reason."""
    contact = _contact_or_404(id, contact_id)
    form = VoidForm()
    if form.validate_on_submit():
        audit.void(contact, current_user, form.reason.data)
        flash(_("已作废紧急联络人：%(name)s", name=contact.name), "success")
    else:
        flash(_("请填写作废原因。"), "error")
    return redirect(url_for("archives.detail", id=id))


@bp.route("/<int:id>/print")
def print_card(id):
    """客户档案登记表 as an A4 PDF (numbers masked)."""
    customer = _customer_or_404(id)
    contacts = list(customer.emergency_contacts.where(EmergencyContact.not_voided()))
    title = _("潜在客户档案") if customer.status == Status.POTENTIAL else _("客户档案登记表")
    docs = list(customer.documents.where(Document.not_voided())
                .order_by(Document.section, Document.id))
    return pdf_response("print/customer_card.html", f"{title}-{customer.name}.pdf",
                        record=customer, title=title, number=f"KH-{customer.id:06d}",
                        qr_url=external_url("archives.detail", id=id), customer=customer,
                        contacts=contacts, documents=docs,
                        evaluations=list(customer.evaluations.order_by(GradeEvaluation.id)))


@bp.route("/<int:id>/contacts/print")
def print_contacts(id):
    """客户紧急联络表 as an A4 PDF (numbers masked)."""
    customer = _customer_or_404(id)
    contacts = list(customer.emergency_contacts.where(EmergencyContact.not_voided()))
    return pdf_response("print/emergency_contacts.html", f"客户紧急联络表-{customer.name}.pdf",
                        record=customer, title=_("客户紧急联络表"),
                        number=f"KH-{customer.id:06d}",
                        qr_url=external_url("archives.detail", id=id), customer=customer,
                        contacts=contacts)


@bp.route("/<int:id>/blacklist", methods=["POST"])
def blacklist(id):
    """Put a customer on the blacklist (客户黑名单) with the reason and who decided."""
    customer = _customer_or_404(id)
    form = VoidForm()
    if not form.validate_on_submit():
        flash(_("请填写列入黑名单的原因。"), "error")
        return redirect(url_for("archives.detail", id=id))
    service.set_blacklist(customer, current_user, form.reason.data.strip())
    flash(_("已将 %(name)s 列入黑名单", name=customer.name), "success")
    return redirect(url_for("archives.detail", id=id))


@bp.route("/<int:id>/unblacklist", methods=["POST"])
def unblacklist(id):
    """Take a customer off the blacklist (the audit trail keeps the history)."""
    customer = _customer_or_404(id)
    if ButtonForm().validate_on_submit():
        service.set_blacklist(customer, current_user, None)
        flash(_("已将 %(name)s 移出黑名单", name=customer.name), "success")
    return redirect(url_for("archives.detail", id=id))


@bp.route("/export")
def export():
    """The customer list as filtered, as an Excel workbook."""
    form = CustomerFilterForm(request.args)
    form.validate()

    def row(c):
        return [c.name, str(c.kind_label), c.unit_label, mask_phone(c.phone), str(c.status_label),
                str(c.tier_label), c.grade, c.owner.display_name if c.owner else "", c.source,
                c.contract_date, c.created_at]
    headers = [_("名称/姓名"), _("类型"), _("房号/地址"), _("电话"), _("状态"), _("分级"), _("等级"),
               _("归属"), _("来源"), _("签约日期"), _("建档日期")]
    return excel_response("客户档案.xlsx", _("客户档案"), headers, _filtered_customers(form),
                          "Customer", row)
