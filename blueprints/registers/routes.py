"""The pages every register has: the index, its list, entry, detail, edit, void, actions, the
reveal of a masked number, the Excel export and the two prints."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import DateTimeField, IntegrityError

from blueprints.archives.forms import RevealForm
from blueprints.archives.service import search_customers
from blueprints.helpers import (
    FIRST_DAY,
    LAST_DAY,
    excel_response,
    get_or_404,
    keyset_page,
    may_reveal,
    once_per_form,
    page_args,
    pdf_response,
    record_or_none,
    render,
    sheet_response,
    show_form,
    void_view,
    within_calendar,
)
from blueprints.numbers import keep_stored, show_masked
from models import Customer, clock
from models.base import literal
from services import audit, permissions, signatures
from services.search import Query
from services.staff import staff_choices

from . import bp
from .engine import REGISTERS, RuleError, children

SHEET_MOST = 3000  # rows a printed register may have; more is a period to narrow


def _register(slug):
    """The register of this slug, if the signed-in role may use it."""
    register = REGISTERS.get(slug)
    if register is None:
        abort(404)
    if not permissions.allowed(current_user.role, register.permission):
        abort(403)
    return register


def _entry(register, id):
    return get_or_404(register.model, id)


def _attach(register, rows):
    """Read the customers and staff a page of rows names in one query each."""
    for model, names in register.links.items():
        fields = [register.field(n) for n in names]
        ids = {getattr(r, f.object_id_name) for r in rows for f in fields} - {None}
        found = {o.id: o for o in model.select().where(model.id.in_(list(ids)))} if ids else {}
        for row in rows:
            for field in fields:
                ident = getattr(row, field.object_id_name)
                if ident in found:
                    setattr(row, field.name, found[ident])
    return rows


def _filter_form(register):
    """The list's filters as the query string sets them (Register.filter_class)."""
    form = register.filter_class(request.args)
    for name in register.filters:
        field = register.field(name)
        form[name].choices = ([("", _("全部"))] + [(k, str(v)) for k, v in field.choices]
                              if field.choices else staff_choices(blank=_("全部")))
    form.validate()
    return form


def _filtered(register, form):
    """The register's live entries as the filters ask: one query for the list, the export
    and the printed sheet."""
    model = register.model
    query = model.select().where(model.not_voided())
    if form.q.data and not form.q.errors:
        query = query.where(model.keywords.contains(form.q.data.strip().lower()))
    for name in register.filters:
        value = form[name].data
        if value and not form[name].errors:
            query = query.where(register.field(name) == value)
    parent = request.args.get("parent")
    if register.parent and parent:
        query = query.where(register.field(register.parent) == record_or_none(
            register.field(register.parent).rel_model, parent))
    start = form.start.data if not form.start.errors else None
    end = form.end.data if not form.end.errors else None
    if register.date and (start or end):
        column = register.field(register.date)
        start, end = within_calendar(start or FIRST_DAY), within_calendar(end or LAST_DAY)
        if isinstance(column, DateTimeField):
            since, until = clock.day_bounds(start, end)
            query = query.where((column >= since) & (column < until))
        else:
            query = query.where((column >= start) & (column <= end))
    return query


@bp.route("/")
def index():
    """Every register the signed-in role may use, by group, with its live entries."""
    groups = {}
    for register in REGISTERS.values():
        if permissions.allowed(current_user.role, register.permission) and not register.parent:
            groups.setdefault(str(register.group), []).append(
                (register, register.model.select().where(register.model.not_voided()).count()))
    return render("registers/index.html", groups=groups)


@bp.route("/<slug>/")
def entries(slug):
    """One register's entries, newest first, as filtered (htmx: the rows only)."""
    register = _register(slug)
    form = _filter_form(register)
    query = _filtered(register, form)
    order = register.field(register.date) if register.date else None
    rows, next_before = keyset_page(query, register.model, order=order)
    _attach(register, rows)
    totals = register.totals(list(query.limit(literal(SHEET_MOST)))) if register.totals else []
    return render("registers/list.html", "registers/_rows.html", register=register, form=form,
                  rows=[(r, register.row(r, register.columns), register.state(r)) for r in rows],
                  next_before=next_before, args=page_args(), totals=totals)


def _prefill(register, form):
    """A new entry's form: today's defaults, the customer named in ?customer=, and the signed-in
    person in its staff fields."""
    for name in register.customers:
        customer = record_or_none(Customer, request.args.get(name))
        if customer is not None and not customer.voided:
            form[name].data = customer
    for name in register.staff:
        if name in form:
            form[name].data = str(current_user.id)


def _staff_choices(register, form):
    for name in register.staff:
        if name in form:
            required = not register.field(name).null
            form[name].choices = staff_choices(blank=None if required else _("（不填）"))


def _write(register, entry, form, new):
    """Write the entry (Register.write); a rule's refusal goes beside its field. True when
    written."""
    try:
        register.write(entry, current_user, new)
        return True
    except RuleError as refused:
        _refused(form, refused.field, refused.message)
    except IntegrityError:
        form.form_errors.append(_("保存失败，请检查填写内容"))
    return False


def _refused(form, field, message):
    if field in form:
        form[field].errors = [*form[field].errors, message]
    else:
        form.form_errors.append(message)


@bp.route("/<slug>/new", methods=["GET", "POST"])
@once_per_form
def new(slug):
    """A new entry (under its parent entry for a register that hangs under another)."""
    register = _register(slug)
    parent = None
    if register.parent:
        parent = record_or_none(register.field(register.parent).rel_model,
                                request.args.get("parent"))
        if parent is None or parent.voided:
            abort(404)
    form = register.form_class()
    _staff_choices(register, form)
    if request.method == "GET":
        _prefill(register, form)
    if form.validate_on_submit():
        entry = register.model(entered_by=current_user.id)
        form.populate_obj(entry)
        if parent is not None:
            setattr(entry, register.parent, parent)
        if _write(register, entry, form, new=True):
            flash(_("已登记：%(name)s", name=entry.label()), "success")
            return redirect(url_for("registers.detail", slug=slug, id=entry.id))
    return show_form("registers/form.html", form, register=register, parent=parent, entry=None,
                     picks=_picks(register, form))


def _picks(register, form):
    """For each customer field sent without a choice but with words: the customers they find
    (the picker without scripts)."""
    picks = {}
    for name in register.customers:
        words = request.form.get(f"{name}_q", "")
        if form[name].data is None and words:
            picks[name] = (words, search_customers(Query(words), 8))
    return picks


@bp.route("/<slug>/<int:id>")
def detail(slug, id):
    """One entry: every field, its standing, what hangs under it, and what may be done next."""
    register = _register(slug)
    entry = _entry(register, id)
    _attach(register, [entry])
    names = register.all_columns()
    under = [(child, list(child.model.select().where(
        child.model.not_voided(), child.field(child.parent) == entry)
        .order_by(child.model.id.desc()).limit(literal(50)))) for child in children(register)]
    under = [(child, [(r, child.row(r, child.columns_under), child.state(r)) for r in rows])
             for child, rows in under]
    actions = [(a, register.action_forms[a.name]()) for a in register.actions.values()
               if not entry.voided and a.when(entry)]
    return render("registers/detail.html", register=register, entry=entry,
                  facts=register.row(entry, names), state=register.state(entry),
                  extra=register.facts(entry) if register.facts else [], under=under,
                  actions=actions, signature=_signature_of(register, entry))


def _signature_of(register, entry):
    raw = getattr(entry, register.signature) if register.signature else None
    return signatures.data_uri(raw) if raw else None


@bp.route("/<slug>/<int:id>/edit", methods=["GET", "POST"])
def edit(slug, id):
    """Correct an entry; the audit keeps what it was."""
    register = _register(slug)
    entry = _entry(register, id)
    form = register.form_class(obj=entry)
    _staff_choices(register, form)
    if request.method == "POST":
        keep_stored(form, entry)
    if form.validate_on_submit():
        form.populate_obj(entry)
        if _write(register, entry, form, new=False):
            flash(_("已保存"), "success")
            return redirect(url_for("registers.detail", slug=slug, id=id))
    else:
        show_masked(form, entry)
    return show_form("registers/form.html", form, register=register, parent=None, entry=entry,
                     picks=_picks(register, form))


@bp.route("/<slug>/<int:id>/void", methods=["POST"])
def void(slug, id):
    """Void an entry with a reason (a manager can restore it)."""
    register = _register(slug)
    entry = _entry(register, id)
    return void_view(entry, "registers.entries", "registers.detail", _("已作废"), slug=slug)


@bp.route("/<slug>/<int:id>/do/<name>", methods=["POST"])
def act(slug, id, name):
    """An action on an entry: what it asks for, checked by its rule, saved with the audit."""
    register = _register(slug)
    entry = _entry(register, id)
    action = register.actions.get(name)
    if action is None:
        abort(404)
    if not action.when(entry):
        flash(_("该登记当前不能执行此操作"), "error")
        return redirect(url_for("registers.detail", slug=slug, id=id))
    form = register.action_forms[name]()
    if form.validate_on_submit():
        try:
            if action.signature:
                setattr(entry, action.signature,
                        signatures.decode(request.form.get(action.signature, "")))
            form.populate_obj(entry)
            register.act(entry, name, current_user)
            flash(str(action.done), "success")
            return redirect(url_for("registers.detail", slug=slug, id=id))
        except RuleError as refused:
            _refused(form, refused.field, refused.message)
        except signatures.SignatureError as refused:
            _refused(form, None, str(refused))
    entry = _entry(register, id)  # as stored: the refused values were not saved
    return render("registers/action.html", status=422, register=register, entry=entry,
                  action=action, form=form)


@bp.route("/<slug>/<int:id>/reveal", methods=["POST"])
def reveal(slug, id):
    """One masked number in full, after a reason; the access log records it."""
    register = _register(slug)
    entry = _entry(register, id)
    form = RevealForm()
    field = form.field.data if form.field.data in register.masked else None
    if not may_reveal():
        abort(403)
    if field is None:
        abort(400)
    if not form.validate_on_submit():
        return render("registers/_reveal.html", status=422, register=register, entry=entry,
                      field=field, form=form, value=None)
    audit.log_access(current_user, audit.REVEAL, obj=entry, detail=field,
                     reason=form.reason.data.strip())
    return render("registers/_reveal.html", register=register, entry=entry, field=field,
                  form=form, value=getattr(entry, field))


@bp.route("/<slug>/export")
def export(slug):
    """The register as filtered, every column, as an Excel workbook (numbers masked)."""
    register = _register(slug)
    form = _filter_form(register)
    names = register.all_columns()
    order = register.field(register.date) if register.date else register.model.id

    def row(entry):
        return [text for _name, text, _link in register.row(entry, names)]
    return excel_response(f"{register.title}.xlsx", str(register.title),
                          [register.label(n) for n in names],
                          _filtered(register, form).order_by(order, register.model.id),
                          register.model.__name__, row)


@bp.route("/<slug>/print")
def sheet(slug):
    """The register as filtered (this month when no period is given), printed like the paper
    register: a fixed number of rows a page, headed on each."""
    register = _register(slug)
    form = _filter_form(register)
    if register.date and not (form.start.data or form.end.data):
        today = clock.today()
        form.start.data, form.end.data = today.replace(day=1), today
    query = _filtered(register, form)
    order = register.field(register.date) if register.date else register.model.id
    if query.count() > SHEET_MOST:
        flash(_("超过 %(n)s 条，请缩短打印的日期范围", n=SHEET_MOST), "error")
        return redirect(url_for("registers.entries", slug=slug, **request.args))
    rows = _attach(register, list(query.order_by(order, register.model.id)))
    period = (f"{form.start.data} — {form.end.data}" if register.date else "")
    return sheet_response("print/register.html", f"{register.title}.pdf",
                          [[str(index)] + [text for _n, text, _l in register.row(
                              r, register.columns)] for index, r in enumerate(rows, 1)],
                          title=str(register.title), number=register.number,
                          landscape=register.landscape, period=period,
                          headers=[_("序号")] + [register.label(n) for n in register.columns],
                          signs=register.signs,
                          totals=register.totals(rows) if register.totals else [])


@bp.route("/<slug>/<int:id>/print")
def print_entry(slug, id):
    """One entry as its paper form, with the signature boxes the form has."""
    register = _register(slug)
    entry = _entry(register, id)
    _attach(register, [entry])
    return pdf_response(register.entry_template, f"{register.title}-{entry.id}.pdf",
                        record=entry, title=str(register.title), number=register.number,
                        facts=[(register.label(n), text) for n, text, _l in
                               register.row(entry, register.all_columns())
                               if n != register.signature],
                        extra=[fact[:2] for fact in register.facts(entry)] if register.facts
                        else [], state=register.state(entry), signs=register.signs,
                        signature=_signature_of(register, entry), entry=entry,
                        copies=register.copies)


@bp.route("/pick")
def pick():
    """Customers for a register's customer field, as choices inside the form (htmx)."""
    name = request.args.get("field", "")[:40]
    if not name.isidentifier():
        abort(400)
    words = request.args.get(f"{name}_q", "")
    return render("registers/_pick.html", name=name, words=words,
                  hits=search_customers(Query(words), 8) if words.strip() else [],
                  chosen=None)
