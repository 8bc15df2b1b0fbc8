"""The base form and the fields shared by every module's forms."""
import decimal

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import DecimalField as WTFormsDecimalField
from wtforms import SelectField as WTFormsSelectField
from wtforms import widgets

from services import i18n

DATETIME = "%Y-%m-%dT%H:%M"  # what a datetime-local input sends

# Inputs whose WTForms widget only adds its type, id, value and flags: rendered by
# `plain_input` with the same HTML. The others (password, checkbox, radio, file, submit,
# dates with limits) render through WTForms.
PLAIN_INPUTS = (widgets.TextInput, widgets.HiddenInput, widgets.TelInput, widgets.EmailInput,
                widgets.SearchInput, widgets.URLInput, widgets.NumberInput, widgets.DateInput,
                widgets.DateTimeLocalInput, widgets.TimeInput, widgets.MonthInput)
DATE_INPUTS = (widgets.DateInput, widgets.DateTimeLocalInput, widgets.TimeInput,
               widgets.MonthInput)


def attributes(**values):
    """HTML attributes as WTForms' html_params writes them (sorted, `True` bare, `False` left
    out, escaped), one f-string each where WTForms formats a Markup template per attribute."""
    params = []
    for key, value in sorted(values.items()):
        if value is False:
            continue
        key = key.rstrip("_")
        if key.startswith(("data_", "aria_")):
            key = key.replace("_", "-")
        key = escape(key)
        params.append(key if value is True else
                      f'{key}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))


def plain_input(widget, field, **kwargs):
    """What WTForms' Input widget renders, through `attributes`."""
    if isinstance(widget, widgets.NumberInput):
        for name in ("step", "min", "max"):
            if getattr(widget, name) is not None:
                kwargs.setdefault(name, getattr(widget, name))
    kwargs.setdefault("id", field.id)
    kwargs.setdefault("type", widget.input_type)
    if "value" not in kwargs:
        kwargs["value"] = field._value()  # WTForms' documented hook for an input's value
    for name in widget.validation_attrs:
        value = getattr(field.flags, name)
        if value is not None and name not in kwargs:
            kwargs[name] = value() if callable(value) else value
    return Markup(f"<input {attributes(name=field.name, **kwargs)}>")


def renders_plainly(widget, field):
    if type(widget) not in PLAIN_INPUTS:
        return False
    return not isinstance(widget, DATE_INPUTS) or (field.flags.min is None
                                                   and field.flags.max is None)


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            # WTForms' own messages, read from disk once per language (Flask-WTF reads them
            # once per request).
            return i18n.wtforms_catalogue()

        def render_field(self, field, render_kw):
            """WTForms' documented hook for rendering a field: plain inputs through
            `plain_input`, the rest through their widgets."""
            if field.type == "CSRFTokenField":
                # One per form, several forms a page: an id would repeat, and nothing needs it.
                render_kw = {"id": False, **render_kw}
            if renders_plainly(field.widget, field):
                return plain_input(field.widget, field, **{**(field.render_kw or {}), **render_kw})
            return super().render_field(field, render_kw)


class Select(widgets.Select):
    """WTForms' select, each plain option written by one f-string (every list's filter bar has
    a few dozen). The same HTML (tests/test_fields.py); grouped choices and options with extra
    attributes render through WTForms."""

    def __call__(self, field, **kwargs):
        choices = None if field.has_groups() else list(field.iter_choices())
        if choices is None or any(choice.render_kw for choice in choices):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        for flag in self.validation_attrs:
            if flag not in kwargs and getattr(field.flags, flag, False):
                kwargs[flag] = getattr(field.flags, flag)
        html = [f"<select {widgets.html_params(name=field.name, **kwargs)}>"]
        for value, label, selected, _ in choices:
            value = str(value) if isinstance(value, bool) else value
            html.append(f'<option {"selected " if selected else ""}value="{escape(value)}">'
                        f"{escape(label or value)}</option>")
        html.append("</select>")
        return Markup("".join(html))


class SelectField(WTFormsSelectField):
    widget = Select()


class DecimalField(WTFormsDecimalField):
    """WTForms' decimal, refusing what is not a finite number: "NaN" and "Infinity" parse as
    decimals, and a signalling NaN breaks NumberRange's comparison."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, decimal.Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))
