"""Filters for the logs and the small forms behind POST buttons."""

from wtforms import DateField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from blueprints import validators
from blueprints.fields import Form, SelectField
from models.i18n import lazy_gettext as _l


class ButtonForm(Form):
    """An empty form that only carries the CSRF token for a POST button."""


class ReasonForm(Form):
    """Why a full number or a confidential file is opened, for the access log (查阅程序)."""

    reason = StringField(_l("查阅原因"), validators=[DataRequired(message=_l("请填写查阅原因")),
                                                    Length(max=200)])


class FilterForm(Form):
    """A list's filters, sent by GET (no CSRF). Ids are prefixed so a filter never shares an id
    with a field of the edit form the next page shows (htmx carries state between same ids)."""

    class Meta:
        csrf = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            field.id = field.label.field_id = f"filter-{field.name}"


class LogFilterForm(FilterForm):
    """Filters shared by the audit log and the access log."""

    action = SelectField(_l("操作"), choices=[], validators=[Optional()])
    user = SelectField(_l("人员"), choices=[], validators=[Optional()])
    model = SelectField(_l("记录类型"), choices=[], validators=[Optional()])
    start = DateField(_l("开始日期"), validators=[validators.sane_date, Optional()])
    end = DateField(_l("结束日期"), validators=[validators.sane_date, Optional()])


class NotifyChoicesForm(Form):
    """我的通知方式: the e-mail address, and per kind of notice the channels beside the app."""

    email = StringField(_l("电子邮件地址"), validators=[
        Optional(), Length(max=120),
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("请填写电子邮件地址"))])

    @classmethod
    def for_kinds(cls, kinds, channel_names):
        """The form with one group of check boxes per kind of notice."""
        class Choices(cls):
            pass
        for kind, label in kinds.items():
            setattr(Choices, f"kind_{kind}", SelectMultipleField(
                label, choices=[SelectChoice(c, n) for c, n in channel_names.items()],
                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                validators=[Optional()]))
        return Choices
