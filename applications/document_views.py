"""The applicant's documents of an application: the list with uploads, one file shown inline, a removal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import signed_in_user
from portal.uploads import CONTENT_TYPES

from .forms import DocumentUploadForm
from .models import ApplicationDocument
from .selectors import access_application
from .services import (
    EDITABLE,
    ApplicationError,
    DocumentRejected,
    TransitionNotAllowed,
    document_add,
    document_remove,
)
from .views import detail_redirect, document_rows, page_key


@login_required
@require_http_methods(["GET", "POST"])
def documents(request: HttpRequest, key: str) -> HttpResponse:
    application = access_application(request.user, key, own_only=True)
    editable = application.status in EDITABLE
    posted = request.method == "POST"
    form = DocumentUploadForm(
        request.POST if posted else None, request.FILES if posted else None, incentive=application.incentive
    )
    problem = ""
    status = 200
    if request.method == "POST":
        if not editable:
            messages.info(request, _("This application can no longer be changed."))
            return detail_redirect(application)
        if form.is_valid():
            try:
                added = document_add(
                    actor=signed_in_user(request),
                    application=application,
                    upload=form.cleaned_data["file"],
                    required_document=form.required_document(),
                )
            except DocumentRejected as exc:
                form.add_error("file", exc.message)
                status = 413 if exc.too_large else 400
            except (ApplicationError, TransitionNotAllowed) as exc:
                problem = getattr(exc, "message", str(exc))
                status = 409
            else:
                messages.success(request, _("“%(name)s” is uploaded.") % {"name": added.original_name})
                return redirect("applications:documents", page_key(application))
        else:
            status = 400
    rows, others, state = document_rows(application)
    error_links = [(f"#{form[name].auto_id}", message) for name, errors in form.errors.items() for message in errors]
    return render(
        request,
        "applications/documents.html",
        {
            "application": application,
            "key": page_key(application),
            "form": form,
            "document_rows": rows,
            "other_documents": others,
            "state": state,
            "editable": editable,
            "problem": problem,
            "error_links": error_links,
        },
        status=status,
    )


def document_file_response(document: ApplicationDocument) -> FileResponse:
    """The stored file, shown inline under its cleaned original name; the browser may not guess
    another type."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=CONTENT_TYPES.get(document.format, "application/octet-stream"),
        filename=document.original_name,
        as_attachment=False,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def document(request: HttpRequest, key: str, document_id: int) -> FileResponse:
    application = access_application(request.user, key, own_only=True)
    found = next((d for d in application.documents.all() if d.pk == document_id), None)
    if found is None:
        raise Http404
    return document_file_response(found)


@login_required
@require_POST
def document_delete(request: HttpRequest, key: str, document_id: int) -> HttpResponse:
    application = access_application(request.user, key, own_only=True)
    found = next((d for d in application.documents.all() if d.pk == document_id), None)
    if found is None:
        raise Http404
    try:
        document_remove(actor=signed_in_user(request), document=found)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("“%(name)s” is removed.") % {"name": found.original_name})
    return redirect("applications:documents", page_key(application))
