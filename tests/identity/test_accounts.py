"""Signing in, sessions, lockout and the directory's history, on a real identity store."""

from __future__ import annotations

from pathlib import Path

import pytest

from events.directory import Role
from services.identity.accounts import Accounts
from services.identity.errors import IdentityError
from services.identity.management import StaffManagement
from tests.identity.accounts import PASSWORD, MovingClock, accounts_in, code, enrol


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock()


@pytest.fixture
def accounts(tmp_path: Path, clock: MovingClock) -> Accounts:
    return accounts_in(tmp_path, clock)


def refused(code_: str, action: object) -> IdentityError:
    with pytest.raises(IdentityError) as caught:
        action()  # type: ignore[operator]
    assert caught.value.code == code_, caught.value.en
    return caught.value


def test_five_wrong_passwords_lock_the_account_and_the_lock_is_recorded(
        accounts: Accounts) -> None:
    enrol(accounts, "zhangsan", "张三", "沁园分局", (Role.UNIT_STAFF, None))
    for _ in range(5):
        refused("bad_credentials", lambda: accounts.login("zhangsan", "wrong"))
    refused("account_locked", lambda: accounts.login("zhangsan", PASSWORD))
    assert [f.type for f in accounts.facts()][-1] == "AccountLocked"
    actions = [(r.action, r.result) for r in accounts.audit.records()]
    assert actions.count(("login", "failed")) == 5
    assert ("lockout", "locked") in actions
    assert actions[-1] == ("login", "refused")


def test_a_reset_unlocks_with_a_new_password_that_must_be_changed(
        accounts: Accounts) -> None:
    admin = enrol(accounts, "anquan", "安全管理员", "法规科", (Role.SECURITY_ADMIN, None))
    enrol(accounts, "zhangsan", "张三", "沁园分局", (Role.UNIT_STAFF, None))
    for _ in range(5):
        refused("bad_credentials", lambda: accounts.login("zhangsan", "wrong"))
    issued = StaffManagement(accounts).reset(admin.person, "zhangsan")
    assert issued.password is not None
    refused("password_change_required", lambda: accounts.login("zhangsan", issued.password or ""))
    refused("weak_password", lambda: accounts.login("zhangsan", issued.password or "",
                                                    new_password="short"))
    signed_in = accounts.login("zhangsan", issued.password, new_password="Anew-Passw0rd")
    assert signed_in.person.name == "张三"


def test_administrators_need_a_one_time_code(accounts: Accounts) -> None:
    admin = enrol(accounts, "shenji", "审计管理员", "法规科", (Role.AUDIT_ADMIN, None))
    refused("totp_required", lambda: accounts.login("shenji", PASSWORD))
    refused("bad_totp", lambda: accounts.login("shenji", PASSWORD, totp="000000"))
    assert accounts.login("shenji", PASSWORD, totp=code(admin)).person.has(Role.AUDIT_ADMIN)


def test_an_expired_idle_or_revoked_session_is_refused_at_once(
        accounts: Accounts, clock: MovingClock) -> None:
    enrol(accounts, "zhangsan", "张三", "沁园分局", (Role.UNIT_STAFF, None))
    token = accounts.login("zhangsan", PASSWORD).token
    assert accounts.authenticate(token).login == "zhangsan"
    clock.advance(minutes=31)
    refused("session_ended", lambda: accounts.authenticate(token))

    token = accounts.login("zhangsan", PASSWORD).token
    for _ in range(16):  # active every 29 minutes: 7 h 44 min
        clock.advance(minutes=29)
        accounts.authenticate(token)
    clock.advance(minutes=29)  # 8 hours is the longest, active or not
    refused("session_ended", lambda: accounts.authenticate(token))

    token = accounts.login("zhangsan", PASSWORD).token
    assert accounts.logout(token)
    refused("session_ended", lambda: accounts.authenticate(token))


def test_disabling_an_account_ends_its_sessions(accounts: Accounts) -> None:
    admin = enrol(accounts, "anquan", "安全管理员", "法规科", (Role.SECURITY_ADMIN, None))
    enrol(accounts, "zhangsan", "张三", "沁园分局", (Role.UNIT_STAFF, None))
    token = accounts.login("zhangsan", PASSWORD).token
    StaffManagement(accounts).disable(admin.person, "zhangsan", "调离")
    refused("session_ended", lambda: accounts.authenticate(token))
    refused("account_disabled", lambda: accounts.login("zhangsan", PASSWORD))


def test_only_the_security_administrator_manages_staff_and_refusals_are_audited(
        accounts: Accounts) -> None:
    office = enrol(accounts, "wangke", "王科长", "法规科", (Role.CAMPAIGN_OFFICE, None))
    refused("forbidden", lambda: StaffManagement(accounts).grant(
        office.person, "wangke", Role.SECURITY_ADMIN, None))
    last = accounts.audit.records()[-1]
    assert (last.action, last.result, last.actor) == ("staff.grant", "refused", "王科长")


def test_the_three_administrators_are_three_people(accounts: Accounts) -> None:
    admin = enrol(accounts, "anquan", "安全管理员", "法规科", (Role.SECURITY_ADMIN, None))
    refused("separation_of_duties", lambda: StaffManagement(accounts).grant(
        admin.person, "anquan", Role.AUDIT_ADMIN, None))
    enrol(accounts, "wangke", "王科长", "法规科", (Role.CAMPAIGN_OFFICE, None))
    refused("separation_of_duties", lambda: StaffManagement(accounts).grant(
        admin.person, "wangke", Role.SYSTEM_ADMIN, None))


def test_who_could_close_problems_of_a_unit_on_a_past_day(
        accounts: Accounts, clock: MovingClock) -> None:
    admin = enrol(accounts, "anquan", "安全管理员", "法规科", (Role.SECURITY_ADMIN, None))
    enrol(accounts, "wangke", "王科长", "法规科", (Role.CAMPAIGN_OFFICE, None))
    enrol(accounts, "zhangsan", "张三", "沁园分局", (Role.UNIT_STAFF, None))
    fifth_of_march = clock.now.replace(day=5)
    clock.advance(days=10)
    StaffManagement(accounts).revoke(admin.person, "wangke", Role.CAMPAIGN_OFFICE, None)
    then = [p.name for p in accounts.who_may("problem.close", "沁园分局", fifth_of_march)]
    assert then == ["王科长"]
    assert accounts.who_may("problem.close", "沁园分局") == []
    assert [p.name for p in accounts.who_may("problem.submit-fix", "沁园分局")] == ["张三"]
    assert accounts.who_may("problem.submit-fix", "玉泉分局") == []


def test_the_audit_chain_shows_an_altered_record(accounts: Accounts) -> None:
    enrol(accounts, "zhangsan", "张三", "沁园分局", (Role.UNIT_STAFF, None))
    accounts.login("zhangsan", PASSWORD)
    assert accounts.audit.verify() is None
    with pytest.raises(Exception, match="never changed"), accounts.store.transaction() as db:
        db.execute("UPDATE audit SET result = 'ok'")
    with accounts.store.transaction() as db:  # someone with the file drops the trigger
        db.execute("DROP TRIGGER audit_append_only")
        db.execute("UPDATE audit SET actor = '李四' WHERE seq = 2")
    assert accounts.audit.verify() == 2
