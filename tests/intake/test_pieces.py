"""The pure pieces of intake, without NATS: tracking numbers, privacy, reading free text."""

from __future__ import annotations

import uuid

import pytest
from eventsourcing.cipher import AESCipher

from events.identity import native_intake_id
from events.lifecycle import Reporter
from events.vocabulary import Category
from services.intake.categorize import category_from, infer_category
from services.intake.freetext import read_free_text
from services.intake.mail_reader import UndecodableMailError, read_mail
from services.intake.wechat import Callback, RefusedCallError
from services.intake.wechat_crypto import BadEncryptionError, MessageCrypto, msg_signature
from services.intake.wechat_protocol import Nonces, check_call, parse_message, signature
from services.reporters.keys import IntakeKeys
from services.reporters.privacy import (
    Contact,
    mask_email,
    mask_name,
    mask_phone,
    masked,
    seal,
    unseal,
)
from services.reporters.tracking import normalize, tracking_number

KEYS = IntakeKeys.from_master(AESCipher.create_key(32))


def test_a_tracking_number_is_short_unambiguous_and_the_same_every_time() -> None:
    problem = uuid.uuid4()
    number = tracking_number(KEYS.tracking, problem)
    assert number == tracking_number(KEYS.tracking, problem)
    assert len(number) == len("R-XXXX-XXXX")
    assert not set(number[2:]) & set("ILOU")
    other_key = IntakeKeys.from_master(AESCipher.create_key(32))
    assert tracking_number(other_key.tracking, problem) != number  # nobody without the key


@pytest.mark.parametrize(("typed", "expected"), [
    ("R-7K3F-9QXM", "7K3F9QXM"), ("r7k3f9qxm", "7K3F9QXM"), ("R 7K3F 9QXM", "7K3F9QXM"),
    ("R-7K3F-9QXO", "7K3F9QX0"), ("R-1K3F-9QXM", "1K3F9QXM"), ("R-lK3F-9QXM", "1K3F9QXM"),
    ("R-RK3F-9QXM", "RK3F9QXM"), ("RK3F9QXM", None), ("7K3F9QXM", None),
    ("R-7K3F-9QX", None), ("R-7K3F-9QXU", None), ("", None),
])
def test_a_tracking_number_is_read_however_it_was_typed(typed: str, expected: str | None) -> None:
    assert normalize(typed) == expected


def test_personal_data_is_masked_for_display() -> None:
    assert mask_phone("138 1234 5678") == "138****5678"
    assert mask_phone("0391-6612345") == "039****2345"
    assert mask_name("欧阳明远") == "欧***"
    assert mask_name("张三") == "张*"
    assert mask_email("zhang.san@example.com") == "z***@example.com"


def test_a_sealed_reporter_holds_no_personal_data_in_clear_and_unseals_with_the_key() -> None:
    contact = Contact(name="刘芳", phone="13812345678", email="liu@example.com")
    reporter = seal(KEYS.cipher, contact)
    assert reporter is not None
    stored = reporter.model_dump_json()
    assert "刘芳" not in stored
    assert "13812345678" not in stored
    assert (reporter.masked_name, reporter.masked_phone) == ("刘*", "138****5678")
    assert unseal(KEYS.cipher, reporter) == contact
    with pytest.raises(ValueError, match=r"[Mm][Aa][Cc]|[Dd]amaged|decrypt"):
        unseal(IntakeKeys.from_master(AESCipher.create_key(32)).cipher, reporter)


def test_an_anonymous_report_has_no_reporter_and_old_clear_reporters_stay_readable() -> None:
    assert seal(KEYS.cipher, Contact(name="  ", phone=None)) is None
    old = Reporter(name="张先生", phone="13987654321")
    assert unseal(KEYS.cipher, old) == Contact(name="张先生", phone="13987654321")
    assert masked(old) == Contact(name="张**", phone="139****4321")


@pytest.mark.parametrize(("problem", "expected"), [
    ("行政执法频次过高，多头检查", Category.OVER_INSPECTION),
    ("案件超期办理", Category.OVERDUE_CASES),
    ("行政执法文书适用不规范", Category.DOCUMENTS),
    ("执法人员能力不足", Category.CAPABILITY),
    ("“一刀切”执法", Category.ONE_SIZE_FITS_ALL),
    ("粗暴执法、不文明执法", Category.UNCIVIL),
    ("路灯坏了", Category.OTHER),
])
def test_the_category_is_inferred_from_the_words_of_the_problem(problem: str,
                                                                 expected: Category) -> None:
    assert infer_category(problem) == expected


def test_a_named_category_wins_over_inference() -> None:
    assert category_from("7", "态度粗暴") == (Category.OVERDUE_CASES, False)
    assert category_from("案件超期办理", "态度粗暴") == (Category.OVERDUE_CASES, False)
    assert category_from("不知道", "态度粗暴") == (Category.UNCIVIL, True)


def test_free_text_gives_problem_case_and_labelled_fields() -> None:
    report = read_free_text("单位：沁园分局\n企业：某餐馆\n执法人员态度粗暴！当场辱骂店员。")
    assert report is not None
    assert (report.unit, report.enterprise) == ("沁园分局", "某餐馆")
    assert report.problem == "执法人员态度粗暴"
    assert report.case == "执法人员态度粗暴！当场辱骂店员。"
    long = read_free_text("问" * 6000)
    assert long is not None
    assert len(long.case) == 5000
    assert len(long.problem) == 100
    assert read_free_text("  \n ") is None


def test_wechat_signature_follows_the_documented_algorithm() -> None:
    # sort token, timestamp, nonce as strings, concatenate, sha1, lower-case hex
    assert signature("token", "1409304348", "xxxxxx") == signature("xxxxxx", "token", "1409304348")
    good = signature("token", "1409304348", "xxxxxx")
    assert check_call("token", "1409304348", "xxxxxx", good, now=1409304348 + 10) is None
    assert check_call("token", "1409304348", "xxxxxx", good, now=1409304348 + 301) is not None
    assert check_call("other", "1409304348", "xxxxxx", good, now=1409304348) == "bad signature"


def test_a_mail_with_an_unknown_charset_is_undecodable() -> None:
    raw = (b"From: a@example.com\r\nSubject: x\r\nMessage-ID: <1@x>\r\n"
           b"Content-Type: text/plain; charset=x-unheard-of\r\n\r\nabc\r\n")
    with pytest.raises(UndecodableMailError, match="unknown charset"):
        read_mail(raw)


def test_a_mail_subject_in_raw_gbk_bytes_is_undecodable_not_mojibake() -> None:
    raw = b"From: a@example.com\r\nSubject: " + "举报".encode("gbk") + b"\r\n\r\nabc\r\n"
    with pytest.raises(UndecodableMailError, match="Subject"):
        read_mail(raw)


# WeChat's own sample (the WXBizMsgCrypt demo that ships with its SDK): a message it encrypted.
SAMPLE_KEY, SAMPLE_TOKEN = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "spamtest"
SAMPLE_APPID, SAMPLE_TIMESTAMP, SAMPLE_NONCE = "wx2c2769f8efd9abc2", "1409735669", "1320562132"
SAMPLE_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
SAMPLE_ENCRYPTED = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PG"
    "HQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6"
    "tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp"
    "3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhv"
    "Ql+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=")


def test_wechats_sample_encrypted_message_verifies_and_decrypts() -> None:
    assert msg_signature(SAMPLE_TOKEN, SAMPLE_TIMESTAMP, SAMPLE_NONCE, SAMPLE_ENCRYPTED) == \
        SAMPLE_SIGNATURE
    message = parse_message(MessageCrypto(SAMPLE_KEY, SAMPLE_APPID).decrypt(SAMPLE_ENCRYPTED))
    assert (message.to_user, message.from_user, message.content, message.msg_id) == (
        "gh_10f6c3c3ac5a", "oyORnuP8q7ou2gfYjqLzSIWZf0rs", "abcdteT", "6054768590064713728")
    with pytest.raises(BadEncryptionError, match="not a message for this account"):
        MessageCrypto(SAMPLE_KEY, "wx-another-account").decrypt(SAMPLE_ENCRYPTED)


def test_encryption_matches_wechats_sample_for_a_given_random_prefix() -> None:
    # The SDK's test: "我是中文abcd123" under AppID wxb11529c136998cb6, random "aaaabbbbccccdddd".
    crypto = MessageCrypto(SAMPLE_KEY, "wxb11529c136998cb6")
    assert crypto.encrypt("我是中文abcd123", b"aaaabbbbccccdddd") == (
        "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==")
    assert crypto.decrypt(crypto.encrypt("往返")) == "往返"


def test_the_safe_mode_takes_only_encrypted_calls_and_each_nonce_once() -> None:
    crypto = MessageCrypto(SAMPLE_KEY, SAMPLE_APPID)
    safe = Callback(SAMPLE_TOKEN, "safe", crypto)
    now = int(SAMPLE_TIMESTAMP)
    plain = {"timestamp": SAMPLE_TIMESTAMP, "nonce": "1",
             "signature": signature(SAMPLE_TOKEN, SAMPLE_TIMESTAMP, "1")}
    with pytest.raises(RefusedCallError, match="only encrypted"):
        safe.open(plain, b"<xml/>", now)
    query = {"timestamp": SAMPLE_TIMESTAMP, "nonce": SAMPLE_NONCE, "encrypt_type": "aes",
             "msg_signature": SAMPLE_SIGNATURE}
    body = f"<xml><Encrypt><![CDATA[{SAMPLE_ENCRYPTED}]]></Encrypt></xml>".encode()
    assert safe.open(query, body, now).message.content == "abcdteT"
    with pytest.raises(RefusedCallError, match="nonce used before"):
        safe.open(query, body, now + 10)
    with pytest.raises(ValueError, match="RECTIFY_WECHAT_AES_KEY"):
        Callback(SAMPLE_TOKEN, "safe", None)


def test_a_nonce_is_remembered_for_the_window_and_then_forgotten() -> None:
    nonces = Nonces(window=300)
    assert nonces.first_use("n1", now=1000)
    assert not nonces.first_use("n1", now=1599)
    assert nonces.first_use("n1", now=1601)  # its timestamp is stale by now anyway


def test_scoped_intake_ids_hold_no_personal_data_and_differ_by_sender() -> None:
    mine = KEYS.scoped("mail:zhang.san@example.com", "abc@example.com")
    theirs = KEYS.scoped("mail:li.si@example.com", "abc@example.com")
    assert mine != theirs
    assert "zhang" not in mine
    assert native_intake_id(mine) == "abc@example.com"
    assert native_intake_id("old-id@example.com") == "old-id@example.com"  # recorded before
    assert len(KEYS.scoped("hotline:x", "t" * 300)) <= 200
