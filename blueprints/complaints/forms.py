"""Complaint forms: intake, the workflow steps, progress, outcomes, returns."""

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    FormField,
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
from models.complaints import CAUSE_KINDS, CHANNELS, NOTICE_KINDS, REGIONS, SEVERITIES, STATES
from models.i18n import lazy_gettext as _l
from models.reception import METHODS
from services.staff import staff_choices


def _choices(mapping):
    return [(k, str(v)) for k, v in mapping.items()]


class ComplaintForm(Form):
    """受理: everything the first receiver records."""

    received_at = DateTimeLocalField(_l("受理时间"), format=DATETIME, validators=[validators.sane_date, validators.not_future, 
        DataRequired(message=_l("请填写受理时间"))])
    channel = RadioField(_l("渠道"), choices=[], default="phone")
    complainant = StringField(_l("投诉人"), validators=[DataRequired(message=_l("请输入投诉人")),
                                                      Length(max=40)])
    phone = StringField(_l("联系电话"), validators=[Optional(), validators.phone])
    plate = StringField(_l("车牌号"), validators=[Optional(), validators.plate])
    customer = HiddenField()
    create_customer = BooleanField(_l("同时为投诉人建立客户档案"))
    category = SelectField(_l("投诉类别"), choices=[], validators=[
        DataRequired(message=_l("请选择投诉类别"))])
    severity = RadioField(_l("严重程度"), choices=[], default="general")
    region = RadioField(_l("地区"), choices=[], default="in_province")
    cause_kind = RadioField(_l("异常原因"), choices=[], default="")
    content = TextAreaField(_l("投诉内容"), validators=[
        DataRequired(message=_l("请填写投诉内容")), Length(max=4000)])
    demand = TextAreaField(_l("客户要求"), validators=[Optional(), Length(max=2000)])
    order_no = StringField(_l("订单号"), validators=[Optional(), Length(max=40)])
    item = StringField(_l("品名/料号"), validators=[Optional(), Length(max=80)])
    quantity = IntegerField(_l("数量"), validators=[Optional(), NumberRange(
        min=0, max=10_000_000, message=_l("数量应在 0 到 10000000 之间"))])
    ship_date = DateField(_l("交运日期"), validators=[validators.sane_date, validators.not_future, Optional()])
    defective_qty = IntegerField(_l("不良数量"), validators=[Optional(), NumberRange(
        min=0, max=10_000_000, message=_l("数量应在 0 到 10000000 之间"))])
    check_heard = BooleanField(_l("听清楚"))
    check_asked = BooleanField(_l("问清楚"))
    check_followed = BooleanField(_l("跟清楚"))
    check_replied = BooleanField(_l("答清楚"))
    check_recorded = BooleanField(_l("记清楚"))
    check_reported = BooleanField(_l("报告（重大投诉）"))

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.channel.choices = _choices(CHANNELS)
        self.severity.choices = _choices(SEVERITIES)
        self.region.choices = _choices(REGIONS)
        self.cause_kind.choices = [("", str(_l("待判定")))] + _choices(CAUSE_KINDS)
        self.category.choices = [("", "—")] + [(c, c) for c in categories]

    def validate_check_reported(self, field):
        """五清楚一报告: a major complaint is reported up at once (seed 002)."""
        if self.severity.data == "major" and not field.data:
            raise ValidationError(_l("重大投诉须立即报告，请勾选“报告”"))

    def validate_defective_qty(self, field):
        if field.data and self.quantity.data is not None and field.data > self.quantity.data:
            raise ValidationError(_l("不良数量不能大于数量"))


class StepForm(Form):
    """The fields any workflow step may record; the rules say which each step needs."""

    nature = StringField(_l("性质"), validators=[Optional(), Length(max=100)])
    cause_kind = SelectField(_l("异常原因"), choices=[], validators=[Optional()])
    responsible_dept = SelectField(_l("责任部门"), choices=[], validators=[Optional()])
    responsible_person = StringField(_l("责任人"), validators=[Optional(), Length(max=40)])
    invalid_reason = TextAreaField(_l("不成立原因"), validators=[Optional(), Length(max=2000)])
    cause = TextAreaField(_l("原因"), validators=[Optional(), Length(max=4000)])
    responsible_party = StringField(_l("责任方"), validators=[Optional(), Length(max=100)])
    solution = TextAreaField(_l("处理方案"), validators=[Optional(), Length(max=4000)])
    claim_amount = DecimalField(_l("涉及金额（元）"), places=2, validators=[
        Optional(), NumberRange(0, 9999999999, message=_l("金额超出范围"))],
        description=_l("折让、赔偿或退货的金额，决定由谁核决；没有则填 0"))
    approval_comment = TextAreaField(_l("审批意见"), validators=[Optional(), Length(max=2000)])
    reply_method = SelectField(_l("答复方式"), choices=[], validators=[Optional()])
    reply_note = TextAreaField(_l("答复内容"), validators=[Optional(), Length(max=2000)])
    satisfaction = SelectField(_l("满意度"), choices=[], validators=[Optional()])
    summary = TextAreaField(_l("结案总结"), validators=[Optional(), Length(max=4000)])
    corrective_action = TextAreaField(_l("纠正措施"), validators=[Optional(), Length(max=4000)])

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.responsible_dept.choices = [("", "—")] + [(d, d) for d in departments]
        self.cause_kind.choices = [("", "—")] + _choices(CAUSE_KINDS)
        self.reply_method.choices = [("", "—")] + _choices(METHODS)
        self.satisfaction.choices = [("", "—")] + [(str(n), str(n)) for n in range(5, 0, -1)]


class HandOverForm(Form):
    owner = SelectField(_l("移交给"), choices=[], validators=[DataRequired()])
    note = StringField(_l("说明"), validators=[Optional(), Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner.choices = staff_choices()


class ProgressForm(Form):
    method = SelectField(_l("方式"), choices=[])
    note = StringField(_l("告知内容"), validators=[DataRequired(message=_l("请填写告知内容")),
                                                   Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = _choices(METHODS)


class OnsiteForm(Form):
    at = DateTimeLocalField(_l("现场处理时间"), format=DATETIME, validators=[validators.sane_date, validators.not_future, 
        DataRequired(message=_l("请填写时间"))])
    note = StringField(_l("处理情况"), validators=[Optional(), Length(max=500)])


class OpinionForm(Form):
    opinion = TextAreaField(_l("综合看法"), validators=[
        DataRequired(message=_l("请填写综合看法")), Length(max=4000)])


class MeetingForm(Form):
    meeting_at = DateTimeLocalField(_l("紧急会议时间"), format=DATETIME, validators=[validators.sane_date, validators.not_future, 
        DataRequired(message=_l("请填写时间"))])
    meeting_notes = TextAreaField(_l("会议记录"), validators=[
        DataRequired(message=_l("请填写会议记录")), Length(max=4000)])
    agreed_solution = TextAreaField(_l("议定解决方案"), validators=[
        DataRequired(message=_l("请填写议定的解决方案")), Length(max=4000)])


class OutcomeForm(Form):
    allowance = DecimalField(_l("折让/赔款金额（元）"), places=2, validators=[
        Optional(), NumberRange(min=0, max=100_000_000, message=_l("金额应在 0 到 1 亿元之间"))])
    return_qty = IntegerField(_l("退货数量"), validators=[Optional(), NumberRange(
        min=0, max=10_000_000, message=_l("数量应在 0 到 10000000 之间"))])
    rework_qty = IntegerField(_l("重处理数量"), validators=[Optional(), NumberRange(
        min=0, max=10_000_000, message=_l("数量应在 0 到 10000000 之间"))])


class ShareLine(Form):
    class Meta:
        csrf = False

    department = SelectField(_l("部门"), choices=[], validators=[Optional()])
    percent = IntegerField(_l("比例（%）"), validators=[Optional(), NumberRange(
        min=0, max=100, message=_l("比例应在 0 到 100 之间"))])


class SharesForm(Form):
    lines = FieldList(FormField(ShareLine), min_entries=4, max_entries=8)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        for line in self.lines:
            line.department.choices = [("", "—")] + [(d, d) for d in departments]


class NoticeForm(Form):
    kind = RadioField(_l("类别"), choices=[], default="penalty")
    target = StringField(_l("对象（部门或个人）"), validators=[
        DataRequired(message=_l("请填写对象")), Length(max=60)])
    amount = DecimalField(_l("金额（元）"), places=2, validators=[
        DataRequired(message=_l("请填写金额")),
        NumberRange(min=0, max=1_000_000, message=_l("金额应在 0 到 100 万元之间"))])
    reason = TextAreaField(_l("事由"), validators=[DataRequired(message=_l("请填写事由")),
                                                  Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _choices(NOTICE_KINDS)


class ComplaintFilterForm(FilterForm):
    q = StringField(_l("搜索"))
    view = SelectField(_l("范围"), choices=[], validators=[Optional()])
    state = SelectField(_l("状态"), choices=[], validators=[Optional()])
    category = SelectField(_l("类别"), choices=[], validators=[Optional()])
    severity = SelectField(_l("严重程度"), choices=[], validators=[Optional()])
    owner = SelectField(_l("负责人"), choices=[], validators=[Optional()])

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = str(_l("全部"))
        self.view.choices = [("open", str(_l("处理中"))), ("overdue", str(_l("已逾期"))),
                             ("soon", str(_l("即将到期"))), ("mine", str(_l("我负责的"))),
                             ("all", str(_l("全部")))]
        self.state.choices = [("", everything)] + _choices(STATES)
        self.category.choices = [("", everything)] + [(c, c) for c in categories]
        self.severity.choices = [("", everything)] + _choices(SEVERITIES)
        self.owner.choices = [("", everything)] + staff_choices()


class ReturnLineForm(Form):
    class Meta:
        csrf = False

    item = StringField(_l("品名"), validators=[Optional(), Length(max=80)])
    quantity = IntegerField(_l("数量"), validators=[Optional(), NumberRange(
        min=1, max=1_000_000, message=_l("数量应在 1 到 1000000 之间"))])
    unit_price = DecimalField(_l("单价（元）"), places=2, validators=[Optional(), NumberRange(
        min=0, max=10_000_000, message=_l("单价不能为负"))])


class ReturnForm(Form):
    customer_name = StringField(_l("客户"), validators=[DataRequired(message=_l("请填写客户")),
                                                      Length(max=80)])
    complaint = HiddenField()
    purchase_date = DateField(_l("购买日期"), validators=[validators.sane_date, validators.not_future, DataRequired(message=_l("请填写购买日期"))])
    reason = TextAreaField(_l("退换货原因"), validators=[
        DataRequired(message=_l("请填写退换货原因")), Length(max=2000)])
    quality = BooleanField(_l("属质量问题（运费由公司承担）"))
    batch = BooleanField(_l("批量质量异议（5 日内上门认定）"))
    area_manager = StringField(_l("初步鉴定并签字的办事处/区域经理"), validators=[
        DataRequired(message=_l("须经办事处经理或区域经理初步鉴定并签字确认")), Length(max=40)])
    lines = FieldList(FormField(ReturnLineForm), min_entries=4, max_entries=20)


class ReturnStepForm(Form):
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=2000)])
