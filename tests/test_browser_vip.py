"""At the counter: find a member by phone tail, record a purchase, see the discount, redeem."""
import pytest

from blueprints.vip import service
from models import Customer, Gift, VipCard
from services import settings as settings_service
from tests.browser import serious_violations, sign_in

pytestmark = pytest.mark.browser


def test_counter_journey(live, page, users, database):
    customer = Customer.create(name="李四", phone="13900005678")
    card = service.enrol(VipCard(customer=customer, name="李四", phone="13900005678",
                                 handbook_given=True), users["desk"], settings_service.load())
    Gift.create(name="环保袋", points=5, stock=10)
    sign_in(page, live.url, "desk")
    page.goto(live.url + "/vip/")
    page.fill("#vip-q", "5678")
    page.wait_for_selector(f"#cards a:has-text('{card.number}')")
    assert serious_violations(page) == []
    page.click("#cards >> text=记录消费")
    page.wait_for_url(f"{live.url}/vip/counter?card={card.id}")
    page.fill("#receipt_no", "R20261122-01")
    page.fill("#amount_before", "800")
    page.wait_for_selector("#quote >> text=实收 ¥720.00")
    assert "会员折扣，按 90% 收取" in page.inner_text("#quote") and "+7" in page.inner_text("#quote")
    page.check("#receipt_signed")
    assert serious_violations(page) == []
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=积分 +7")
    assert page.inner_text(".tiles .stat >> nth=0").strip() == "7"
    page.select_option("#gift", label="环保袋（5 分，余 10）")
    page.click("button:has-text('兑换')")
    page.wait_for_selector("text=已兑换 环保袋")
    assert page.inner_text(".tiles .stat >> nth=0").strip() == "2"
    assert service.balance(card) == 2
