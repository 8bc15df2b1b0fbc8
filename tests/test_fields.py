"""The shared select renders exactly what WTForms' own does, only faster."""
import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    Form,
    HiddenField,
    IntegerField,
    PasswordField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms import SelectField as WTFormsSelectField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import NumberInput

from blueprints.fields import Form as BaseForm
from blueprints.fields import SelectField

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


class Required(Form):
    pick = SelectField("选择", choices=[], validators=[InputRequired()])


class RequiredTheirs(Form):
    pick = WTFormsSelectField("选择", choices=[], validators=[InputRequired()])


def test_required_and_grouped_selects_render_as_wtforms_does():
    ours, theirs = Required(), RequiredTheirs()
    ours.pick.choices = theirs.pick.choices = CHOICES
    assert ours.pick() == theirs.pick() and " required" in ours.pick()
    groups = {"甲组": [("1", "一")], "乙组": [("2", "二")]}
    ours, theirs = forms(groups, {"pick": "2"})
    assert ours.pick() == theirs.pick() and "<optgroup" in ours.pick()


class Everything(BaseForm):
    name = StringField("姓名", validators=[InputRequired(), Length(max=20)])
    phone = TelField("电话", validators=[Optional(), Length(min=7, max=20)])
    note = TextAreaField("备注", validators=[Optional()])
    count = IntegerField("人数", validators=[NumberRange(min=1, max=99)])
    amount = DecimalField("金额", widget=NumberInput(step="0.01", min=0))
    at = DateTimeLocalField("时间", format="%Y-%m-%dT%H:%M")
    day = DateField("日期", validators=[Optional()])
    hidden = HiddenField()
    agree = BooleanField("同意")
    secret = PasswordField("密码")
    go = SubmitField("提交")


ATTRIBUTES = [{}, {"class_": "wide", "aria_invalid": "true", "data_hx_get": "/x?a=1&b=2"},
              {"value": 'a"b<c>&d\'e', "readonly": True, "maxlength": False, "for_": "f"},
              {"value": Markup('already "safe" <b>'), "title": 0, "hx-post": "/c/1/progress"}]


@pytest.mark.parametrize("data", [{}, {"name": 'O"Brien <x>', "phone": "138", "count": "0",
                                       "amount": "1.5", "at": "2026-11-23T09:30",
                                       "day": "2026-13-01", "hidden": "<h>", "agree": "y"}])
def test_every_field_renders_as_its_wtforms_widget_does(app, data):
    """The base form's plain inputs write what the widgets WTForms gives them write."""
    with app.test_request_context():
        form = Everything(MultiDict(data), meta={"csrf": False})
        form.validate()
        for field in form:
            for options in ATTRIBUTES:
                assert field(**options) == field.widget(field, **options), (field.name, options)
        assert 'value="O&#34;Brien &lt;x&gt;"' in form.name() or not data
        assert "required" in form.name() and 'maxlength="20"' in form.name()
