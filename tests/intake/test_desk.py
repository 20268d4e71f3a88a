"""The channels staff work from the command line: hotline desk, ledger import, findings."""

from __future__ import annotations

import json
import subprocess
import uuid
from datetime import datetime
from pathlib import Path
from zipfile import ZipFile

import pytest
from openpyxl import Workbook

from events.identity import native_intake_id
from tests.intake.conftest import Rectify
from tests.integration.harness import RECTIFY

pytestmark = pytest.mark.integration

SAMPLE = Path(__file__).with_name("self-inspection-ledger.xlsx")
HEADER = ["序号", "执法问题", "执法案例", "整改措施", "整改时限", "责任部门", "责任领导", "备注"]


def cli_json(rectify: Rectify, *args: str) -> object:
    done = rectify.process.cli(*args, "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# ------------------------------------------------------------------ hotline

def test_a_hotline_call_given_as_flags_is_recorded_with_the_callers_phone_sealed(
        rectify: Rectify) -> None:
    ticket = f"HL-{uuid.uuid4().hex[:8]}"
    call = ["hotline", "--ticket", ticket, "--caller-phone", "13512345678",
            "--problem", "工地夜间施工噪声多次举报无人处理",
            "--case", "某小区旁工地连续一周施工到凌晨",
            "--unit", "济水分局", "--as", "热线 李娜"]
    first = cli_json(rectify, *call)
    again = cli_json(rectify, *call)
    assert isinstance(first, dict)
    assert isinstance(again, dict)
    assert first["tracking"] == again["tracking"]
    assert (first["new"], again["new"]) == (True, False)
    events = rectify.history(first["problem_id"])
    assert [e["type"] for e in events] == ["ProblemReported"]
    reported = events[0]
    assert native_intake_id(reported["intake_id"]) == ticket
    assert (reported["actor"], reported["category"]) == ("热线 李娜", "inaction_or_arbitrary")
    assert reported["reporter"]["masked_phone"] == "135****5678"
    assert "13512345678" not in json.dumps(reported)


def test_a_ticket_number_used_first_by_someone_else_does_not_take_the_call_over(
        rectify: Rectify) -> None:
    ticket = f"jsh-{uuid.uuid4().hex[:4]}"
    attacker = cli_json(rectify, "hotline", "--ticket", ticket, "--problem", "抢先登记的内容",
                        "--case", "冒用工单号", "--as", "冒名者")
    real = cli_json(rectify, "hotline", "--ticket", ticket, "--caller-phone", "13800001111",
                    "--problem", "真实来电：执法人员吃拿卡要", "--case", "5月6日检查饭店",
                    "--as", "热线 李娜")
    assert isinstance(attacker, dict)
    assert isinstance(real, dict)
    assert (real["new"], attacker["new"]) == (True, True)
    assert real["tracking"] != attacker["tracking"]
    assert rectify.history(real["problem_id"])[0]["problem"] == "真实来电：执法人员吃拿卡要"


def test_the_hotline_operator_is_asked_for_each_item_in_chinese(rectify: Rectify) -> None:
    ticket = f"HL-{uuid.uuid4().hex[:8]}"
    answers = "\n".join([ticket, "", "", "北海分局", "执法人员未出示执法证件",
                         "3月3日检查某加油站时未出示证件", ""]) + "\n"
    done = subprocess.run([*RECTIFY, "hotline", "--data-dir", str(rectify.process.data_dir),
                           "--as", "热线 王强"], input=answers, capture_output=True, text=True,
                          env=rectify.process.env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "工单号" in done.stdout
    assert "来电号码（匿名请直接回车）" in done.stdout
    assert "请告知来电人查询编号：R-" in done.stdout
    tracking = done.stdout.split("请告知来电人查询编号：")[1][:11]
    reported = rectify.history(rectify.problem_of(tracking))[0]
    assert (reported["unit"], reported["problem"], reported["reporter"]) == (
        "北海分局", "执法人员未出示执法证件", None)  # the caller stayed anonymous


def test_a_hotline_call_with_a_bad_phone_is_refused_and_nothing_filed(rectify: Rectify) -> None:
    before = rectify.last_seq()
    done = rectify.process.cli("hotline", "--ticket", "HL-bad-phone", "--caller-phone",
                               "call me maybe", "--problem", "x", "--case", "y")
    assert done.returncode == 1
    assert "来电号码格式不正确：call me maybe" in done.stderr
    assert rectify.last_seq() == before


def test_findings_of_spot_checks_and_oversight_filed_twice_are_one_problem(
        rectify: Rectify) -> None:
    for channel in ("spot_check", "oversight", "central_inspection"):
        finding = ["report", "--unit", "天坛分局", "--channel", channel, "--category", "documents",
                   "--problem", "处罚决定书未载明救济途径", "--case", "抽查2023年第5号案卷",
                   "--intake-id", f"{channel}-{uuid.uuid4().hex[:6]}", "--as", "法规科 赵干事"]
        first, second = cli_json(rectify, *finding), cli_json(rectify, *finding)
        assert isinstance(first, dict)
        assert isinstance(second, dict)
        assert first["problem_id"] == second["problem_id"]
        assert [e["channel"] for e in rectify.history(first["problem_id"])] == [channel]
        other = cli_json(rectify, *finding[:-1], "督察组 钱组长")  # the same id, someone else
        assert isinstance(other, dict)
        assert other["problem_id"] != first["problem_id"]


# ------------------------------------------------------------------- import

def test_the_sample_ledger_dry_run_lists_each_problem_with_sheet_and_row_and_files_nothing(
        rectify: Rectify) -> None:
    before = rectify.last_seq()
    answer = cli_json(rectify, "import", str(SAMPLE), "--unit", "克井分局", "--dry-run")
    assert isinstance(answer, dict)
    assert answer["skipped_sheets"] == {"执法支队": "生态环境综合行政执法支队"}
    listed = answer["problems"]
    assert [(i["sheet"], i["row"], i["number"]) for i in listed] == [
        ("克井分局", 5, "1"), ("克井分局", 6, "2"), ("克井分局", 8, "3"), ("克井分局", 9, "4")]
    assert [i["deadline"] for i in listed] == ["2023-04-10", "2023-03-31", "2023-04-10",
                                               "2023-04-10"]
    assert all(i["category_inferred"] for i in listed)
    table = rectify.process.cli("import", str(SAMPLE), "--unit", "克井分局", "--dry-run")
    assert "跳过工作表「执法支队」" in table.stdout
    assert "试运行：共 4 个问题，未登记任何内容" in table.stdout
    assert rectify.last_seq() == before


def test_importing_the_sample_ledger_twice_files_its_problems_once(rectify: Rectify) -> None:
    unit = "生态环境综合行政执法支队"
    answer = cli_json(rectify, "import", str(SAMPLE), "--unit", unit)
    assert isinstance(answer, dict)
    first = answer["problems"]
    assert [(i["problem"], i["category"], i["new"]) for i in first] == [
        ("“一刀切”执法", "one_size_fits_all", True), ("粗暴执法、不文明执法", "uncivil", True)]
    reported = rectify.history(first[1]["problem_id"])[0]
    # Filed by whoever imports (here the test's local administrator), for the ledger's 填报人.
    assert (reported["unit"], reported["actor"], reported["on_behalf_of"],
            reported["channel"]) == (unit, "测试员", "周静", "self_inspection")
    assert reported["occurred_at"].startswith("2023-03-05")
    again = rectify.process.cli("import", str(SAMPLE), "--unit", unit)
    assert again.returncode == 0, again.stderr
    assert "导入完成：新登记 0 个问题，已登记过 2 个" in again.stdout


def a_ledger(path: Path) -> Path:
    """A ledger as units fill it: merged title, blank row, full-width digits, mixed dates,
    one problem over two rows, and a second sheet."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "第一季度"
    sheet.append(["行政执法突出问题整改台账"])
    sheet.merge_cells("A1:H1")
    sheet.append([])
    sheet.append(["填报单位：玉泉分局", None, "填报人：钱多多", None, "电话：13900000000", None,
                  "填报时间：2023年3月3日"])
    sheet.append(HEADER)
    sheet.append(["１", "案卷归档不及时", "2022年案卷30卷未归档", "限期归档",
                  datetime(2023, 4, 1), "法制股", "钱局长"])
    sheet.append([])
    sheet.append([2, "执法文书引用条款错误", "某决定书引用已废止条款", "逐案复查", 45016, "法制股",
                  "钱局长"])
    sheet.append([None, None, "某通知书未写明期限", None, None, None, None])
    sheet.merge_cells("A7:A8")
    sheet.merge_cells("B7:B8")
    more = book.create_sheet("第二季度")
    more.append(HEADER)
    more.append(["3", "执法人员态度生硬", "群众反映窗口人员态度生硬", "开展培训", "2023/4/20"])
    book.save(path)
    return path


def test_a_ledger_written_by_openpyxl_becomes_the_right_problems(rectify: Rectify,
                                                                 tmp_path: Path) -> None:
    ledger = a_ledger(tmp_path / "玉泉分局台账.xlsx")
    answer = cli_json(rectify, "import", str(ledger), "--unit", "玉泉分局")
    assert isinstance(answer, dict)
    assert answer["new"] == 3
    imported = answer["problems"]
    assert [(i["sheet"], i["row"], i["number"], i["problem"], i["case"], i["deadline"])
            for i in imported] == [
        ("第一季度", 5, "1", "案卷归档不及时", "2022年案卷30卷未归档", "2023-04-01"),
        ("第一季度", 7, "2", "执法文书引用条款错误", "某决定书引用已废止条款\n某通知书未写明期限",
         "2023-03-31"),
        ("第二季度", 2, "3", "执法人员态度生硬", "群众反映窗口人员态度生硬", "2023-04-20"),
    ]
    assert [i["category"] for i in imported] == ["case_files", "documents", "uncivil"]
    assert all(i["new"] for i in imported)


SAVED_BY_LIBREOFFICE = Path(__file__).with_name("ledger-saved-by-libreoffice.xlsx")
"""``a_ledger`` opened and saved again by LibreOffice Calc 7.4 (``soffice --headless
--convert-to xlsx``): shared strings, styles and merged cells as LibreOffice writes them. Kept
in the repository so the test needs no LibreOffice; make it again the same way if
``a_ledger`` changes."""


def test_a_ledger_saved_by_libreoffice_reads_the_same(rectify: Rectify, tmp_path: Path) -> None:
    assert "LibreOffice" in ZipFile(SAVED_BY_LIBREOFFICE).read("docProps/app.xml").decode()
    written = a_ledger(tmp_path / "openpyxl.xlsx")
    ours = cli_json(rectify, "import", str(written), "--unit", "玉泉分局", "--dry-run")
    theirs = cli_json(rectify, "import", str(SAVED_BY_LIBREOFFICE), "--unit", "玉泉分局",
                      "--dry-run")
    assert ours == theirs


def test_a_sheet_with_wrong_columns_is_refused_with_what_is_missing_and_nothing_filed(
        rectify: Rectify, tmp_path: Path) -> None:
    book = Workbook()
    good = book.active
    assert good is not None
    good.append(HEADER)
    good.append([1, "一个正确的问题", "正确的案例"])
    wrong = book.create_sheet("错表")
    wrong.append(["编号", "问题描述", "整改措施"])
    wrong.append([1, "写在错误列里的问题", "措施"])
    book.save(tmp_path / "wrong.xlsx")
    before = rectify.last_seq()
    done = rectify.process.cli("import", str(tmp_path / "wrong.xlsx"), "--unit", "玉泉分局")
    assert done.returncode == 1
    assert "工作表「错表」第 1 行：缺少列：执法问题、执法案例" in done.stderr
    assert "未登记任何内容" in done.stderr
    assert rectify.last_seq() == before


def test_a_row_with_a_problem_but_no_case_is_refused_with_its_row(rectify: Rectify,
                                                                 tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append([1, "只有问题没有案例"])
    book.save(tmp_path / "no-case.xlsx")
    done = rectify.process.cli("import", str(tmp_path / "no-case.xlsx"), "--unit", "玉泉分局",
                               "--lang", "en")
    assert done.returncode == 1
    assert "row 2: the case is empty" in done.stderr


# ---------------------------------------------------------------- reporters

def test_a_reporter_is_shown_masked_and_in_full_to_no_one_without_signing_in(
        rectify: Rectify) -> None:
    filed = cli_json(rectify, "report", "--unit", "沁园分局", "--channel", "website",
                     "--category", "uncivil", "--problem", "窗口人员态度生硬",
                     "--case", "3月6日办理许可时被呵斥", "--reporter-name", "刘芳",
                     "--reporter-phone", "13812345678", "--intake-id", uuid.uuid4().hex)
    assert isinstance(filed, dict)
    reported = rectify.history(filed["problem_id"])[0]
    assert "13812345678" not in json.dumps(reported, ensure_ascii=False)
    shown = cli_json(rectify, "reporter", filed["problem_id"], "--as", "窗口 小王")
    assert shown == {"name": "刘*", "phone": "138****5678"}
    # Not even the local administrator's --as: unmasking needs a signed-in reader (tests/identity)
    refused = rectify.process.cli("reporter", filed["problem_id"], "--purpose", "核实",
                                  "--as", "法规科 王科长")
    assert refused.returncode == 1
    assert "请先登录" in refused.stderr
