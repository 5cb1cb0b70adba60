"""Pages that run scripts still work under the portal's strict Content-Security-Policy (the `page`
fixture fails a test on any violation Chromium reports)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_the_operations_under_the_csp(live_server, page) -> None:
    page.goto(live_server.url + "/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 20
    assert "/api/v1/measures/" in page.locator("#swagger-ui").inner_text()


def test_the_dashboards_bars_show_their_values_without_inline_styles(live_server, page) -> None:
    from django.core.management import call_command

    call_command("demo_data", "--json", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill("demo-enterprise")
    page.locator("#id_password").fill("demo-Enterprise-2026")
    page.locator("form [type=submit]").last.click()
    page.goto(live_server.url + "/me/")
    bar = page.locator("progress.progress").first
    assert bar.get_attribute("value") == "100"
    assert bar.bounding_box()["width"] > 100


def test_the_catalog_editor_shows_each_rule_its_own_fields_under_the_csp(live_server, page) -> None:
    """The administrator signs in with the second factor, opens measure 9's green channel and edits a
    threshold: the criterion shows only the fields its rule reads, switching the rule switches them,
    and the script runs with no CSP violation (the `page` fixture)."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from accounts.two_factor import AUTHENTICATOR
    from measures.models import Incentive

    user = User.objects.create_superuser("root", password="x-Admin-2026")
    device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=True)
    incentive = Incentive.objects.get(code="m9-merger-filing-green-channel")
    criterion = incentive.criteria.get(rule="parties_total_cn_above", valid_from__isnull=False)
    change = f"/admin/measures/incentive/{incentive.pk}/change/"
    page.goto(live_server.url + "/accounts/login/?next=" + change)
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", "x-Admin-2026")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/security/code/" in page.url
    page.fill("input[name=code]", f"{totp(device.bin_key):06d}")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(change)

    block = page.locator(".inline-related", has=page.locator(f"input[name$='-id'][value='{criterion.pk}']"))
    assert block.locator(".field-amount").is_visible()
    assert not block.locator(".field-qualifications").is_visible()
    assert not block.locator(".field-params").is_visible()  # no JSON for a rule with fields
    block.locator("select.criterion-rule").select_option("size_in")
    assert block.locator(".field-sizes").is_visible()
    assert not block.locator(".field-amount").is_visible()
    block.locator("select.criterion-rule").select_option("declaration")
    assert block.locator(".field-text").is_visible()
    assert not block.locator(".field-params").is_visible()  # a declaration has no parameters
    block.locator("select.criterion-rule").select_option("parties_total_cn_above")
    block.locator(".field-amount input").fill("150000万")
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").count() == 1, page.content()[:3000]
    criterion.refresh_from_db()
    assert criterion.params == {"amount": "1500000000"}


def test_the_application_form_is_edited_as_sections_and_fields_under_the_csp(live_server, page) -> None:
    """The form editor writes the JSON the server checks: a new form with one section and a choice."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from accounts.two_factor import AUTHENTICATOR
    from measures.models import Incentive

    user = User.objects.create_superuser("root", password="x-Admin-2026")
    device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=True)
    incentive = Incentive.objects.get(code="m2-sme-ip-rights-assistance")
    assert incentive.application_form == {}
    change = f"/admin/measures/incentive/{incentive.pk}/change/"
    page.goto(live_server.url + "/accounts/login/?next=" + change)
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", "x-Admin-2026")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.fill("input[name=code]", f"{totp(device.bin_key):06d}")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(change)

    editor = page.locator(".form-editor")
    assert not page.locator("textarea[name=application_form]").is_visible()  # fields, not JSON
    editor.locator(".form-editor-own-form").click()
    section = editor.locator(".form-editor-section").first
    section.locator("input[data-prop=title]").first.fill("申报内容")
    field = section.locator(".form-editor-field").first
    field.locator("input[data-prop=key]").fill("route")
    field.locator("select[data-prop=type]").select_option("choice")
    field.locator("input[data-prop=label]").first.fill("维权方式")
    field.locator("input[data-prop=required]").check()
    option = field.locator(".form-editor-option").first
    option.locator("input[data-prop=value]").fill("mediation")
    option.locator("input[data-prop=label]").fill("调解")
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").count() == 1, page.locator(".errorlist").all_inner_texts()
    incentive.refresh_from_db()
    assert incentive.application_form == {
        "sections": [
            {
                "key": "claim",
                "title": "申报内容",
                "fields": [
                    {
                        "key": "route",
                        "type": "choice",
                        "label": "维权方式",
                        "required": True,
                        "options": [{"value": "mediation", "label": "调解"}],
                    }
                ],
            }
        ],
        "claim": {},
    }
