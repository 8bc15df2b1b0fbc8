"""Satisfaction surveys and follow-up reviews. Seed 001 第十五条（五）: 每六个月进行不少于一次用户
满意率调查,包含质量、价格、基础服务…在每十二个月7月10日和第二年元月10日前完成调研形成“用户满意率
调查汇报”…报送企业领导审批. 第十七条（五）: 销售部每三个月…对用户回访工作做总体评定汇报,汇报内容
包含: 1、依据年度计划进度本阶段回访工作落实情况; 2、本阶段回访工作关键成绩; 3、回访过程中所碰到
还未处理问题; 4、后期工作需改善之处."""
import datetime
import io

from bs4 import BeautifulSoup
from pypdf import PdfReader

from blueprints.registers import surveys
from models import FollowUp, clock
from models.registers import FollowUpReview, SatisfactionAnswer, SatisfactionReport
from tests.conftest import FROZEN

D = datetime.date


def answer(client, customer, day, quality, price, service):
    return client.submit("/registers/satisfaction/new", {
        "answered_on": day, "customer": str(customer.id), "method": "phone",
        "quality": quality, "price": price, "service": service, "opinions": "送货及时"})


def text_of(response):
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)


def test_periods_and_their_due_days():
    assert surveys.half_bounds("2026-H1") == (D(2026, 1, 1), D(2026, 6, 30), D(2026, 7, 10))
    assert surveys.half_bounds("2026-H2") == (D(2026, 7, 1), D(2026, 12, 31), D(2027, 1, 10))
    assert surveys.quarter_bounds("2026-Q4") == (D(2026, 10, 1), D(2026, 12, 31), D(2027, 1, 10))
    assert surveys.quarter_bounds("2026-Q1") == (D(2026, 1, 1), D(2026, 3, 31), D(2026, 4, 10))
    assert surveys.half_of(D(2026, 6, 30)) == "2026-H1" and surveys.quarter_of(
        D(2026, 7, 1)) == "2026-Q3"


def test_the_half_year_report_counts_the_answers_and_goes_to_the_leader(
        login, users, database, make_customer):
    first, second, third = (make_customer(name=n) for n in ("甲", "乙", "丙"))
    sales = login("sales")
    assert answer(sales, first, "2026-11-20", "5", "4", "5").status_code == 302
    refused = answer(sales, first, "2026-08-01", "3", "3", "3")
    assert refused.status_code == 422 and "该用户本期（2026-H2）已有调查问卷" in \
        refused.get_data(as_text=True)
    answer(sales, first, "2026-03-01", "2", "2", "2")  # the first half is another survey
    answer(sales, second, "2026-11-21", "4", "2", "4")
    answer(sales, third, "2026-11-22", "3", "4", "5")
    assert SatisfactionAnswer.select().count() == 4

    form = {"period": "2026-H2", "department": "销售部", "submitted_on": "2026-11-23",
            "problems": "价格满意率偏低", "improvement": "季度价格回顾"}
    for changed, message in (({"period": "2026H2"}, "请按 2026-H2 的格式填写"),
                             ({"period": "2027-H1"}, "调查期尚未开始"),
                             ({"period": "2025-H2"}, "本期尚无调查问卷，请先登记问卷")):
        refused = sales.submit("/registers/satisfaction-reports/new", dict(form, **changed))
        assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    made = sales.submit("/registers/satisfaction-reports/new", form)
    assert made.status_code == 302
    again = sales.submit("/registers/satisfaction-reports/new", form)
    assert "销售部 本期已有汇报" in again.get_data(as_text=True)
    report = SatisfactionReport.get()
    facts = dict(surveys.report_facts(report))
    # three answers this half: quality 5, 4, 3; price 4, 2, 4; service 5, 4, 5
    assert facts["调查份数"] == "3" and facts["质量满意率"] == "66.7%"
    assert facts["价格满意率"] == "66.7%" and facts["基础服务满意率"] == "100.0%"
    assert facts["综合满意率（各项均满意）"] == "33.3%"
    assert facts["应交日期"] == "2027-01-10" and facts["报送情况"].startswith("按期")

    approve = f"/registers/satisfaction-reports/{report.id}/do/approve"
    refused = login("manager").submit(approve, {}, page=made.location)
    assert "须由总经理或主管副总审批" in refused.get_data(as_text=True)
    login("gm").submit(approve, {}, page=made.location)
    assert SatisfactionReport.get().approved_by_id == users["gm"].id
    text = text_of(sales.get(f"/registers/satisfaction-reports/{report.id}/print"))
    assert "用户满意率调查汇报" in text and "66.7%" in text and "已审批" in text


def test_a_late_report_says_so(login, users, database, make_customer):
    customer = make_customer(name="甲")
    sales = login("sales")
    answer(sales, customer, "2026-05-20", "5", "5", "5")
    sales.submit("/registers/satisfaction-reports/new", {
        "period": "2026-H1", "department": "销售部", "submitted_on": "2026-07-15",
        "problems": "无", "improvement": "无"})
    facts = dict(surveys.report_facts(SatisfactionReport.get()))
    assert facts["报送情况"] == "逾期 5 天（应于 2026-07-10 前）"


def test_the_quarterly_review_reports_the_follow_ups(login, users, database, make_customer):
    customer = make_customer(name="甲")
    for planned, done, score in ((D(2026, 7, 3), True, 5), (D(2026, 8, 9), True, 3),
                                 (D(2026, 9, 30), False, None), (D(2026, 10, 2), True, 5)):
        FollowUp.create(customer=customer, subject="回访", planned_on=planned,
                        done_at=datetime.datetime(planned.year, planned.month, planned.day, 10)
                        if done else None, satisfaction=score)
    sales = login("sales")
    form = {"quarter": "2026-Q4", "submitted_on": "2026-11-23", "progress": "按计划",
            "achievements": "投诉用户全部回访", "unresolved": "", "improvements": ""}
    refused = sales.submit("/registers/followup-reviews/new", form)
    assert "季度最后一个月起方可汇报" in refused.get_data(as_text=True)
    made = sales.submit("/registers/followup-reviews/new", dict(form, quarter="2026-q3"))
    review = FollowUpReview.get()
    assert review.quarter == "2026-Q3"
    facts = dict(surveys.review_facts(review))
    assert (facts["计划回访"], facts["已完成回访"], facts["完成率"]) == ("3", "2", "66.7%")
    assert facts["满意率（4 分及以上）"] == "50.0%"
    assert facts["报送情况"] == "逾期 44 天（应于 2026-10-10 前）"
    page = sales.get(made.location).get_data(as_text=True)
    assert "投诉用户全部回访" in page and "66.7%" in page


def test_what_is_waiting_shows_on_the_managers_home(login, users, database, make_customer):
    # 23 November: the first half's report (due 10 July) and Q3's review (due 10 October) are
    # overdue; the second half's is not yet to be filed
    waiting = [(str(title), period, overdue) for title, period, _due, overdue in
               surveys.waiting(FROZEN.date())]
    assert waiting == [("用户满意率调查汇报", "2026-H1", True),
                       ("回访工作总体评定汇报", "2026-Q3", True)]
    with clock.frozen(datetime.datetime(2026, 12, 5, 9)):
        waiting = [(period, overdue) for _t, period, _due, overdue in
                   surveys.waiting(clock.today())]
    assert ("2026-H2", False) in waiting
    with clock.frozen(datetime.datetime(2026, 7, 1, 9)):  # the first half's report is due
        waiting = [(period, overdue) for _t, period, _due, overdue in
                   surveys.waiting(clock.today())]
    assert waiting == [("2026-H1", False), ("2026-Q2", False)]
    home = BeautifulSoup(login("manager").get("/").get_data(as_text=True), "html.parser")
    tiles = {a.select_one("span").text.strip(): a.select_one(".stat").text.strip()
             for a in home.select("a.tile") if a.select_one(".stat")}
    assert tiles["逾期未交的调查汇报"] == "2" and tiles["待交的调查汇报"] == "0"
    assert "待交的调查汇报" not in login("desk").get("/").get_data(as_text=True)
