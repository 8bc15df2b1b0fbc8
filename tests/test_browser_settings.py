"""The administrator changes a module rule on the settings page, on a tablet."""
import pytest

from services import settings as settings_service
from tests.browser import serious_violations, sign_in

pytestmark = pytest.mark.browser


def test_admin_changes_rules_on_the_settings_page(live, page, users, database):
    sign_in(page, live.url, "admin")
    page.goto(live.url + "/admin/settings")
    assert serious_violations(page) == []
    page.fill("#contact_strategic", "3")
    page.uncheck("input[name=confidential_roles][value=manager]")
    page.fill("#vip_birthday_text", "{name}，生日快乐！{gift}")
    page.click("button:has-text('保存设置')")
    page.wait_for_selector("#vip_birthday_text-errors >> text=只能使用")
    assert serious_violations(page) == []
    assert page.input_value("#contact_strategic") == "3"  # nothing typed is lost
    page.fill("#vip_birthday_text", "{name}，生日快乐！")
    page.click("button:has-text('保存设置')")
    page.wait_for_selector("text=设置已保存")
    values = settings_service.load()
    assert values["contact_days"]["strategic"] == 3
    assert values["confidential_roles"] == ["gm"]
    assert values["vip_birthday_text"] == "{name}，生日快乐！"
