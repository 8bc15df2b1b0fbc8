"""Monthly reports open on the month whose report is due next, and say when a month is empty."""
import datetime

import pytest

from models import clock


@pytest.mark.parametrize("today, stats_month, vip_month", [
    (datetime.datetime(2026, 11, 23, 10, 0), "2026-11", "2026-11"),
    (datetime.datetime(2026, 12, 2, 10, 0), "2026-11", "2026-11"),
    (datetime.datetime(2026, 12, 3, 10, 0), "2026-11", "2026-12"),
    (datetime.datetime(2026, 12, 10, 10, 0), "2026-11", "2026-12"),
    (datetime.datetime(2026, 12, 11, 10, 0), "2026-12", "2026-12"),
    (datetime.datetime(2027, 1, 1, 0, 5), "2026-12", "2026-12"),
])
def test_reports_open_on_the_month_due_next(today, stats_month, vip_month, login, database):
    """客诉案件统计表 is the previous month's until the 10th, 会员月报 until the 2nd; after
    that they open on the month being recorded."""
    with clock.frozen(today):
        manager = login("manager")
        stats = manager.get("/complaints/stats").get_data(as_text=True)
        assert f'name="month" value="{stats_month}"' in stats
        monthly = manager.get("/vip/monthly").get_data(as_text=True)
        assert f'name="month" value="{vip_month}"' in monthly
        assert f"{stats_month} 没有投诉记录。" in stats and f"{vip_month} 没有会员记录。" in monthly
        asked = manager.get("/complaints/stats?month=2026-03").get_data(as_text=True)
        assert 'name="month" value="2026-03"' in asked


def test_a_month_with_complaints_has_no_empty_notice(login, users, database):
    from blueprints.complaints import service
    from models import Complaint
    service.intake(Complaint(received_at=clock.now(), channel="phone", complainant="张三",
                             category="产品质量", content="漏水"), users["desk"])
    stats = login("manager").get("/complaints/stats").get_data(as_text=True)
    assert "没有投诉记录" not in stats
