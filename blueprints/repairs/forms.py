"""Repair forms: the request, dispatch, items, materials, sign-off."""

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from blueprints import validators
from blueprints.core.forms import FilterForm
from blueprints.fields import DATETIME, DecimalField, Form, SelectField
from models import ServiceItem
from models.i18n import lazy_gettext as _l
from models.repairs import AREAS, CHANNELS, CHECKS, STATES
from models.users import ENGINEER
from services.staff import staff_choices

from . import service


def item_choices(blank):
    items = ServiceItem.select().where(ServiceItem.active == True).order_by(  # noqa: E712
        ServiceItem.name)
    return [("", blank)] + [(str(i.id), f"{i.name}（¥{i.fee}）") for i in items]


class RepairRequestForm(Form):
    received_at = DateTimeLocalField(_l("报修时间"), format=DATETIME, validators=[validators.sane_date, validators.not_future, 
        DataRequired(message=_l("请填写报修时间"))])
    customer = HiddenField()
    contact_name = StringField(_l("联系人"), validators=[Optional(), Length(max=40)])
    contact_phone = StringField(_l("联系电话"), validators=[
        DataRequired(message=_l("请填写联系电话")), validators.phone])
    location = StringField(_l("维修地点（楼栋-单元-房号或公共部位）"), validators=[
        DataRequired(message=_l("请填写维修地点")), Length(max=100)])
    area = RadioField(_l("区域"), choices=[], default="unit")
    item = SelectField(_l("服务项目"), choices=[], validators=[Optional()])
    content = TextAreaField(_l("报修内容"), validators=[
        DataRequired(message=_l("请填写报修内容")), Length(max=2000)])
    preferred_at = DateTimeLocalField(_l("预约上门时间"), format=DATETIME, validators=[validators.sane_date, Optional()])
    channel = RadioField(_l("报修方式"), choices=[], default="phone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.area.choices = [(k, str(v)) for k, v in AREAS.items()]
        self.channel.choices = [(k, str(v)) for k, v in CHANNELS.items()]
        self.item.choices = item_choices(str(_l("不在服务项目表内（需主管评审）")))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.area.data == "public" and not self.preferred_at.data:
            self.preferred_at.errors.append(_l("公共区域报修须填写预约时间（工程人员须在此前到场）"))
            return False
        return valid


class StepForm(Form):
    engineer = SelectField(_l("派给"), choices=[], validators=[Optional()])
    reason = TextAreaField(_l("说明/答复"), validators=[Optional(), Length(max=2000)])
    signature = HiddenField()
    on_paper = BooleanField(_l("客户已在纸质工单上签字"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.engineer.choices = [("", str(_l("工程部待接单队列")))] + staff_choices(
            roles=[ENGINEER])


class ItemForm(Form):
    service_item = SelectField(_l("服务项目"), choices=[], validators=[Optional()])
    description = StringField(_l("项目名称（表外项目）"), validators=[Optional(), Length(max=100)])
    unit_fee = DecimalField(_l("收费（元）"), places=2, validators=[Optional(), NumberRange(
        min=0, max=100000, message=_l("收费应在 0 到 10 万元之间"))])
    quantity = IntegerField(_l("数量"), default=1, validators=[
        DataRequired(message=_l("请填写数量")),
        NumberRange(min=1, max=1000, message=_l("数量应在 1 到 1000 之间"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.service_item.choices = item_choices(str(_l("表外项目（已评审）")))


class MaterialForm(Form):
    name = StringField(_l("材料"), validators=[DataRequired(message=_l("请填写材料名称")),
                                               Length(max=60)])
    quantity = DecimalField(_l("数量"), places=2, default=1, validators=[
        DataRequired(message=_l("请填写数量")),
        NumberRange(min=0.01, max=100000, message=_l("数量应大于 0"))])
    unit = StringField(_l("单位"), validators=[Optional(), Length(max=10)])
    supplied_by_customer = BooleanField(_l("客户自备"))
    # No Optional() here: it would end the field's checks when the verdict is empty, before
    # validate_check could refuse a customer-supplied material without one.
    check = SelectField(_l("自备材料检验"), choices=[])
    note = StringField(_l("备注（不合格须写明原因）"), validators=[Optional(), Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.check.choices = [("", "—")] + [(k, str(v)) for k, v in CHECKS.items()]

    def validate_check(self, field):
        problem = service.material_problem(self.supplied_by_customer.data, field.data,
                                           self.note.data)
        if problem is not None:
            raise ValidationError(problem)


class OrderFilterForm(FilterForm):
    view = SelectField(_l("范围"), choices=[], validators=[Optional()])
    state = SelectField(_l("状态"), choices=[], validators=[Optional()])
    day = DateField(_l("报修日期"), validators=[validators.sane_date, Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.view.choices = [("open", str(_l("未完成"))), ("mine", str(_l("我的工单"))),
                             ("queue", str(_l("待接单队列"))), ("review", str(_l("待评审"))),
                             ("overdue", str(_l("超时"))), ("all", str(_l("全部")))]
        self.state.choices = [("", str(_l("全部")))] + [(k, str(v)) for k, v in STATES.items()]
