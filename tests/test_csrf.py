"""A POST without its CSRF token is refused and writes nothing."""
from models import Customer


def test_post_without_token_is_refused(login, database):
    desk = login("desk")
    response = desk.post("/archives/new", data={"kind": "resident", "name": "无令牌",
                                                "phone": "13811112222", "status": "potential"})
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)
    assert Customer.select().where(Customer.name == "无令牌").count() == 0


def test_htmx_post_carries_token_in_header(login, make_customer, database):
    customer = make_customer(phone="13811112222")
    desk = login("desk")
    token = desk.token(f"/archives/{customer.id}")
    refused = desk.post(f"/archives/{customer.id}/reveal", data={"field": "phone", "reason": "回电"},
                        headers={"HX-Request": "true"})
    assert refused.status_code == 400
    allowed = desk.post(f"/archives/{customer.id}/reveal", data={"field": "phone", "reason": "回电"},
                        headers={"HX-Request": "true", "X-CSRFToken": token})
    assert allowed.status_code == 200 and "13811112222" in allowed.get_data(as_text=True)


def test_logout_without_token_is_refused(login):
    desk = login("desk")
    assert desk.post("/auth/logout").status_code == 400
    assert desk.get("/").status_code == 200


def test_every_state_changing_endpoint_refuses_a_post_without_token(app, login, database,
                                                                     make_customer):
    import models
    make_customer()
    manager = login("manager")
    counts = {m.__name__: m.select().count() for m in models.MODELS}
    checked = []
    with app.test_request_context():
        from flask import url_for
        for rule in app.url_map.iter_rules():
            if "POST" not in rule.methods or rule.endpoint == "static":
                continue
            values = {arg: 1 if f"<int:{arg}>" in rule.rule
                      else "x" for arg in rule.arguments}
            url = url_for(rule.endpoint, **values)
            response = manager.post(url, data={"reason": "x", "name": "x"})
            assert response.status_code == 400, (rule.endpoint, response.status_code)
            checked.append(rule.endpoint)
    assert len(checked) > 50
    assert {m.__name__: m.select().count() for m in models.MODELS} == counts
