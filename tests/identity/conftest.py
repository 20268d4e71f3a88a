"""One secured ``rectify up`` per module, with a person for every role already signed in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.identity.desk import OWN_UNIT, Desk, secured, staffed

ROLE_HOLDERS = (
    ("wangke", "法规与科技标准科 王科长", "法规与科技标准科", "campaign_office"),
    ("zhaoganshi", "法规与科技标准科 赵干事", "法规与科技标准科", "campaign_office"),
    ("zhangsan", "沁园分局 张三", OWN_UNIT, "unit_staff"),
    ("qyfzr", "沁园分局 负责人", OWN_UNIT, "unit_leader"),
    ("juzhang", "局长 孙局长", "局领导", "bureau_leader"),
    ("ducha", "督察室 钱督察", "督察室", "inspector"),
    ("rexian", "12345热线 吴接线员", "热线中心", "hotline_operator"),
    ("chayue", "信访科 郑科长", "信访科", "reporter_data_reader"),
    ("xitong", "信息中心 系统管理员", "信息中心", "system_admin"),
    ("shenji", "审计室 审计管理员", "审计室", "audit_admin"),
)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    root = tmp_path_factory.mktemp("secured")
    up = secured(root / "data")
    with staffed(up, root, ROLE_HOLDERS) as desk:
        desk.url = up.cli_json("status")["nats_url"]
        yield desk
