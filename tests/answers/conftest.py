"""A fake WeChat API per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.answers.fake_wechat import FakeWeChat


@pytest.fixture
def wechat_api() -> Iterator[FakeWeChat]:
    fake = FakeWeChat()
    fake.start()
    yield fake
    fake.stop()
