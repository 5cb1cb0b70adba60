"""API routes of accounts, included under /api/v1/ by portal/urls.py."""

from django.urls import path

from . import api, tokens_api

urlpatterns = [
    path("register/enterprise/", api.EnterpriseRegistrationView.as_view(), name="api-register-enterprise"),
    path("register/individual/", api.IndividualRegistrationView.as_view(), name="api-register-individual"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("me/qualifications/", api.QualificationListView.as_view(), name="api-me-qualifications"),
    path("me/qualifications/<int:pk>/", api.QualificationDetailView.as_view(), name="api-me-qualification"),
    path("me/bank-account/", api.BankAccountView.as_view(), name="api-me-bank-account"),
    path("auth/token/", tokens_api.ObtainTokenView.as_view(), name="api-token"),
    path("tokens/", tokens_api.TokenListView.as_view(), name="api-tokens"),
    path("tokens/<str:token_id>/", tokens_api.TokenDetailView.as_view(), name="api-token-detail"),
]
