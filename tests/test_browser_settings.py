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


def test_required_fields_are_marked_and_the_first_error_takes_the_cursor(live, page, users,
                                                                         database):
    """Required fields carry a mark before anything is sent; after a refused submit the cursor
    is in the first field to fix, not at the top of a long page."""
    sign_in(page, live.url, "admin")
    page.goto(live.url + "/admin/settings")
    assert page.locator("label[for=site_name] .req").count() == 1
    assert page.locator("label[for=site_address] .req").count() == 0
    page.fill("#contact_general", "")
    page.evaluate("document.querySelector('#contact_general').removeAttribute('required')")
    page.click("button:has-text('保存设置')")
    page.wait_for_selector("#contact_general-errors")
    assert page.evaluate("document.activeElement.id") == "contact_general"
