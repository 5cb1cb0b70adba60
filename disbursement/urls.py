"""Finance's pages, under /finance/ (app_name "disbursement"): batches here, budgets from the budgets app."""

from django.urls import path

from budgets import views as budget_views

from . import views

app_name = "disbursement"


urlpatterns = [
    path("", views.batches, name="batches"),
    path("budgets/", budget_views.budgets, name="budgets"),
    path("batches/new/", views.build, name="build"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("batches/<int:pk>/approve/", views.approve, name="approve"),
    path("batches/<int:pk>/discard/", views.discard, name="discard"),
    path("batches/<int:pk>/payment-file/<str:file_format>/", views.payment_file, name="payment_file"),
    path("batches/<int:pk>/results/", views.results, name="results"),
    path("batches/<int:pk>/results/confirm/", views.results_confirm, name="results_confirm"),
    path("batches/<int:pk>/results/jobs/<int:job_id>/", views.results_job, name="results_job"),
    path("batches/<int:pk>/payments/<str:reference>/cancel/", views.cancel_payment, name="cancel_payment"),
]
