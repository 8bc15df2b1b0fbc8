"""Users and settings, administered by the 管理员 role."""
import io
import json
from decimal import Decimal

from bs4 import BeautifulSoup

from models import AuditEntry, Customer, Setting, User
from services import settings as settings_service
from tests.conftest import PASSWORD, Browserish

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_admin_adds_user_who_can_sign_in(login, app, database):
    admin = login("admin")
    response = admin.submit("/admin/users/new", {"username": "newdesk", "display_name": "新前台",
                                                 "role": "desk", "password": "longenough1"})
    assert response.status_code == 302
    user = User.get(User.username == "newdesk")
    assert user.role == "desk" and user.active
    fresh = Browserish(app.test_client())
    assert fresh.login("newdesk", "longenough1").status_code == 302


def test_user_form_errors(login, database):
    admin = login("admin")
    response = admin.submit("/admin/users/new", {"username": "desk", "display_name": "",
                                                 "role": "desk", "password": "short"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "用户名已被使用" in text and "请输入姓名" in text and "密码至少" in text
    assert User.select().where(User.display_name == "").count() == 0
    bad_name = admin.submit("/admin/users/new", {"username": "a b/c", "display_name": "甲",
                                                 "role": "desk", "password": "longenough1"})
    assert "只能用字母" in bad_name.get_data(as_text=True)


def test_disabling_a_user_ends_their_session(login, users, database):
    desk = login("desk")
    assert desk.get("/").status_code == 200
    admin = login("admin")
    admin.submit(f"/admin/users/{users['desk'].id}/toggle", {}, page="/admin/users")
    assert not User.get_by_id(users["desk"].id).active
    assert desk.get("/").status_code == 302
    assert desk.login("desk").status_code == 422  # and cannot sign in again


def test_reset_password_ends_sessions_and_sets_new(login, users, app, database):
    sales = login("sales")
    admin = login("admin")
    admin.submit(f"/admin/users/{users['sales'].id}/password", {"password": "another-pass-9"})
    assert sales.get("/").status_code == 302
    fresh = Browserish(app.test_client())
    assert fresh.login("sales", PASSWORD).status_code == 422
    assert fresh.login("sales", "another-pass-9").status_code == 302


def test_admin_cannot_disable_self(login, users, database):
    admin = login("admin")
    admin.submit(f"/admin/users/{users['admin'].id}/toggle", {}, page="/admin/users")
    assert User.get_by_id(users["admin"].id).active


def test_edit_user_role(login, users, database):
    admin = login("admin")
    admin.submit(f"/admin/users/{users['desk'].id}/edit", {
        "username": "desk", "display_name": "前台乙", "role": "sales", "department": "销售部"})
    user = User.get_by_id(users["desk"].id)
    assert (user.display_name, user.role, user.department) == ("前台乙", "sales", "销售部")


SETTINGS = {"site_name": "幸福里物业管理处", "night_start": "21:00", "night_end": "7:30",
            "site_timezone": "Asia/Shanghai",
            "venue_a": "贵宾室", "venue_b": "商务室", "venue_c": "休闲厅",
            "complaint_categories": "产品质量\n服务质量\n\n", "departments": "客服部\n工程部",
            "customer_sources": "来电",
            "contact_strategic": "7", "contact_key": "7", "contact_general": "30",
            "evaluation_window": "03-25:03-30", "confidential_sections": ["fees", "credit"],
            "confidential_roles": ["manager", "gm"], "upload_max_mb": "10",
            "complaint_escalate_hours": "48",
            "vip_single_purchase": "1000", "vip_cumulative": "2000",
            "vip_cumulative_months": "6", "vip_referral_bonus": "0",
            "vip_rate_member": "0.88", "vip_rate_loyal": "0.85", "vip_rate_birthday": "0.6",
            "vip_loyal_points": "40",
            "vip_birthday_text": "亲爱的{name}，{site}祝您生日快乐！", "sms_gateway_url": "",
            "repair_reviewers": "", "approve_manager_limit": "2000",
            "approve_deputy_limit": "20000", "complaint_deputy": "",
            "visitor_id_retention_months": "6", "pass_printer": "", "return_over_ratio": "2.5",
            "visit_quota_strategic": "2", "visit_quota_key": "1", "visit_quota_general": "0"}


def test_settings_saved_and_audited(login, database):
    admin = login("admin")
    response = admin.submit("/admin/settings", SETTINGS)
    assert response.status_code == 302
    values = settings_service.load()
    assert values["site_name"] == "幸福里物业管理处"
    assert (values["night_start"], values["night_end"]) == ("21:00", "07:30")
    assert values["complaint_categories"] == ["产品质量", "服务质量"]
    assert values["complaint_escalate_hours"] == 48
    assert values["venues"]["A"] == "贵宾室"
    assert values["vip_rates"] == {"member": "0.88", "loyal": "0.85", "birthday": "0.60"}
    assert values["vip_loyal_points"] == 40
    assert Decimal(values["return_over_ratio"]) == Decimal("2.5")
    assert values["visitor_id_retention_months"] == 6
    assert values["visit_quotas"] == {"strategic": 2, "key": 1, "general": 0}
    bad = admin.submit("/admin/settings", dict(SETTINGS, pass_printer="printer:port",
                                               visitor_id_retention_months="0"))
    assert bad.status_code == 422 and "请填写如 192.168.1.50:9100 的地址" in bad.get_data(
        as_text=True) and "1 到 60 个月" in bad.get_data(as_text=True)
    entry = AuditEntry.get(AuditEntry.model == "Setting", AuditEntry.label.contains(""),
                           AuditEntry.after.contains("幸福里"))
    assert json.loads(entry.before)["site_name"] == "客服台示范物业管理处"
    assert "幸福里物业管理处" in admin.get("/").get_data(as_text=True)


def test_a_damaged_stored_setting_falls_back_to_its_default(database):
    """A value edited by hand into something that is not JSON is ignored, not an error page."""
    Setting.create(key="site_name", value="幸福里{")
    Setting.create(key="night_start", value=json.dumps("21:00"))
    values = settings_service.load()
    assert values["site_name"] == settings_service.DEFAULTS["site_name"]
    assert values["night_start"] == "21:00"


def test_settings_validation(login, database):
    admin = login("admin")
    response = admin.submit("/admin/settings", dict(SETTINGS, night_start="25:00", site_name=""))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "时间无效" in text and "请输入站点名称" in text
    assert Setting.select().count() == 0


def test_list_lines_fit_the_records(login, database):
    admin = login("admin")
    response = admin.submit("/admin/settings", dict(SETTINGS, departments="客服部\n" + "长" * 41))
    assert response.status_code == 422 and "每行不超过 40 个字" in response.get_data(as_text=True)


def test_logo_upload_checks_content(login, database):
    admin = login("admin")
    fake = dict(SETTINGS, logo=(io.BytesIO(b"GIF89a not png"), "logo.png"))
    response = admin.submit("/admin/settings", fake, content_type="multipart/form-data")
    assert response.status_code == 422 and "PNG 或 JPEG" in response.get_data(as_text=True)
    real = dict(SETTINGS, logo=(io.BytesIO(PNG), "标志.png"))
    assert admin.submit("/admin/settings", real,
                        content_type="multipart/form-data").status_code == 302
    served = admin.get("/admin/logo")
    try:
        assert served.status_code == 200 and served.data == PNG
        assert served.mimetype == "image/png"
    finally:
        served.close()


def test_cli_create_user_and_demo_data(app, database):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "cli-user", "--name", "命令行", "--role", "gm",
                                 "--password", "cli-password"])
    assert result.exit_code == 0, result.output
    assert User.get(User.username == "cli-user").role == "gm"
    result = runner.invoke(args=["demo-data", "--if-empty"])
    assert "not added" in result.output
    assert User.select().count() == 1


def test_module_rules_are_settings_the_admin_can_change(login, users, database):
    """Contact intervals, the grading window, confidential sections and roles, VIP thresholds,
    the referral bonus, the birthday text, the SMS gateway and repair reviewers: saved as typed,
    read back into the form, and used by the rules."""
    import datetime

    from blueprints.archives import ownership
    admin = login("admin")
    changed = dict(SETTINGS, contact_strategic="3", contact_general="60",
                   evaluation_window="12-01:12-15", confidential_sections=["violations"],
                   confidential_roles=["gm"], upload_max_mb="5", vip_single_purchase="800.5",
                   vip_cumulative="1500", vip_cumulative_months="12", vip_referral_bonus="50",
                   vip_birthday_text="{name}，生日快乐！{site}",
                   sms_gateway_url="https://sms.example.cn/send", repair_reviewers="manager\ngm")
    assert admin.submit("/admin/settings", changed).status_code == 302
    values = settings_service.load()
    assert values["contact_days"] == {"strategic": 3, "key": 7, "general": 60}
    assert (values["evaluation_window"], values["confidential_sections"],
            values["confidential_roles"], values["upload_max_mb"]) == (
        "12-01:12-15", ["violations"], ["gm"], 5)
    assert (values["vip_single_purchase"], values["vip_cumulative"],
            values["vip_cumulative_months"], values["vip_referral_bonus"]) == (
        "800.50", "1500.00", 12, 50)
    assert values["sms_gateway_url"] == "https://sms.example.cn/send"
    assert values["repair_reviewers"] == ["manager", "gm"]
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert 'value="12-01:12-15"' in page and "生日快乐！{site}" in page
    customer = Customer.create(name="战略客户", tier="strategic",
                               created_at=datetime.datetime(2026, 11, 1, 9))
    assert ownership.contacts_due(values, datetime.date(2026, 11, 3)) == []
    due = ownership.contacts_due(values, datetime.date(2026, 11, 4))  # 3 days now, not 7
    assert [row[0].id for row in due] == [customer.id]


def test_bad_rule_settings_are_refused_beside_their_fields(login, users, database):
    admin = login("admin")
    before = settings_service.load()
    response = admin.submit("/admin/settings", dict(
        SETTINGS, evaluation_window="02-30:03-05", vip_birthday_text="{name}{gift}",
        sms_gateway_url="ftp://x", repair_reviewers="nobody", contact_key="0",
        vip_single_purchase="-5", confidential_roles=["root"]))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for message in ("日期无效", "只能使用 {name}", "http:// 或 https://", "没有这些用户：nobody",
                    "1 到 365 天", "金额须在 1 到 100 万元之间"):
        assert message in page, message
    assert settings_service.load() == before


def test_the_logs_name_records_as_people_do(login, users, database):
    """Issue 22: the access log showed `print/repairs_day.html` and `VipCard #1` where a person
    expects 报修登记表 and 会员卡 VIP00000001; the record-type filter was a free-text box."""
    from blueprints.vip import service as vip
    from models import AccessLog, Customer, VipCard
    from services import settings as settings_service
    card = vip.enrol(VipCard(customer=Customer.create(name="会员", phone="13900001111"),
                             name="会员", phone="13900001111", handbook_given=True),
                     users["desk"], settings_service.load())
    manager = login("manager")
    manager.get("/repairs/print")
    manager.get(f"/vip/cards/{card.id}/statement")
    page = manager.get("/access-log").get_data(as_text=True)
    assert ".html" not in page.split("<tbody>")[1] and "VipCard #" not in page
    assert "报修登记表" in page and f"会员卡 {card.number}" in page
    options = [o["value"] for o in BeautifulSoup(page, "html.parser").select(
        "#filter-model option")]
    assert "" in options and "VipCard" in options and "Customer" in options
    only_cards = manager.get("/access-log?model=VipCard").get_data(as_text=True)
    assert f"会员卡 {card.number}" in only_cards and "报修登记表" not in only_cards
    assert AccessLog.select().count() == 2
    audit_page = manager.get("/audit?model=VipCard").get_data(as_text=True)
    assert "会员卡" in audit_page and "VipCard #" not in audit_page


def test_site_url_must_be_a_whole_address(login, database):
    admin = login("admin")
    refused = admin.submit("/admin/settings", dict(SETTINGS, site_url="192.168.1.20:5000"))
    assert refused.status_code == 422 and "http://192.168.1.20:5000" in refused.get_data(
        as_text=True)
    assert settings_service.load()["site_url"] == ""
    assert admin.submit("/admin/settings", dict(
        SETTINGS, site_url="http://192.168.1.20:5000")).status_code == 302
    assert settings_service.load()["site_url"] == "http://192.168.1.20:5000"


def test_settings_are_read_again_only_when_they_change(login, users, database):
    """Issue 21: each page read every setting; the signed-in user's query now brings the
    settings' revision along, and the settings are read again only when it moved."""
    manager = login("manager")
    seen = []
    original = database.obj.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        seen.append(sql)
        return original(sql, params, *args, **kwargs)
    database.obj.execute_sql = counting
    try:
        manager.get("/")
        manager.get("/")
        reads = [sql for sql in seen if 'FROM "setting"' in sql and "SUM" not in sql]
        assert len(reads) <= 1  # (the first page after login may read them)
        # Another app server stores a setting: this process's copy is stale, and the next page
        # sees the revision move and reads them again.
        from models import Setting
        Setting.create(key="site_name", value='"新名字物业"', revision=12345)
        seen.clear()
        page = manager.get("/").get_data(as_text=True)
        assert "新名字物业" in page
        assert len([sql for sql in seen if 'FROM "setting"' in sql and "SUM" not in sql]) == 1
        seen.clear()
        assert "新名字物业" in manager.get("/").get_data(as_text=True)
        assert [sql for sql in seen if 'FROM "setting"' in sql and "SUM" not in sql] == []
    finally:
        database.obj.execute_sql = original
