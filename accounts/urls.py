"""Account pages (namespace "accounts"); Django's login and logout are in portal/urls.py."""

from django.urls import path

from . import identity_views, oidc, security_views, views

app_name = "accounts"

urlpatterns = [
    path("start/", views.landing, name="landing"),
    path("register/", views.register, name="register"),
    path("register/enterprise/", views.register_enterprise, name="register_enterprise"),
    path("register/individual/", views.register_individual, name="register_individual"),
    path("verify-email/resend/", views.resend_verification, name="resend_verification"),
    path("verify-email/<str:token>/", views.verify_email, name="verify_email"),
    path("profile/", views.profile, name="profile"),
    path("profile/qualifications/", views.qualifications, name="qualifications"),
    path("profile/qualifications/<int:pk>/delete/", views.qualification_delete, name="qualification_delete"),
    path("profile/qualifications/<int:pk>/evidence/", views.qualification_evidence, name="qualification_evidence"),
    path("profile/bank-account/", views.bank_account, name="bank_account"),
    path("profile/bank-account/delete/", views.bank_account_delete, name="bank_account_delete"),
    path("profile/invite/", views.invite, name="invite"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("reset/done/", views.password_reset_complete, name="password_reset_complete"),
    # The second factor and API keys (accounts/security_views.py).
    path("security/", security_views.security, name="security"),
    path("security/setup/", security_views.two_factor_setup, name="two_factor_setup"),
    path("security/code/", security_views.two_factor_verify, name="two_factor_verify"),
    path("security/recovery-codes/", security_views.recovery_codes_regenerate, name="recovery_codes"),
    path("security/remove-second-factor/", security_views.two_factor_disable, name="two_factor_disable"),
    path("security/keys/", security_views.token_issue, name="token_issue"),
    path("security/keys/<str:token_id>/revoke/", security_views.token_revoke, name="token_revoke"),
    # Enterprise identity (accounts/identity.py): verification, claims, officials' checks, single sign-on.
    path("identity/", identity_views.identity_page, name="identity"),
    path("identity/<int:pk>/withdraw/", identity_views.identity_withdraw, name="identity_withdraw"),
    path("identity/<int:pk>/licence/", identity_views.identity_licence, name="identity_licence"),
    path("claim/", identity_views.claim, name="claim"),
    path("verifications/", identity_views.verifications, name="verifications"),
    path("verifications/<int:pk>/", identity_views.verification, name="verification"),
    path("sso/start/", oidc.sso_start, name="sso_start"),
    path("sso/callback/", oidc.sso_callback, name="sso_callback"),
]
