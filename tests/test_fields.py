"""The shared select renders exactly what WTForms' own select does, only faster."""
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms import SelectField as WTFormsSelectField

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
