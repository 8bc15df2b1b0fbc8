"""The shared select and html_params render exactly what WTForms' own do, only faster."""
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Form,
    IntegerField,
    PasswordField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms import SelectField as WTFormsSelectField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import core as widgets_core

from blueprints.fields import WTFORMS_HTML_PARAMS, SelectField, html_params

CHOICES = [("", "全部"), ("a<b", '张"三" & <李四>'), ("7", "七"), (True, "是")]


class Ours(Form):
    pick = SelectField("选择", choices=[])


class Theirs(Form):
    pick = WTFormsSelectField("选择", choices=[])


def forms(choices, data=None):
    """Both forms with the same choices, set after they are made (as our views do)."""
    ours, theirs = Ours(MultiDict(data or {})), Theirs(MultiDict(data or {}))
    ours.pick.choices = theirs.pick.choices = choices
    return ours, theirs


def test_select_renders_as_wtforms_does():
    for data in ({}, {"pick": "a<b"}, {"pick": "7"}, {"pick": "True"}):
        ours, theirs = forms(CHOICES, data)
        assert ours.pick() == theirs.pick()
        assert ours.pick(class_="wide") == theirs.pick(class_="wide")
    html = forms(CHOICES, {"pick": "a<b"})[0].pick()
    assert '<option selected value="a&lt;b">张&#34;三&#34; &amp; &lt;李四&gt;</option>' in html


def test_options_with_attributes_render_through_wtforms():
    ours, theirs = forms([("1", "一", {"disabled": True}), ("2", "二", {})])
    assert ours.pick() == theirs.pick()
    assert '<option disabled value="1">一</option>' in ours.pick()


ATTRIBUTES = [
    {},
    {"name": "q", "id": "q", "value": 'a"b<c>&d\'e', "class_": "wide"},
    {"required": True, "readonly": False, "maxlength": 20, "data_hx_get": "/x?a=1&b=2"},
    {"aria_describedby": "f-errors", "aria_invalid": "true", "for_": "f", "placeholder": "张三"},
    {"value": Markup('already "safe" <b>'), "title": 0, "step": 0.01, "min": -1},
    {"hx-post": "/complaints/1/progress", "type": "datetime-local", "autocomplete": "off"},
]


def test_html_params_writes_what_wtforms_does():
    for attributes in ATTRIBUTES:
        assert html_params(**attributes) == WTFORMS_HTML_PARAMS(**attributes), attributes


class Everything(Form):
    name = StringField("姓名", validators=[InputRequired(), Length(max=20)])
    note = TextAreaField("备注", validators=[Optional()])
    count = IntegerField("人数", validators=[NumberRange(min=1, max=99)])
    at = DateTimeLocalField("时间", format="%Y-%m-%dT%H:%M")
    agree = BooleanField("同意")
    secret = PasswordField("密码")
    kind = WTFormsSelectField("类别", choices=[])
    go = SubmitField("提交")


def test_every_widget_renders_as_with_wtforms_own_html_params(monkeypatch):
    """The faster html_params is what every widget and label now uses, and nothing changes."""
    data = MultiDict({"name": 'O"Brien <x>', "note": "多行\n文字 & 符号", "count": "0",
                      "at": "2026-11-23T09:30", "agree": "y", "kind": "b"})
    form = Everything(data)
    form.kind.choices = [("a", "甲"), ("b", '乙"')]
    form.validate()
    options = {"class_": "wide", "aria_invalid": "true", "data_x": 'a"b'}

    def rendered():
        return [(str(field(**options)), str(field.label(for_=field.id))) for field in form]

    ours = rendered()
    assert widgets_core.html_params is html_params
    for place in (widgets_core, widgets):
        monkeypatch.setattr(place, "html_params", WTFORMS_HTML_PARAMS)
    for widget in (widgets_core.Input, widgets_core.Button):
        monkeypatch.setattr(widget, "html_params", staticmethod(WTFORMS_HTML_PARAMS))
    assert ours == rendered()
    assert 'value="O&#34;Brien &lt;x&gt;"' in ours[0][0] and "required" in ours[0][0]
