"""What people read is written Chinese, not machine text: Django's own messages in the portal's
wording, no "---------" in a list, full-width punctuation in every Chinese message."""

import re
from pathlib import Path

import polib
import pytest
from django import forms
from django.contrib.auth.password_validation import UserAttributeSimilarityValidator
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import User
from measures.models import Department
from portal.languages import labelled

CATALOG = Path(__file__).resolve().parent.parent / "locale/zh_Hans/LC_MESSAGES/django.po"


def _messages(field: forms.Field, value: str) -> list[str]:
    try:
        field.clean(value)
    except ValidationError as error:
        return [str(m) for m in error.messages]
    return []


def test_djangos_field_messages_are_the_portals_wording() -> None:
    with translation.override("zh-hans"):
        assert _messages(forms.DecimalField(), "abc") == ["请填写数字，例如 1000000 或 1,000,000。"]
        assert _messages(forms.CharField(), "") == ["此项为必填项。"]
        assert _messages(forms.DateField(), "明天") == ["请填写正确的日期，例如 2026-06-30。"]
    with translation.override("en"):
        assert _messages(forms.DecimalField(), "abc") == ["Enter a number."]


def test_a_formset_asking_for_one_row_says_so_plainly() -> None:
    class Row(forms.Form):
        name = forms.CharField()

    rows = forms.formset_factory(Row, min_num=1, validate_min=True, extra=0)
    formset = rows({"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0"})
    with translation.override("zh-hans"):
        assert not formset.is_valid()
        assert formset.non_form_errors() == ["请至少填写 1 项。"]  # was "请至少提交 1 个表单。"


@pytest.mark.django_db
def test_a_password_like_the_username_is_refused_in_plain_chinese() -> None:
    user = User(username="zhangsan2026")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        UserAttributeSimilarityValidator().validate("zhangsan2026", user)
    assert refused.value.messages == ["密码与用户名过于相似，请换一个。"]  # was "密码跟 用户名 太相似了。"


@pytest.mark.django_db
def test_an_empty_choice_reads_choose_not_dashes() -> None:
    field = forms.ModelChoiceField(queryset=Department.objects.all())
    with translation.override("zh-hans"):
        html = field.widget.render("department", None, attrs={"id": "id_department"})
    assert '<option value="" selected>请选择</option>' in html and "---------" not in html


def test_a_label_and_its_text_use_the_languages_colon() -> None:
    with translation.override("zh-hans"):
        assert labelled("金额", "请填写数字") == "金额：请填写数字"
    with translation.override("en"):
        assert labelled("Amount", "Enter a number.") == "Amount: Enter a number."


# Placeholders, tags, addresses and entities are not prose: masked before punctuation is checked.
NOT_PROSE = re.compile(r"%\([^)]+\)[sdfir]|%[sdfi]|\{[^{}]*\}|<[^>]+>|https?://\S+|&[a-z]+;")
CJK = r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef“”‘’]"
HALF_WIDTH_IN_CHINESE = re.compile(rf"(?<={CJK})\s?[:;,?!()]|[()](?={CJK})|\((?=[^()]*{CJK}[^()]*\))")


def test_every_chinese_message_uses_full_width_punctuation() -> None:
    """ "金额: " and "(如有)" read as machine text: Chinese takes "：" and "（）"."""
    offending = []
    for entry in polib.pofile(str(CATALOG)):
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        offending += [text for text in texts if HALF_WIDTH_IN_CHINESE.search(NOT_PROSE.sub("X", text))]
    assert offending == []


def test_the_punctuation_check_catches_half_width_marks() -> None:
    assert HALF_WIDTH_IN_CHINESE.search("金额: 100")
    assert HALF_WIDTH_IN_CHINESE.search("证明文件(如有)")
    assert not HALF_WIDTH_IN_CHINESE.search(NOT_PROSE.sub("X", "%(label)s：%(text)s，共 3 项（如有）"))


def test_templates_join_translated_text_with_the_languages_punctuation() -> None:
    from django.template import Context, Template

    template = Template('{% load i18n %}{% translate "Amount" %}{% colon %}100{{ _("if available")|parenthesised }}')
    with translation.override("zh-hans"):
        assert template.render(Context()) == "金额：100（如有）"
    with translation.override("en"):
        assert template.render(Context()) == "Amount: 100 (if available)"


def test_parenthesised_escapes_what_it_wraps() -> None:
    from portal.templatetags.punctuation import parenthesised

    with translation.override("en"):
        assert parenthesised("<b>") == " (&lt;b&gt;)"


def test_a_date_box_shows_its_date_in_every_language() -> None:
    """In Chinese a date is written 2026/12/05, which a browser's date box cannot show: it came up
    empty and the date was lost on the next save (the meeting and recovery forms)."""
    import datetime as dt

    from portal.forms import DateBox

    for language in ("zh-hans", "en"):
        with translation.override(language):
            html = DateBox().render("held_on", dt.date(2026, 12, 5))
        assert 'type="date"' in html and 'value="2026-12-05"' in html, (language, html)
