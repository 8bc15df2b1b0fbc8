"""Signing in and out, lockout, password changes and sessions that end."""
import datetime

from bs4 import BeautifulSoup

from models import User, db
from services import accounts
from tests.conftest import PASSWORD


def test_login_page_and_successful_login(client, users):
    page = client.get("/auth/login")
    assert page.status_code == 200
    assert "登录" in page.get_data(as_text=True)
    response = client.login("desk")
    assert response.status_code == 302 and response.location == "/"
    home = client.get("/")
    assert "前台/客服甲" in home.get_data(as_text=True)


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/archives/")
    assert response.status_code == 302
    assert response.location.startswith("/auth/login?next=")


def test_wrong_password_shows_message_beside_field(client, users):
    response = client.login("desk", "wrong-password")
    assert response.status_code == 422
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    field = soup.find("input", id="password")
    assert field["aria-invalid"] == "true"
    assert "用户名或密码不正确" in soup.find(id="password-errors").text


def test_empty_login_form_gets_messages(client, users):
    response = client.submit("/auth/login", {"username": "", "password": ""})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "请输入用户名" in text and "请输入密码" in text


def test_repeated_failures_lock_the_account(client, users):
    for _ in range(accounts.MAX_FAILURES):
        client.login("desk", "wrong-password")
    locked = User.get(User.username == "desk")
    assert locked.locked_until > datetime.datetime.now()
    response = client.login("desk", PASSWORD)  # right password, still locked
    assert response.status_code == 422
    assert "暂时锁定" in response.get_data(as_text=True)


def test_lock_expires(users, database):
    accounts.authenticate("desk", PASSWORD)
    user = User.get(User.username == "desk")
    User.update(locked_until=datetime.datetime.now() - datetime.timedelta(minutes=1)).where(
        User.id == user.id).execute()
    assert accounts.authenticate("desk", PASSWORD).id == user.id


def test_next_parameter_cannot_leave_the_site(client, users):
    token = client.token("/auth/login")
    response = client.post("/auth/login?next=https://evil.example/", data={
        "username": "desk", "password": PASSWORD, "csrf_token": token})
    assert response.location == "/"


def test_logout_is_a_post_and_ends_the_session(login):
    desk = login("desk")
    assert desk.get("/auth/logout").status_code == 405
    response = desk.submit("/auth/logout", {}, page="/")
    assert response.status_code == 302
    assert desk.get("/").status_code == 302


def test_password_change_ends_other_sessions(login):
    first = login("sales")
    second = login("sales")
    response = first.submit("/auth/password", {"current": PASSWORD, "new": "brand-new-pass",
                                               "confirm": "brand-new-pass"})
    assert response.status_code == 302
    assert first.get("/").status_code == 200  # the one who changed it stays signed in
    assert second.get("/").status_code == 302  # the other device is signed out


def test_password_change_validation(login):
    sales = login("sales")
    response = sales.submit("/auth/password", {"current": "nope", "new": "short",
                                               "confirm": "other"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "密码至少" in text and "两次输入的密码不一致" in text


def test_passwords_are_argon2_hashes(users):
    user = User.get(User.username == "desk")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_many_failures_from_one_address_make_it_wait(client, users):
    """Guessing across usernames from one address: after ADDRESS_FAILURES refusals in the window
    even a right password is not tried until the window has passed; other addresses sign in."""
    from models import LoginFailure
    for n in range(accounts.ADDRESS_FAILURES):
        client.login(f"nobody{n}", "wrong-password")
    assert LoginFailure.select().where(LoginFailure.address == "127.0.0.1").count() == (
        accounts.ADDRESS_FAILURES)
    waiting = client.login("manager", PASSWORD)
    assert waiting.status_code == 429 and "登录失败次数过多" in waiting.get_data(as_text=True)
    assert User.get(User.username == "manager").last_login_at is None  # password never tried
    assert accounts.authenticate("manager", PASSWORD, address="10.0.0.2").username == "manager"
    later = datetime.datetime.now() + datetime.timedelta(minutes=accounts.ADDRESS_MINUTES + 1)
    assert accounts.authenticate("manager", PASSWORD, at=later,
                                 address="127.0.0.1").username == "manager"


def test_behind_a_proxy_failures_count_per_forwarded_address(monkeypatch, tmp_path):
    from models import LoginFailure, schema
    from tests.conftest import make_app
    monkeypatch.setenv("FRONTDESK_PROXY", "1")
    app = make_app(tmp_path)
    with db.connection_context():
        schema.upgrade()
    from tests.conftest import csrf_from
    with db.connection_context():
        before = LoginFailure.select().count()  # (on PostgreSQL the schema outlives the test)
    client = app.test_client()
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    refused = client.post("/auth/login", data={"username": "x", "password": "y",
                                               "csrf_token": token},
                          headers={"X-Forwarded-For": "192.168.1.23"})
    assert refused.status_code == 422
    with db.connection_context():
        newest = LoginFailure.select().order_by(LoginFailure.id).offset(before)
        assert [f.address for f in newest] == ["192.168.1.23"]


def test_older_hashes_are_upgraded_at_sign_in(users, database):
    """Hashes made with heavier settings (argon2-cffi's 64 MiB default) still verify, and are
    replaced with the current settings at the next successful sign-in."""
    from argon2 import PasswordHasher
    old = PasswordHasher().hash(PASSWORD)
    User.update(password_hash=old).where(User.username == "desk").execute()
    accounts.authenticate("desk", PASSWORD)
    upgraded = User.get(User.username == "desk").password_hash
    assert upgraded != old and not accounts._hasher.check_needs_rehash(upgraded)
    assert accounts.authenticate("desk", PASSWORD).username == "desk"
