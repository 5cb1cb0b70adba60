"""Issuing notices: each kind's PDF states the names, reference and amounts in Chinese with a CJK
font embedded; issuing is idempotent (retries, duplicated tasks, a lost race)."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import OfficialRole
from applications import notices
from applications.models import Application, Notice, Status
from applications.notices import CODE_ALPHABET, NoticeError, amount_in_words, issue_notice
from applications.review import application_accept
from applications.tasks import generate_notice
from audit.models import AuditEvent
from audit.services import audit_record
from tests.factories import EnterpriseUserFactory, IndividualUserFactory, incentive_by_code
from tests.notices.conftest import IND_AWARD, application_for_notice, official_for, pdffonts, pdftotext

pytestmark = pytest.mark.django_db

# The money apps' notices state facts their apps supply: tested with them (disbursement, recovery).
KINDS = [k for k in Notice.Kind.values if k not in (Notice.Kind.DISBURSEMENT, Notice.Kind.RECOVERY)]
RIGHTS_KINDS = {Notice.Kind.REFUSAL, Notice.Kind.DECISION_REJECT, Notice.Kind.LAPSE}
TITLES = {
    Notice.Kind.ACCEPTANCE: ("受理通知书", "SL"),
    Notice.Kind.SUPPLEMENT: ("补正通知书", "BZ"),
    Notice.Kind.REFUSAL: ("不予受理通知书", "BSL"),
    Notice.Kind.DECISION_SUPPORT: ("支持决定通知书", "ZC"),
    Notice.Kind.DECISION_REJECT: ("不予支持决定通知书", "BZC"),
    Notice.Kind.LAPSE: ("终止办理通知书", "SX"),
}


def pdf_files() -> list[Path]:
    return sorted(Path(settings.MEDIA_ROOT).glob("notices/**/*.pdf"))


def issue(application: Application, event: AuditEvent) -> Notice:
    """The notice for the event's transition (the kind follows from the audit action)."""
    kind = {
        "application.accept": Notice.Kind.ACCEPTANCE,
        "application.return": Notice.Kind.SUPPLEMENT,
        "application.refuse": Notice.Kind.REFUSAL,
        "application.approve": Notice.Kind.DECISION_SUPPORT,
        "application.reject": Notice.Kind.DECISION_REJECT,
        "application.lapse": Notice.Kind.LAPSE,
    }[event.action]
    return issue_notice(application_id=application.pk, kind=kind, event_sequence=event.sequence)


def _flat(text: str) -> str:
    """The extracted text without line breaks and spaces: a long line wraps anywhere in Chinese."""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_states_the_names_reference_and_date_in_chinese(kind: str) -> None:
    application, event = application_for_notice(kind)
    notice = issue_notice(application_id=application.pk, kind=kind, event_sequence=event.sequence)

    text = pdftotext(notice.pdf.path)
    flat = _flat(text)
    title, suffix = TITLES[kind]
    assert title in flat
    assert application.applicant.name in flat
    assert application.incentive.name in flat  # 中国质量奖获奖组织质量工作资助金
    assert application.reference in flat
    assert "广东省市场监督管理局" in flat  # the issuing (handling) department, in full
    assert notice.number in flat
    assert notices.format_code(notice.verification_code).replace(" ", "") in flat
    assert f"/verify/{notice.verification_code}/" in flat
    assert re.fullmatch(rf"粤质品〔\d{{4}}〕{re.escape(application.reference)}-{suffix}", notice.number)
    assert notice.department_name == "广东省市场监督管理局"
    assert notice.essentials["applicant_name"] == application.applicant.name
    assert notice.essentials["reference"] == application.reference
    if kind in RIGHTS_KINDS:
        assert "60日内依法申请行政复议" in flat
        assert "6个月内依法提起行政诉讼" in flat
        assert notice.essentials["rights_en"].startswith("If you do not accept this decision")
    else:
        assert "行政复议" not in flat
        assert "rights" not in notice.essentials


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_embeds_a_cjk_font(kind: str) -> None:
    """pdftotext extracts the text even when every character is drawn as an empty box; only the
    embedded fonts tell: a CJK font must be embedded (and subset)."""
    application, event = application_for_notice(kind)
    notice = issue_notice(application_id=application.pk, kind=kind, event_sequence=event.sequence)
    fonts = pdffonts(notice.pdf.path)
    cjk = [f for f in fonts if re.search(r"Noto|WenQuanYi|WQY|CJK", f["name"], re.IGNORECASE)]
    assert cjk, fonts
    assert all(f["emb"] == "yes" for f in cjk)
    assert all(f["emb"] == "yes" for f in fonts), "every font is embedded: no substitution by the reader"


def test_a_character_the_main_font_lacks_falls_back_to_another_cjk_font() -> None:
    """䶮 (CJK Extension A, found in people's names) is not in WenQuanYi Micro Hei: Noto Sans CJK
    draws it, embedded too, instead of an empty box."""
    user = EnterpriseUserFactory(applicant__name="广东刘䶮精密制造有限公司")
    application, event = application_for_notice(Notice.Kind.ACCEPTANCE, user=user)
    notice = issue(application, event)
    assert "广东刘䶮精密制造有限公司" in _flat(pdftotext(notice.pdf.path))
    names = {f["name"].split("+")[-1] for f in pdffonts(notice.pdf.path) if f["emb"] == "yes"}
    assert any("Noto" in name for name in names), names
    assert any("WenQuanYi" in name or "WQY" in name for name in names), names


def test_support_decision_states_the_amount_in_figures_and_words() -> None:
    application, event = application_for_notice(Notice.Kind.DECISION_SUPPORT, amount=Decimal("3000000"))
    notice = issue_notice(
        application_id=application.pk, kind=Notice.Kind.DECISION_SUPPORT, event_sequence=event.sequence
    )
    flat = _flat(pdftotext(notice.pdf.path))
    assert "人民币3,000,000.00元" in flat
    assert "叁佰万元整" in flat
    assert notice.essentials["amount"] == "3000000.00"


def test_supplement_request_states_the_items_and_the_deadline() -> None:
    application, event = application_for_notice(Notice.Kind.SUPPLEMENT)
    notice = issue_notice(application_id=application.pk, kind=Notice.Kind.SUPPLEMENT, event_sequence=event.sequence)
    flat = _flat(pdftotext(notice.pdf.path))
    deadline = application.supplement_deadline
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in flat
    assert "中国质量奖获奖证书扫描件（加盖公章）" in flat
    assert "近三年质量工作情况说明" in flat
    assert notice.essentials["supplement_deadline"] == deadline.isoformat()


def test_refusal_states_the_reasons() -> None:
    application, event = application_for_notice(Notice.Kind.REFUSAL, reasons="申报材料显示企业注册地不在广东省。")
    notice = issue_notice(application_id=application.pk, kind=Notice.Kind.REFUSAL, event_sequence=event.sequence)
    assert "申报材料显示企业注册地不在广东省。" in _flat(pdftotext(notice.pdf.path))


def test_an_individual_is_named_with_the_resident_id_masked() -> None:
    person = IndividualUserFactory()
    resident_id = person.applicant.resident_id
    application, event = application_for_notice(
        Notice.Kind.DECISION_SUPPORT, user=person, incentive_code=IND_AWARD, amount=Decimal("1000000")
    )
    notice = issue_notice(
        application_id=application.pk, kind=Notice.Kind.DECISION_SUPPORT, event_sequence=event.sequence
    )
    text = _flat(pdftotext(notice.pdf.path))
    masked = resident_id[:6] + "********" + resident_id[-4:]
    assert person.applicant.name in text
    assert masked in text
    assert resident_id not in text
    assert resident_id not in str(notice.essentials)
    assert notice.essentials["applicant_identifier"] == masked
    assert "人民币1,000,000.00元" in text and "壹佰万元整" in text


def test_the_decision_facts_come_from_the_event_not_the_current_row() -> None:
    """A task that runs late states what was decided then."""
    application, event = application_for_notice(Notice.Kind.SUPPLEMENT)
    Application.objects.filter(pk=application.pk).update(supplement_request="已改动的要求")
    notice = issue_notice(application_id=application.pk, kind=Notice.Kind.SUPPLEMENT, event_sequence=event.sequence)
    assert "近三年质量工作情况说明" in notice.essentials["supplement_items"]


def test_the_verification_code_has_twelve_unambiguous_characters() -> None:
    codes = {notices.new_verification_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 12
        assert set(code) <= set(CODE_ALPHABET)
    assert not set("0O1IL") & set(CODE_ALPHABET)


# ---- idempotency ------------------------------------------------------------------------------


def test_issuing_twice_returns_the_same_notice_and_one_pdf() -> None:
    application, event = application_for_notice(Notice.Kind.ACCEPTANCE)
    first = issue_notice(application_id=application.pk, kind=Notice.Kind.ACCEPTANCE, event_sequence=event.sequence)
    again = issue_notice(application_id=application.pk, kind=Notice.Kind.ACCEPTANCE, event_sequence=event.sequence)
    assert again.pk == first.pk and again.number == first.number
    assert again.verification_code == first.verification_code
    assert Notice.objects.count() == 1
    assert len(pdf_files()) == 1


def test_the_celery_task_run_twice_makes_one_notice() -> None:
    """As with acks_late: the same message delivered twice (run in-process, as `make run` runs it)."""
    application, event = application_for_notice(Notice.Kind.DECISION_SUPPORT)
    args = (application.pk, Notice.Kind.DECISION_SUPPORT, event.sequence)
    first = generate_notice.apply(args=args).get()
    second = generate_notice.apply(args=args).get()
    assert first == second == Notice.objects.get().number
    assert Notice.objects.count() == 1
    assert len(pdf_files()) == 1


def test_a_lost_race_returns_the_winners_notice_and_leaves_no_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers both find no notice, both render; the unique constraint lets one insert. The
    other deletes its own file and returns the winner's notice."""
    application, event = application_for_notice(Notice.Kind.REFUSAL)
    winner = issue_notice(application_id=application.pk, kind=Notice.Kind.REFUSAL, event_sequence=event.sequence)

    real_existing = notices._existing
    calls = {"n": 0}

    def not_yet_committed(*args: object) -> Notice | None:
        calls["n"] += 1
        return None if calls["n"] == 1 else real_existing(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(notices, "_existing", not_yet_committed)
    loser = issue_notice(application_id=application.pk, kind=Notice.Kind.REFUSAL, event_sequence=event.sequence)
    assert loser.pk == winner.pk
    assert Notice.objects.count() == 1
    assert pdf_files() == [Path(winner.pdf.path)]


def test_a_second_supplement_request_gets_its_own_notice_and_number() -> None:
    application, first_event = application_for_notice(Notice.Kind.SUPPLEMENT)
    first = issue_notice(
        application_id=application.pk, kind=Notice.Kind.SUPPLEMENT, event_sequence=first_event.sequence
    )
    second_event = audit_record(
        actor=None,
        action="application.return",
        obj=application,
        before={"status": "under_review"},
        after={"status": "returned", "supplement_request": "补充财务审计报告", "supplement_deadline": "2026-12-31"},
    )
    second = issue_notice(
        application_id=application.pk, kind=Notice.Kind.SUPPLEMENT, event_sequence=second_event.sequence
    )
    assert second.pk != first.pk
    assert second.number == first.number + "-2"
    assert second.verification_code != first.verification_code
    assert "补充财务审计报告" in _flat(pdftotext(second.pdf.path))


def test_an_event_of_another_application_is_refused() -> None:
    application, _event = application_for_notice(Notice.Kind.ACCEPTANCE)
    _other, other_event = application_for_notice(Notice.Kind.ACCEPTANCE)
    with pytest.raises(NoticeError):
        issue_notice(application_id=application.pk, kind=Notice.Kind.ACCEPTANCE, event_sequence=other_event.sequence)
    with pytest.raises(NoticeError):
        issue_notice(application_id=application.pk, kind="no_such_kind", event_sequence=_event.sequence)
    assert not Notice.objects.exists()
    assert pdf_files() == []


def test_the_review_service_issues_the_acceptance_notice_after_commit(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    """End to end through review.application_accept → on_commit → generate_notice (eager)."""
    user = EnterpriseUserFactory()
    application = Application.objects.create(
        applicant=user.applicant,
        created_by=user,
        incentive=incentive_by_code(),
        fiscal_year=2026,
        status=Status.SUBMITTED,
        reference="QB-2026-17-009001",
    )
    handler = official_for(role=OfficialRole.HANDLER)
    with django_capture_on_commit_callbacks(execute=True):
        accepted = application_accept(actor=handler, application=application)
    notice = Notice.objects.get(application=application)
    assert notice.kind == Notice.Kind.ACCEPTANCE
    assert notice.event_sequence == accepted.audit_event.sequence
    assert notice.essentials["review_due_on"] == accepted.stage_due_on.isoformat()
    assert len(pdf_files()) == 1


# ---- amounts in words ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("3000000", "叁佰万元整"),
        ("1000000.00", "壹佰万元整"),
        ("500000", "伍拾万元整"),
        ("100000000", "壹亿元整"),
        ("1000500", "壹佰万零伍佰元整"),
        ("10050000", "壹仟零伍万元整"),
        ("100010000", "壹亿零壹万元整"),
        ("123456789.12", "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分"),
        ("1001.50", "壹仟零壹元伍角整"),
        ("10.05", "壹拾元零伍分"),
        ("0.30", "叁角整"),
        ("0", "零元整"),
    ],
)
def test_amount_in_words(amount: str, words: str) -> None:
    assert amount_in_words(Decimal(amount)) == words


def test_notices_in_a_row_share_one_font_configuration_and_embed_only_what_each_uses() -> None:
    """portal.pdf keeps WeasyPrint's font configuration for the thread's next documents; a notice
    that needed the fallback font (䶮) leaves nothing behind in the next one."""
    import threading

    from portal.pdf import font_configuration

    fallback = issue(
        *application_for_notice(
            Notice.Kind.ACCEPTANCE, user=EnterpriseUserFactory(applicant__name="广东刘䶮精密制造有限公司")
        )
    )
    configuration = font_configuration()
    plain = issue(*application_for_notice(Notice.Kind.ACCEPTANCE))
    assert font_configuration() is configuration
    embedded = [{f["name"].split("+")[-1] for f in pdffonts(n.pdf.path)} for n in (fallback, plain)]
    assert any("Noto" in name for name in embedded[0]), embedded
    assert not any("Noto" in name for name in embedded[1]), embedded
    other: list[object] = []
    thread = threading.Thread(target=lambda: other.append(font_configuration()))
    thread.start()
    thread.join()
    assert other[0] is not configuration, "Pango's objects stay in their thread"
