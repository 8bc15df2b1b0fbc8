"""Issue 22: each role's main pages in a real Chromium, on the tablet (1024×768) and a phone
(390×844), in Chinese and English, with the demo month: no 5xx, no sideways scroll on the phone,
every control a 44×44 px target, and no serious or critical axe finding."""
import pytest

from blueprints import demo
from models import Complaint, Customer, VipCard, Visit, WorkOrder
from tests.browser import PHONE, TABLET, new_page, serious_violations, sign_in

pytestmark = pytest.mark.browser

# Each role's main pages: its home, its modules' lists and forms, and one record of each kind
# it works with ({customer} and the like are filled from the demo data).
MAIN_PAGES = {
    "desk": ["/", "/reception/", "/reception/visits/new", "/reception/rotation", "/complaints/",
             "/complaints/new", "/repairs/", "/repairs/{order}", "/vip/", "/vip/counter",
             "/vip/cards/{card}", "/archives/{customer}", "/notifications"],
    "sales": ["/", "/archives/", "/archives/new", "/archives/{customer}", "/archives/rules",
              "/complaints/new", "/vip/"],
    "engineer": ["/", "/repairs/", "/repairs/{order}"],
    "manager": ["/", "/complaints/", "/complaints/{complaint}", "/complaints/stats",
                "/complaints/returns", "/reports", "/vip/monthly", "/archives/",
                "/archives/{customer}", "/reception/visits/{visit}", "/audit", "/admin/duties",
                "/admin/outbox"],
    "gm": ["/", "/complaints/{complaint}", "/reports", "/access-log"],
    "admin": ["/", "/admin/users", "/admin/settings", "/admin/holidays", "/audit", "/admin/duties"],
}

# Controls smaller than 44×44 CSS px, measured as a finger meets them: a box or a choice by its
# label, a hidden skip link ignored, a link inside running text (text beside it) excepted.
SMALL_TARGETS = """() => {
  const small = [];
  const controls = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  for (const el of document.querySelectorAll(controls)) {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none' || el.classList.contains('skip')) continue;
    const own = el.getBoundingClientRect();
    if (own.width === 0 && own.height === 0) continue;
    if (el.tagName === 'A' && [...el.parentElement.childNodes].some(
        n => n !== el && n.nodeType === Node.TEXT_NODE && n.textContent.trim())) continue;
    const label = el.tagName === 'INPUT' ? el.closest('label') : null;
    const box = label ? label.getBoundingClientRect() : own;
    if (box.width < 43.5 || box.height < 43.5) {
      small.push(`${el.tagName.toLowerCase()} ${Math.round(box.width)}x${Math.round(box.height)} `
                 + `"${(el.textContent || el.name || '').trim().slice(0, 24)}"`);
    }
  }
  return small;
}"""

# Chart labels as drawn: their font size times the chart's scale on screen.
CHART_TEXT_PX = """() => [...document.querySelectorAll('svg.chart text')].map(
  t => parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a)"""


@pytest.fixture
def demo_ids(app, users, database):
    """The demo month on the test database; the ids its main pages name."""
    demo.fill()
    first = {"customer": Customer, "complaint": Complaint, "order": WorkOrder, "card": VipCard,
             "visit": Visit}
    return {name: model.select(model.id).order_by(model.id).first().id
            for name, model in first.items()}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("size", ["tablet", "phone"])
def test_every_role_main_pages_hold_on_tablet_and_phone(live, chromium, demo_ids, size,
                                                        language):
    viewport = TABLET if size == "tablet" else PHONE
    failures = []
    for role, paths in MAIN_PAGES.items():
        page = new_page(chromium, viewport=viewport)
        errors = []
        page.on("response", lambda r: errors.append((r.status, r.url)) if r.status >= 500
                else None)
        sign_in(page, live.url, role)
        if language == "en":
            page.goto(live.url + "/lang/en")
        for path in paths:
            url = live.url + path.format(**demo_ids)
            response = page.goto(url)
            where = (role, size, language, path)
            if response.status != 200:
                failures.append((where, "status", response.status))
                continue
            if size == "phone":
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > viewport["width"]:
                    failures.append((where, "scrolls sideways to", width))
            small = page.evaluate(SMALL_TARGETS)
            if small:
                failures.append((where, "controls under 44 px", small[:5]))
            tiny = [round(px, 1) for px in page.evaluate(CHART_TEXT_PX) if px < 11]
            if tiny:
                failures.append((where, "chart labels under 11 px", tiny[:5]))
            found = serious_violations(page)
            if found:
                failures.append((where, "axe", found))
        failures += [((role, size, language), "5xx", e) for e in errors]
        page.context.close()
    assert failures == []


def test_phone_filters_fold_behind_one_control_with_their_count(live, chromium, demo_ids):
    page = new_page(chromium, viewport=PHONE)
    sign_in(page, live.url, "manager")
    page.goto(live.url + "/complaints/?view=all&severity=major")
    fold = page.locator("details.fold-filters")
    assert fold.get_attribute("open") is None  # folded: the rows come first
    assert page.locator("#rows").is_visible()
    assert not page.locator("#filter-q").is_visible()
    summary = fold.locator("summary")
    assert summary.inner_text().split() == ["筛选", "2"]  # view and severity are set
    summary.click()
    assert page.locator("#filter-q").is_visible()
    # On the tablet the filters are simply there, with no control to fold them.
    tablet = new_page(chromium)
    sign_in(tablet, live.url, "manager")
    tablet.goto(live.url + "/complaints/")
    assert tablet.locator("#filter-q").is_visible()
    assert not tablet.locator("details.fold-filters > summary").is_visible()
