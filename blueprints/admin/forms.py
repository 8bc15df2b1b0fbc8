"""User and settings forms."""
from decimal import Decimal

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)
from wtforms.widgets import CheckboxInput, ListWidget

from blueprints import validators
from blueprints.fields import DecimalField, Form, SelectField
from models import User, clock
from models.archives import SECTIONS
from models.customers import SERVED_TIERS
from models.i18n import lazy_gettext as _l
from models.users import ROLES
from services.settings import parse_hhmm

HHMM = Regexp(r"^\d{1,2}:\d{2}$", message=_l("请按 时:分 填写，例如 20:00"))


class UserForm(Form):
    username = StringField(_l("用户名"), validators=[
        DataRequired(message=_l("请输入用户名")), Length(max=40),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("只能用字母、数字、下划线、点和短横线"))])
    display_name = StringField(_l("姓名"), validators=[DataRequired(message=_l("请输入姓名")),
                                                       Length(max=40)])
    role = SelectField(_l("角色"), choices=[])
    department = StringField(_l("部门"), validators=[Optional(), Length(max=40)])
    phone = StringField(_l("电话"), validators=[Optional(), Length(max=20)])
    password = PasswordField(_l("初始密码"), validators=[Optional()])

    def __init__(self, *args, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.role.choices = [(k, str(v)) for k, v in ROLES.items()]

    def validate_username(self, field):
        existing = User.get_or_none(User.username == field.data.strip())
        if existing and (self.editing is None or existing.id != self.editing.id):
            raise ValidationError(_l("用户名已被使用"))

    def validate_password(self, field):
        if self.editing is None:
            validators.strong_password(lambda form: form.username.data)(self, field)


class HolidayForm(Form):
    """One day of the State Council's yearly schedule: a day off or a make-up working day."""

    day = DateField(_l("日期"), validators=[InputRequired(message=_l("请选择日期")),
                                            validators.sane_date])
    workday = RadioField(_l("类别"), choices=[], default="0")
    name = StringField(_l("节日"), validators=[DataRequired(message=_l("请填写节日名称")),
                                               Length(max=40)])
    source = StringField(_l("依据（通知文号或网址）"), validators=[
        DataRequired(message=_l("请填写依据，例如国务院办公厅通知的文号")), Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.workday.choices = [("0", str(_l("放假"))), ("1", str(_l("调休上班")))]


class ResetPasswordForm(Form):
    """A new password for `user`, under the password policy."""

    password = PasswordField(_l("新密码"), validators=[
        DataRequired(message=_l("请输入新密码")), Length(max=200),
        validators.strong_password(lambda form: form.user.username)])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SettingsForm(Form):
    site_name = StringField(_l("站点名称（打印抬头）"), validators=[
        DataRequired(message=_l("请输入站点名称")), Length(max=60)])
    site_address = StringField(_l("地址"), validators=[Optional(), Length(max=120)])
    site_phone = StringField(_l("电话"), validators=[Optional(), Length(max=40)])
    business_hours = StringField(_l("营业时间"), validators=[Optional(), Length(max=40)])
    site_timezone = StringField(_l("时区"), validators=[DataRequired(message=_l("请填写时区"))])
    site_url = StringField(_l("平板访问地址"), validators=[Optional(), Length(max=200), URL(
        require_tld=False, message=_l("请填写完整地址，如 http://192.168.1.20:5000"))])
    night_start = StringField(_l("夜班开始"), validators=[DataRequired(), HHMM])
    night_end = StringField(_l("夜班结束"), validators=[DataRequired(), HHMM])
    venue_a = StringField(_l("A 类（贵宾）接待场所"), validators=[DataRequired(), Length(max=20)])
    venue_b = StringField(_l("B 类（业务）接待场所"), validators=[DataRequired(), Length(max=20)])
    venue_c = StringField(_l("C 类（普通）接待场所"), validators=[DataRequired(), Length(max=20)])
    complaint_categories = TextAreaField(_l("投诉类别（每行一个）"), validators=[DataRequired()])
    departments = TextAreaField(_l("部门（每行一个）"), validators=[DataRequired()])
    customer_sources = TextAreaField(_l("客户来源（每行一个）"), validators=[Optional()])
    logo = FileField(_l("标志（PNG 或 JPEG，不超过 1 MB）"))
    # Customer archives
    contact_strategic = IntegerField(_l("战略客户联系间隔（天）"), validators=[
        InputRequired(message=_l("请填写天数")), NumberRange(1, 365, message=_l("1 到 365 天"))])
    contact_key = IntegerField(_l("重点客户联系间隔（天）"), validators=[
        InputRequired(message=_l("请填写天数")), NumberRange(1, 365, message=_l("1 到 365 天"))])
    contact_general = IntegerField(_l("一般客户联系间隔（天）"), validators=[
        InputRequired(message=_l("请填写天数")), NumberRange(1, 365, message=_l("1 到 365 天"))])
    evaluation_window = StringField(_l("年度评级期（月-日:月-日）"), validators=[DataRequired(
        message=_l("请填写评级期")), Regexp(r"^\d{2}-\d{2}:\d{2}-\d{2}$",
                                          message=_l("请按 03-25:03-30 的格式填写"))])
    confidential_sections = SelectMultipleField(
        _l("保密的档案分类"), choices=[], widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput())
    confidential_roles = SelectMultipleField(
        _l("可查阅保密分类的角色"), choices=[], widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput())
    visitor_id_retention_months = IntegerField(_l("访客证件号码保存月数（到期自动遮蔽）"), validators=[
        InputRequired(message=_l("请填写月数")), NumberRange(1, 60, message=_l("1 到 60 个月"))])
    pass_printer = StringField(_l("访客通行证小票打印机（IP:端口，留空则打印 PDF）"),
                               validators=[Optional(), Length(max=80)])
    return_over_ratio = DecimalField(_l("成品退货超量允收比率（%，客户未注明时）"), places=2, validators=[
        InputRequired(message=_l("请填写比率")), NumberRange(0, 100, message=_l("0 到 100"))])
    visit_quota_strategic = IntegerField(_l("战略合作客户每年现场回访次数"), validators=[
        InputRequired(message=_l("请填写次数")), NumberRange(0, 12, message=_l("0 到 12 次"))])
    visit_quota_key = IntegerField(_l("重点客户每年现场回访次数"), validators=[
        InputRequired(message=_l("请填写次数")), NumberRange(0, 12, message=_l("0 到 12 次"))])
    visit_quota_general = IntegerField(_l("一般客户每年现场回访次数（0 为有选择回访）"), validators=[
        InputRequired(message=_l("请填写次数")), NumberRange(0, 12, message=_l("0 到 12 次"))])
    upload_max_mb = IntegerField(_l("档案文件大小上限（MB）"), validators=[
        InputRequired(message=_l("请填写大小")), NumberRange(1, 10, message=_l("1 到 10 MB"))])
    complaint_escalate_hours = IntegerField(_l("投诉逾期多少小时后催办同时报总经理"), validators=[
        InputRequired(message=_l("请填写小时数")),
        NumberRange(0, 720, message=_l("0 到 720 小时"))])
    # 核决权限: up to which amount (yuan) the manager, then the 副总经理, decides a complaint
    approve_manager_limit = DecimalField(_l("投诉核决：部门经理核决至（元）"), places=2, validators=[
        InputRequired(message=_l("请填写金额")),
        NumberRange(0, 100000000, message=_l("金额须在 0 到 1 亿元之间"))])
    approve_deputy_limit = DecimalField(_l("投诉核决：副总经理核决至（元，以上由总经理核决）"),
                                        places=2, validators=[
        InputRequired(message=_l("请填写金额")),
        NumberRange(0, 100000000, message=_l("金额须在 0 到 1 亿元之间"))])
    complaint_deputy = StringField(_l("副总经理（用户名；留空由总经理核决）"), validators=[
        Optional(), Length(max=40)])
    # VIP
    vip_single_purchase = DecimalField(_l("入会条件：单次实付满（元）"), places=2, validators=[
        InputRequired(message=_l("请填写金额")),
        NumberRange(1, 1000000, message=_l("金额须在 1 到 100 万元之间"))])
    vip_cumulative = DecimalField(_l("入会条件：累计实付满（元）"), places=2, validators=[
        InputRequired(message=_l("请填写金额")),
        NumberRange(1, 1000000, message=_l("金额须在 1 到 100 万元之间"))])
    vip_cumulative_months = IntegerField(_l("累计期限（月）"), validators=[
        InputRequired(message=_l("请填写月数")), NumberRange(1, 36, message=_l("1 到 36 个月"))])
    vip_rate_member = DecimalField(_l("会员折扣率（0.90 即 9 折）"), places=2, validators=[
        InputRequired(message=_l("请填写折扣率")), NumberRange(
            Decimal("0.10"), Decimal("1.00"), message=_l("折扣率须在 0.10 到 1.00 之间"))])
    vip_rate_loyal = DecimalField(_l("积分满额折扣率"), places=2, validators=[
        InputRequired(message=_l("请填写折扣率")), NumberRange(
            Decimal("0.10"), Decimal("1.00"), message=_l("折扣率须在 0.10 到 1.00 之间"))])
    vip_rate_birthday = DecimalField(_l("生日折扣率（凭身份证）"), places=2, validators=[
        InputRequired(message=_l("请填写折扣率")), NumberRange(
            Decimal("0.10"), Decimal("1.00"), message=_l("折扣率须在 0.10 到 1.00 之间"))])
    vip_loyal_points = IntegerField(_l("累计积分满多少分享积分满额折扣"), validators=[
        InputRequired(message=_l("请填写积分")), NumberRange(1, 100000, message=_l("1 到 100000 分"))])
    vip_referral_bonus = IntegerField(_l("推荐入会奖励积分"), validators=[
        InputRequired(message=_l("请填写积分")), NumberRange(0, 10000, message=_l("0 到 10000 分"))])
    vip_birthday_text = TextAreaField(_l("生日祝福短信"), validators=[
        DataRequired(message=_l("请填写祝福内容")), Length(max=200)])
    vip_holiday_text = TextAreaField(_l("节日祝福短信（节日前一天）"), validators=[
        Optional(), Length(max=200)])
    sms_gateway_url = StringField(_l("短信网关地址"), validators=[Optional(), Length(max=300),
        Regexp(r"^https?://\S+$", message=_l("请填写 http:// 或 https:// 开头的地址"))])
    wecom_webhook_url = StringField(_l("企业微信群机器人地址（Webhook）"), validators=[
        Optional(), Length(max=300),
        Regexp(r"^https?://\S+$", message=_l("请填写 http:// 或 https:// 开头的地址"))])
    sms_format = SelectField(_l("短信网关请求格式"), choices=[
        SelectChoice("json", _l("JSON")),
        SelectChoice("form", _l("表单（application/x-www-form-urlencoded）"))],
        validators=[Optional()])
    sms_template = TextAreaField(_l("短信网关请求字段（JSON）"), validators=[
        Optional(), Length(max=2000)])
    sms_success = StringField(_l("网关接受时的应答"), validators=[
        Optional(), Length(max=100), Regexp(r"^[A-Za-z0-9_.]+=\S*$",
                                             message=_l("请按“字段=值”填写，如 code=0"))])
    smtp_host = StringField(_l("发信服务器（SMTP）"), validators=[
        Optional(), Length(max=200),
        Regexp(r"^[A-Za-z0-9.-]+$", message=_l("请填写服务器名或地址，如 smtp.exmail.qq.com"))])
    smtp_port = IntegerField(_l("端口"), validators=[
        Optional(), NumberRange(1, 65535, message=_l("端口须在 1 到 65535 之间"))])
    smtp_security = SelectField(_l("加密方式"), choices=[
        SelectChoice("none", _l("不加密")), SelectChoice("starttls", _l("STARTTLS")),
        SelectChoice("ssl", _l("SSL/TLS"))],
        validators=[Optional()])
    smtp_user = StringField(_l("发信账号"), validators=[Optional(), Length(max=200)])
    smtp_password = PasswordField(_l("发信密码（留空则不改）"), validators=[
        Optional(), Length(max=200)])
    smtp_from = StringField(_l("发件人地址"), validators=[
        Optional(), Length(max=200), Regexp(r"^[^@\s]+@[^@\s]+$",
                                             message=_l("请填写电子邮件地址"))])
    # Repairs
    repair_reviewers = TextAreaField(_l("服务清单外工单的评审人（用户名，每行一个；留空为经理和总经理）"),
                                     validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.confidential_sections.choices = [(k, str(v)) for k, v in SECTIONS.items()]
        self.confidential_roles.choices = [(k, str(v)) for k, v in ROLES.items()]

    def validate_evaluation_window(self, field):
        import datetime
        try:
            for part in (field.data or "").split(":"):
                month, day = (int(x) for x in part.split("-"))
                datetime.date(2024, month, day)  # a leap year: 02-29 is a real day
        except ValueError:
            raise ValidationError(_l("日期无效"))

    def validate_vip_birthday_text(self, field):
        try:
            (field.data or "").format(name="张三", site="客服台")
        except (KeyError, IndexError, ValueError):
            raise ValidationError(_l("只能使用 {name}（会员姓名）和 {site}（站点名称）两个占位符"))

    def validate_vip_holiday_text(self, field):
        try:
            (field.data or "").format(name="张三", site="客服台", holiday="春节")
        except (KeyError, IndexError, ValueError):
            raise ValidationError(_l("只能使用 {name}（会员姓名）、{site}（站点名称）和 {holiday}"
                                     "（节日名称）三个占位符"))

    def validate_approve_deputy_limit(self, field):
        lower = self.approve_manager_limit.data
        if field.data is not None and lower is not None and field.data < lower:
            raise ValidationError(_l("副总经理的核决金额不能低于部门经理的"))

    def validate_complaint_deputy(self, field):
        name = (field.data or "").strip()
        if name and not User.select().where((User.username == name) & User.active).exists():
            raise ValidationError(_l("没有这些用户：%(names)s", names=name))

    def validate_repair_reviewers(self, field):
        names = _lines(field.data)
        known = {u.username for u in User.select(User.username).where(User.username.in_(names))}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise ValidationError(_l("没有这些用户：%(names)s", names="、".join(unknown)))

    def validate_night_start(self, field):
        try:
            parse_hhmm(field.data)
        except ValueError:
            raise ValidationError(_l("时间无效"))

    validate_night_end = validate_night_start

    def _short_lines(self, field):
        # Categories, departments and sources are stored on records in 40-character fields.
        if any(len(line) > 40 for line in _lines(field.data)):
            raise ValidationError(_l("每行不超过 40 个字"))

    validate_complaint_categories = _short_lines
    validate_departments = _short_lines
    validate_customer_sources = _short_lines

    def validate_sms_template(self, field):
        import json
        try:
            template = json.loads(field.data or "{}")
        except ValueError:
            raise ValidationError(_l("须为 JSON 对象，如 {\"phone\": \"{phone}\", \"text\": \"{text}\"}"))
        if not isinstance(template, dict) or "{phone}" not in field.data \
                or "{text}" not in field.data:
            raise ValidationError(_l("须为 JSON 对象，并含 {phone}（手机号）和 {text}（短信内容）"))

    def validate_site_url(self, field):
        if field.data and not field.data.strip().lower().startswith(("http://", "https://")):
            raise ValidationError(_l("请填写完整地址，如 http://192.168.1.20:5000"))

    def validate_site_timezone(self, field):
        if not clock.valid_zone((field.data or "").strip()):
            raise ValidationError(_l("未知的时区，请填写如 Asia/Shanghai 的时区名"))

    def validate_pass_printer(self, field):
        from services.receipts import parse_address
        if (field.data or "").strip():
            try:
                parse_address(field.data)
            except ValueError:
                raise ValidationError(_l("请填写如 192.168.1.50:9100 的地址")) from None

    def fill(self, values):
        """Put stored settings into the form fields."""
        for key in ("site_name", "site_address", "site_phone", "business_hours", "night_start",
                    "night_end", "site_timezone", "site_url"):
            getattr(self, key).data = values[key]
        for key in ("complaint_categories", "departments", "customer_sources"):
            getattr(self, key).data = "\n".join(values[key])
        for letter in "abc":
            getattr(self, f"venue_{letter}").data = values["venues"].get(letter.upper(), "")
        for tier in SERVED_TIERS:
            getattr(self, f"contact_{tier}").data = int(values["contact_days"].get(tier, 30))
        for key in ("evaluation_window", "confidential_sections", "confidential_roles",
                    "upload_max_mb", "vip_cumulative_months", "vip_referral_bonus",
                    "vip_birthday_text", "vip_holiday_text", "sms_gateway_url",
                    "complaint_escalate_hours",
                    "wecom_webhook_url", "sms_format", "sms_template", "sms_success",
                    "smtp_host", "smtp_port", "smtp_security", "smtp_user", "smtp_from"):
            getattr(self, key).data = values[key]
        for key in ("vip_single_purchase", "vip_cumulative"):
            getattr(self, key).data = Decimal(str(values[key]))
        for level in ("manager", "deputy"):
            getattr(self, f"approve_{level}_limit").data = Decimal(
                str(values["complaint_approval_limits"][level]))
        self.complaint_deputy.data = values["complaint_deputy"]
        for code in RATE_CODES:
            getattr(self, f"vip_rate_{code}").data = Decimal(str(values["vip_rates"][code]))
        self.vip_loyal_points.data = int(values["vip_loyal_points"])
        self.visitor_id_retention_months.data = int(values["visitor_id_retention_months"])
        self.pass_printer.data = values["pass_printer"]
        self.return_over_ratio.data = Decimal(str(values["return_over_ratio"]))
        for tier in SERVED_TIERS:
            getattr(self, f"visit_quota_{tier}").data = int(values["visit_quotas"].get(tier, 0))
        self.repair_reviewers.data = "\n".join(values["repair_reviewers"])

    def values(self):
        """The settings to store, from the submitted fields."""
        out = {key: (getattr(self, key).data or "").strip() for key in (
            "site_name", "site_address", "site_phone", "business_hours", "site_timezone",
            "site_url")}
        for key in ("night_start", "night_end"):
            hours, minutes = parse_hhmm(getattr(self, key).data)
            out[key] = f"{hours:02d}:{minutes:02d}"
        for key in ("complaint_categories", "departments", "customer_sources"):
            out[key] = _lines(getattr(self, key).data)
        out["venues"] = {letter.upper(): (getattr(self, f"venue_{letter}").data or "").strip()
                         for letter in "abc"}
        out["contact_days"] = {tier: getattr(self, f"contact_{tier}").data
                               for tier in SERVED_TIERS}
        for key in ("evaluation_window", "upload_max_mb", "vip_cumulative_months",
                    "vip_referral_bonus", "complaint_escalate_hours"):
            out[key] = getattr(self, key).data
        out["visitor_id_retention_months"] = self.visitor_id_retention_months.data
        out["pass_printer"] = (self.pass_printer.data or "").strip()
        out["return_over_ratio"] = str(self.return_over_ratio.data)
        out["visit_quotas"] = {tier: getattr(self, f"visit_quota_{tier}").data
                               for tier in SERVED_TIERS}
        out["confidential_sections"] = list(self.confidential_sections.data or [])
        out["confidential_roles"] = list(self.confidential_roles.data or [])
        out["vip_birthday_text"] = self.vip_birthday_text.data.strip()
        out["vip_holiday_text"] = (self.vip_holiday_text.data or "").strip()  # (empty: none)
        out["sms_gateway_url"] = (self.sms_gateway_url.data or "").strip()
        out["wecom_webhook_url"] = (self.wecom_webhook_url.data or "").strip()
        for key in ("sms_success", "smtp_host", "smtp_user", "smtp_from"):
            out[key] = (getattr(self, key).data or "").strip()
        out["sms_format"] = self.sms_format.data if self.sms_format.data == "form" else "json"
        if (self.sms_template.data or "").strip():
            out["sms_template"] = self.sms_template.data.strip()
        out["smtp_port"] = self.smtp_port.data or 25
        out["smtp_security"] = (self.smtp_security.data
                                if self.smtp_security.data in ("starttls", "ssl") else "none")
        if self.smtp_password.data:  # (never shown again; empty keeps the one on file)
            out["smtp_password"] = self.smtp_password.data
        for key in ("vip_single_purchase", "vip_cumulative"):
            out[key] = str(getattr(self, key).data.quantize(Decimal("0.01")))
        out["vip_rates"] = {code: str(getattr(self, f"vip_rate_{code}").data.quantize(
            Decimal("0.01"))) for code in RATE_CODES}
        out["vip_loyal_points"] = self.vip_loyal_points.data
        out["repair_reviewers"] = _lines(self.repair_reviewers.data)
        out["complaint_approval_limits"] = {
            level: str(getattr(self, f"approve_{level}_limit").data.quantize(Decimal("0.01")))
            for level in ("manager", "deputy")}
        out["complaint_deputy"] = (self.complaint_deputy.data or "").strip()
        return out


RATE_CODES = ("member", "loyal", "birthday")

LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}
LOGO_MAX = 1024 * 1024


def logo_kind(data):
    """'png' or 'jpg' judged by the file's first bytes, not its name; None otherwise."""
    for magic, kind in LOGO_TYPES.items():
        if data.startswith(magic):
            return kind
    return None




class ServiceItemForm(Form):
    name = StringField(_l("项目"), validators=[DataRequired(message=_l("请填写项目名称")),
                                               Length(max=60)])
    fee = DecimalField(_l("标准收费（元）"), places=2, validators=[
        InputRequired(message=_l("请填写收费")),
        NumberRange(min=0, max=100000, message=_l("收费应在 0 到 10 万元之间"))])
    labour_minutes = IntegerField(_l("工时（分钟）"), validators=[
        InputRequired(message=_l("请填写工时")),
        NumberRange(min=0, max=10000, message=_l("工时应在 0 到 10000 分钟之间"))])
    active = BooleanField(_l("启用"), default=True)
