"""Reception forms: visitor entry, rotation, referral, customer visit, follow-up, handover."""
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from blueprints import validators
from blueprints.core.forms import FilterForm
from blueprints.fields import DATETIME, Form, SelectField
from models.i18n import lazy_gettext as _l
from models.reception import CLASSES, ID_TYPES, METHODS, SHIFTS
from models.users import GM, MANAGER
from services.staff import staff_choices


class VisitForm(Form):
    name = StringField(_l("访客姓名"), validators=[DataRequired(message=_l("请输入访客姓名")),
                                                   Length(max=40)])
    phone = StringField(_l("电话"), validators=[Optional(), validators.phone])
    id_type = SelectField(_l("证件类型"), choices=[])
    id_number = StringField(_l("证件号码"), validators=[Optional(), Length(max=30),
                                                       validators.id_number])
    headcount = IntegerField(_l("人数"), default=1, validators=[
        InputRequired(message=_l("请输入人数")),
        NumberRange(min=1, max=200, message=_l("人数应在 1 到 200 之间"))])
    visitee = StringField(_l("被访单位/住户/人员"), validators=[Optional(), Length(max=80)])
    visitee_customer = HiddenField()
    visitee_staff = SelectField(_l("被访员工"), choices=[], validators=[Optional()])
    purpose = StringField(_l("来访事由"), validators=[DataRequired(message=_l("请填写来访事由")),
                                                     Length(max=200)])
    plate = StringField(_l("车牌（陌生车辆登记）"), validators=[Optional(), validators.plate])
    arrived_at = DateTimeLocalField(_l("到达时间"), format=DATETIME, validators=[validators.sane_date, validators.not_future, 
        DataRequired(message=_l("请填写到达时间"))])
    host = SelectField(_l("接待人"), choices=[], validators=[DataRequired()])
    reception_class = RadioField(_l("接待类别"), choices=[], default="C")
    venue = StringField(_l("接待场所"), validators=[Optional(), Length(max=40)])
    notes = StringField(_l("备注"), validators=[Optional(), Length(max=500)])
    customer = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.id_type.choices = [(k, str(v)) for k, v in ID_TYPES.items()]
        self.reception_class.choices = [(k, str(v)) for k, v in CLASSES.items()]
        self.host.choices = staff_choices()
        self.visitee_staff.choices = staff_choices(blank="—")


class VisitFilterForm(FilterForm):
    day = DateField(_l("日期"), validators=[validators.sane_date, Optional()])
    reception_class = SelectField(_l("类别"), choices=[], validators=[Optional()])
    host = SelectField(_l("接待人"), choices=[], validators=[Optional()])
    state = SelectField(_l("在场"), choices=[], validators=[Optional()])
    night = SelectField(_l("夜班"), choices=[], validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = str(_l("全部"))
        self.reception_class.choices = [("", everything)] + [(k, str(v)) for k, v in
                                                            CLASSES.items()]
        self.host.choices = [("", everything)] + staff_choices()
        self.state.choices = [("", everything), ("inside", str(_l("仍在场内"))),
                              ("left", str(_l("已离开")))]
        self.night.choices = [("", everything), ("1", str(_l("仅夜班登记")))]


class RotationAddForm(Form):
    user = SelectField(_l("员工"), choices=[], validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user.choices = staff_choices(roles=None)


class ReceiveForm(Form):
    """Who takes the next arrival: a new walk-in, a returning customer (by phone) or a referral."""

    visitor_name = StringField(_l("来客称呼"), validators=[Optional(), Length(max=40)])
    phone = StringField(_l("来客电话（老客户自动归属）"), validators=[Optional(), validators.phone])
    referral = SelectField(_l("转介绍预约"), choices=[], validators=[Optional()])


class ReferralForm(Form):
    name = StringField(_l("客户称呼"), validators=[DataRequired(message=_l("请输入客户称呼")),
                                                   Length(max=40)])
    phone = StringField(_l("电话"), validators=[Optional(), validators.phone])
    expected_on = DateField(_l("预计到访日期"), validators=[validators.sane_date, DataRequired(message=_l("请选择日期"))])
    note = StringField(_l("备注"), validators=[Optional(), Length(max=200)])


class CustomerVisitForm(Form):
    """The appointment (拜访预约)."""

    customer = HiddenField(validators=[DataRequired(message=_l("请选择客户"))])
    staff = SelectField(_l("拜访人"), choices=[], validators=[DataRequired()])
    planned_at = DateTimeLocalField(_l("预约时间"), format=DATETIME, validators=[validators.sane_date, 
        DataRequired(message=_l("请填写预约时间"))])
    place = StringField(_l("地点"), validators=[Optional(), Length(max=100)])
    purpose = StringField(_l("拜访目的"), validators=[DataRequired(message=_l("请填写拜访目的")),
                                                     Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff.choices = staff_choices()


class VisitRecordForm(Form):
    """会谈内容记录: what the customer said and what was explained."""

    visited_at = DateTimeLocalField(_l("拜访时间"), format=DATETIME, validators=[validators.sane_date, validators.not_future, 
        DataRequired(message=_l("请填写拜访时间"))])
    participants = StringField(_l("参加人员"), validators=[Optional(), Length(max=200)])
    opinions = TextAreaField(_l("客户意见"), validators=[Optional(), Length(max=4000)])
    suggestions = TextAreaField(_l("客户建议"), validators=[Optional(), Length(max=4000)])
    requests = TextAreaField(_l("客户要求"), validators=[Optional(), Length(max=4000)])
    explanation = TextAreaField(_l("解释与答复"), validators=[Optional(), Length(max=4000)])
    unresolved = TextAreaField(_l("未能当场答复的要求（将转为回访事项）"),
                               validators=[Optional(), Length(max=2000)])
    escalate_to = SelectField(_l("转交经理"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.escalate_to.choices = staff_choices(blank="—", roles=[MANAGER, GM])

    def validate_escalate_to(self, field):
        if (self.unresolved.data or "").strip() and not field.data:
            raise ValidationError(_l("有未答复的要求时，请选择转交的经理"))


class FollowUpForm(Form):
    customer = HiddenField()
    subject = StringField(_l("回访事项"), validators=[DataRequired(message=_l("请填写回访事项")),
                                                     Length(max=200)])
    planned_on = DateField(_l("计划日期"), validators=[validators.sane_date, DataRequired(message=_l("请选择日期"))])
    method = SelectField(_l("方式"), choices=[])
    assigned_to = SelectField(_l("负责人"), choices=[], validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = [(k, str(v)) for k, v in METHODS.items()]
        self.assigned_to.choices = staff_choices()


class FollowUpRecordForm(Form):
    method = SelectField(_l("方式"), choices=[])
    outcome = TextAreaField(_l("回访结果"), validators=[DataRequired(message=_l("请填写回访结果")),
                                                       Length(max=4000)])
    satisfaction = RadioField(_l("满意度"), choices=[], validators=[
        DataRequired(message=_l("请选择满意度"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = [(k, str(v)) for k, v in METHODS.items()]
        self.satisfaction.choices = [("5", str(_l("5 非常满意"))), ("4", str(_l("4 满意"))),
                                     ("3", str(_l("3 一般"))), ("2", str(_l("2 不满意"))),
                                     ("1", str(_l("1 非常不满意")))]


class FollowUpReportForm(Form):
    report = TextAreaField(_l("回访报告"), validators=[DataRequired(message=_l("请填写回访报告")),
                                                      Length(max=4000)])


class HandoverForm(Form):
    shift = RadioField(_l("班次"), choices=[], default="day")
    items = TextAreaField(_l("待处理事项（每行一项）"), validators=[Length(max=4000)])
    prospects = TextAreaField(_l("待联系的潜在客户（每行一位）"), validators=[Optional(),
                                                                         Length(max=4000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.shift.choices = [(k, str(v)) for k, v in SHIFTS.items()]

    ITEM_MAX = 200  # one line, one item: a handover is read at a glance

    def validate_items(self, field):
        if not (field.data or "").strip() and not (self.prospects.data or "").strip():
            raise ValidationError(_l("请至少填写一项交接内容"))
        self._short_lines(field)

    def validate_prospects(self, field):
        self._short_lines(field)

    def _short_lines(self, field):
        if any(len(line.strip()) > self.ITEM_MAX for line in (field.data or "").splitlines()):
            raise ValidationError(_l("每行一项，每项不超过 %(n)s 字", n=self.ITEM_MAX))


class ConfirmRequestForm(Form):
    """The desk confirms a visitor's own entry after seeing their ID (seed 002)."""
    reception_class = RadioField(_l("接待类别"), choices=[], default="C")
    host = SelectField(_l("接待人"), choices=[], validators=[DataRequired()])
    id_type = SelectField(_l("已核验的证件"), choices=[])
    id_number = StringField(_l("证件号码（可不填）"), validators=[
        Optional(), Length(max=30), validators.id_number])
    release_reason = StringField(_l("黑名单放行理由"), validators=[Optional(), Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reception_class.choices = [(k, str(v)) for k, v in CLASSES.items()]
        self.host.choices = staff_choices()
        self.id_type.choices = [(k, str(v)) for k, v in ID_TYPES.items()]


class RefuseRequestForm(Form):
    reason = StringField(_l("未通过原因"), validators=[
        DataRequired(message=_l("请填写未通过的原因")), Length(max=200)])


class InvitationForm(Form):
    visit_on = DateField(_l("来访日期"), validators=[
        DataRequired(message=_l("请选择来访日期")), validators.sane_date])
    visitor_name = StringField(_l("访客姓名（可不填）"), validators=[Optional(), Length(max=40)])
    visitee = StringField(_l("被访住户/单位"), validators=[Optional(), Length(max=80)])
    visitee_customer = HiddenField()
    visitee_staff = SelectField(_l("被访员工"), choices=[], validators=[Optional()])
    purpose = StringField(_l("来访事由"), validators=[Optional(), Length(max=200)])
    headcount = IntegerField(_l("人数"), default=1, validators=[
        InputRequired(message=_l("请输入人数")),
        NumberRange(min=1, max=50, message=_l("人数应在 1 到 50 之间"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.visitee_staff.choices = staff_choices(blank="—")


class ScanForm(Form):
    code = StringField(_l("通行证二维码或访客单号"), validators=[
        DataRequired(message=_l("请扫描通行证或输入访客单号")), Length(max=100)])
