"""The admin speaks Chinese by default: third-party apps are named in Chinese, not by their labels."""

import pytest
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_admin_index_names_third_party_apps_in_chinese() -> None:
    root = User.objects.create_superuser("root", "root@example.com", "x")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(root)
    html = client.get("/admin/").content.decode()
    for chinese in ("API 密钥", "登录尝试记录", "身份验证器", "恢复码", "登录尝试", "登录日志"):
        assert chinese in html, chinese
    for label in (">Knox<", ">Axes<", ">Otp_Totp<", ">Otp_Static<", "Access attempts", "Model name"):
        assert label not in html, label
    # Nor their models: knox's and django-otp's declare English names only.
    for english in ("Auth tokens", "TOTP devices", "Static devices"):
        assert english not in html, english
    totp = client.get("/admin/otp_totp/totpdevice/").content.decode()
    assert "TOTP device" not in totp and "身份验证器" in totp


def test_the_admin_index_in_english_keeps_english_names() -> None:
    root = User.objects.create_superuser("root", "root@example.com", "x")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(root)
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign-in attempts" in html and "Authenticator apps" in html
    assert "API keys" in html and "Sets of recovery codes" in html
