"""The register engine: a Register declaration gives a model its list, entry form, detail page,
void and restore, audit, timeline, Excel export and A4 prints. It knows no register in
particular; each one's rules come in as the functions its declaration names.

Forms are built from the model's fields by wtf-peewee (labels from verbose_name, hints from
help_text, required and lengths from the column), with the conversions below for this app's
dates, customers, staff and amounts.
"""
import datetime
import decimal

from flask import url_for
from peewee import (
    BlobField,
    BooleanField,
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    TextField,
)
from wtforms import fields as wtf
from wtforms import widgets
from wtforms.validators import Length, NumberRange, Optional, StopValidation
from wtfpeewee.orm import FieldInfo, ModelConverter, model_form

from blueprints import validators
from blueprints.core.forms import FilterForm
from blueprints.fields import DATETIME, Form, SelectField
from blueprints.fields import DecimalField as FormDecimal
from blueprints.helpers import MAX_ID, record_id
from models import Customer, User, db
from models.i18n import lazy_gettext as _l
from models.keys import pinyin_keys
from models.masking import mask
from models.registers import RegisterEntry
from services import audit, serials, timeline

# Columns every register has that no form shows (the engine and the audit keep them).
KEPT = {"id", "voided", "voided_at", "voided_by", "void_reason", "created_at", "updated_at",
        "entered_by", "keywords"}
TEXT_MAX = 2000
NUMBER_CHECKS = {"phone": validators.phone, "id": validators.id_number}


class RuleError(ValueError):
    """A register's rule refused an entry: `field` is where the message shows (None: above)."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field, self.message = field, message


class RecordField(wtf.Field):
    """A link to a customer, chosen in the form's picker (registers/_customer_field.html),
    which sends its id; the data is the record (or None)."""

    widget = widgets.TextInput()  # (never rendered: the picker is)

    def __init__(self, label=None, validators=None, model=Customer, **kwargs):
        kwargs.pop("default", None)
        super().__init__(label, validators, **kwargs)
        self.model, self.sent = model, False

    def _value(self):
        return str(self.data.id) if self.data is not None else ""

    def process_formdata(self, valuelist):
        ident = record_id(valuelist[0]) if valuelist else None
        self.data = self.model.get_or_none(self.model.id == ident) if ident else None
        self.sent = bool(valuelist and valuelist[0])

    def pre_validate(self, form):
        if self.sent and self.data is None:
            raise StopValidation(_l("所选客户不存在，请重新选择"))
        if self.data is None and self.flags.required:
            raise StopValidation(_l("请选择客户"))
        if self.data is not None and getattr(self.data, "voided", False):
            raise StopValidation(_l("该客户档案已作废"))


class StaffField(SelectField):
    """A member of staff, chosen from the active ones (choices set per request)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.pop("default", None)
        super().__init__(label, validators, choices=[], **kwargs)

    def process_data(self, value):
        self.data = str(value.id if isinstance(value, User) else value) if value else ""

    def populate_obj(self, obj, name):
        setattr(obj, name, int(self.data) if self.data else None)


def _amount(model, field, **kwargs):
    top = decimal.Decimal(10) ** (field.max_digits - field.decimal_places)
    kwargs["validators"].append(NumberRange(min=0, max=top - 1,
                                            message=_l("金额超出范围")))
    kwargs.update(places=field.decimal_places)
    kwargs.pop("rounding", None)
    return FieldInfo(field.name, FormDecimal(**kwargs))


def _count(model, field, **kwargs):
    kwargs["validators"].append(NumberRange(min=0, max=MAX_ID, message=_l("数量超出范围")))
    return FieldInfo(field.name, wtf.IntegerField(**kwargs))


def _date(model, field, **kwargs):
    kwargs["validators"].append(validators.sane_date)
    return FieldInfo(field.name, wtf.DateField(**kwargs))


def _moment(model, field, **kwargs):
    kwargs["validators"].append(validators.sane_date)
    return FieldInfo(field.name, wtf.DateTimeLocalField(format=DATETIME, **kwargs))


def _text(model, field, **kwargs):
    kwargs["validators"].append(Length(max=TEXT_MAX))
    return FieldInfo(field.name, wtf.TextAreaField(**kwargs))


def _link(model, field, **kwargs):
    if field.rel_model is User:
        return FieldInfo(field.name, StaffField(**kwargs))
    return FieldInfo(field.name, RecordField(model=field.rel_model, **kwargs))


CONVERTER = ModelConverter(additional={
    ForeignKeyField: _link, DecimalField: _amount, IntegerField: _count,
    DateTimeField: _moment, DateField: _date, TextField: _text})


def numbered(field, kind):
    """An on_save that gives an entry left without a number the next PREFIX-YYYYMM-NNNN."""
    def number(entry, user):
        if not getattr(entry, field):
            setattr(entry, field, serials.next_serial(kind))
    return number


class Action:
    """Something done to an entry after it is written (a key comes back, a reading is signed):
    the model fields it asks for, what it does (`apply(entry, user)`, may raise RuleError), and
    when it is offered (`when(entry)`). `signature` names a field the customer signs into."""

    def __init__(self, name, label, apply, when, fields=(), signature=None, done=None):
        self.name, self.label, self.apply, self.when = name, label, apply, when
        self.fields, self.signature, self.done = fields, signature, done or label


class Register:
    """One register: its model and what the model cannot say about it.

    number and title: the paper form's (qms-pm-31306, 停车证发放登记表);
    columns: the fields a list and the printed sheet show (the export shows them all);
    search: the text fields the search box finds (with their pinyin); filters: fields chosen
    from a list; date: the field the period filter and the sheet go by; parent: the foreign
    key to the register this one hangs under; check(entry): the rules, raising RuleError;
    on_save(entry, user): what writing the entry also does (same transaction, first);
    standing(entry): a word on where the entry stands (expired, out…); facts(entry): more
    [(label, text)] its page and form show (a meter's usage), a third item (endpoint, values)
    making the text a link on the page; entry_template: the single entry's print, when
    the paper form is not label and value pairs (a letter); totals(entries): [(label, text)]
    summing up the entries listed or printed (the tally's conversion rate); filled_later: fields
    an action or a rule fills, not the entry form; actions: Action objects; signs: the
    signature boxes under the printed form; copies: the departments its copies (联) go to, one
    printed page each."""

    def __init__(self, model, slug, number, title, columns=(), search=(), filters=(), date=None,
                 parent=None, check=None, on_save=None, actions=(), signs=(), landscape=True,
                 standing=None, facts=None, filled_later=(), group=_l("物业登记表"),
                 entry_template="print/register_entry.html", totals=None, copies=()):
        self.model, self.slug, self.number, self.title = model, slug, number, title
        self.columns, self.search, self.filters = columns, search, filters
        self.columns_under = tuple(c for c in columns if c != parent)  # on the parent's page
        self.date, self.parent, self.check, self.on_save = date, parent, check, on_save
        self.actions = {a.name: a for a in actions}
        self.signs, self.landscape, self.standing = signs, landscape, standing
        self.group, self.facts, self.entry_template = group, facts, entry_template
        self.totals, self.copies = totals, copies or (None,)
        self.permission = f"registers:{slug}"
        fields = model._meta.fields
        self.masked = dict(model.masked_fields)
        # (a masked number is checked as its kind: a phone, or an ID or passport number)
        args = {name: {"validators": [NUMBER_CHECKS[kind]]} for name, kind in self.masked.items()}
        hidden = KEPT | {parent} | set(filled_later) | {n for a in actions for n in a.fields} | {
            n for n, f in fields.items() if isinstance(f, BlobField)}
        self.entry_fields = [n for n in fields if n not in hidden]
        self.form_class = model_form(model, base_class=Form, only=self.entry_fields,
                                     field_args=args, converter=CONVERTER)
        self.action_forms = {
            a.name: model_form(model, base_class=Form, only=a.fields, field_args=args,
                               converter=CONVERTER) if a.fields else Form
            for a in actions}
        self.filter_class = _filter_class(self)
        self.customers = [n for n in self.entry_fields if _links_to(fields[n], Customer)]
        self.staff = [n for n in self.entry_fields if _links_to(fields[n], User)]
        shown = self.all_columns()
        self.links = {model: [n for n in shown if _links_to(fields[n], model)]
                      for model in (Customer, User)}
        self.signature = next((n for n in shown if isinstance(fields[n], BlobField)), None)

    # --- what a page shows of an entry

    def field(self, name):
        return self.model._meta.fields[name]

    def label(self, name):
        return str(self.field(name).verbose_name)

    def all_columns(self):
        """Every field a person reads, in the model's order (the export and the detail page)."""
        return [n for n in self.model._meta.fields if n not in KEPT and n != self.parent]

    def text(self, entry, name):
        """A field's value as a page, a sheet or a workbook shows it (numbers masked)."""
        field, value = self.field(name), getattr(entry, name)
        if value is None or value == "":
            return ""
        if field.choices:
            return str(dict(field.choices).get(value, value))
        if isinstance(field, ForeignKeyField):
            if isinstance(value, Customer):
                return " ".join(filter(None, [value.name, value.unit_label]))
            return getattr(value, "display_name", None) or value.label()
        if isinstance(field, BlobField):
            return str(_l("已签"))
        if isinstance(field, BooleanField):
            return str(_l("是")) if value else str(_l("否"))
        if name in self.masked:
            return mask(self.masked[name], value)
        if isinstance(value, datetime.datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        if isinstance(field, DecimalField):
            return f"{value:.{field.decimal_places}f}"
        return str(value)

    def link(self, entry, name):
        """Where a field's value leads: a customer to their archive."""
        value = getattr(entry, name)
        if isinstance(value, Customer):
            return url_for("archives.detail", id=value.id)
        if isinstance(value, RegisterEntry):
            parent = REGISTERS_BY_MODEL.get(type(value))
            return url_for("registers.detail", slug=parent.slug, id=value.id) if parent else None
        return None

    def heading(self, entry):
        """What names the entry on its page (its title field's text)."""
        return self.text(entry, self.model.title_field)

    def row(self, entry, names):
        """[(name, text, link)] of `names` for one entry."""
        return [(n, self.text(entry, n), self.link(entry, n)) for n in names]

    def state(self, entry):
        """A short word on the entry's standing (expired, out, signed…), if the register has one."""
        return self.standing(entry) if self.standing else None

    # --- writing

    def write(self, entry, user, new):
        """Check an entry by the register's rules and save it with its audit (and, when new,
        on its customers' timelines), all or nothing. A refusal raises RuleError."""
        with db.atomic():
            if self.check:
                self.check(entry)
            if new and self.on_save:
                self.on_save(entry, user)
            entry.keywords = self.keywords(entry)
            audit.save(entry, user)
            if new:
                for name in self.customers:
                    timeline.add(getattr(entry, name), self.slug,
                                 f"{self.title}：{self.heading(entry)}", ref_id=entry.id,
                                 user=user)
        return entry

    def act(self, entry, name, user):
        """Do an action to an entry (its fields already set on it) and save it with its audit,
        all or nothing. A refusal raises RuleError."""
        with db.atomic():
            self.actions[name].apply(entry, user)
            entry.keywords = self.keywords(entry)
            audit.save(entry, user)
        return entry

    def keywords(self, entry):
        """The searched fields' text, lower case, with each one's pinyin and initials."""
        words = []
        for name in self.search:
            value = getattr(entry, name)
            text = value.name if isinstance(value, Customer) else str(value or "")
            if text:
                full, initials = pinyin_keys(text)
                words += [text.lower(), full, initials]
        return " ".join(dict.fromkeys(w for w in words if w))[:2000]


def _filter_class(register):
    """The list's filters: search, the register's choice and staff fields, and a period (the
    choices are set per request)."""
    class Filters(FilterForm):
        q = wtf.StringField(_l("搜索"), validators=[Optional(), Length(max=80)])
        start = wtf.DateField(_l("开始日期"), validators=[validators.sane_date, Optional()])
        end = wtf.DateField(_l("结束日期"), validators=[validators.sane_date, Optional()])
    for name in register.filters:
        setattr(Filters, name, SelectField(register.field(name).verbose_name, choices=[],
                                           validators=[Optional()]))
    return Filters


def _links_to(field, model):
    return isinstance(field, ForeignKeyField) and field.rel_model is model


REGISTERS = {}  # slug -> Register, in the order declared
REGISTERS_BY_MODEL = {}


def declare(*registers):
    """Make registers known to the pages (blueprints/registers/declarations.py calls this)."""
    for register in registers:
        if len(register.slug) > 20:  # it is the timeline's kind too
            raise ValueError(f"register slug {register.slug!r} is longer than 20")
        REGISTERS[register.slug] = register
        REGISTERS_BY_MODEL[register.model] = register
    return registers


def children(register):
    """The registers that hang under this one (their parent key points at its model)."""
    return [r for r in REGISTERS.values()
            if r.parent and r.field(r.parent).rel_model is register.model]
