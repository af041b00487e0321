"""The desk's dispatch pages: hand a batch to the lab, download its manifest,
and book tubes in as received by scanning their barcodes."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from common.errors import ApplicationError
from specimens.manifest_exports import manifest_csv, manifest_xlsx
from specimens.manifests import manifest_create, manifest_rows, specimens_receive
from specimens.models import Manifest, Specimen, SpecimenStatus
from specimens.scope import allowed_site_ids
from specimens.views import desk_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _site_id(request: HttpRequest) -> int:
    raw = request.GET.get("site") or request.POST.get("site") or ""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise PermissionDenied
    site_id = int(raw)
    site_ids = allowed_site_ids(request.user)
    if site_ids is not None and site_id not in site_ids:
        raise PermissionDenied
    return site_id


@require_http_methods(["GET", "POST"])
@desk_page
def manifests_page(request: HttpRequest) -> HttpResponse:
    site_id = _site_id(request)
    error = None
    if request.method == "POST":
        try:
            manifest = manifest_create(
                site_id=site_id,
                by=request.user,
                site_ids=allowed_site_ids(request.user),
            )
        except ApplicationError as problem:
            error = problem
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d tube handed to the lab.",
                    "%(count)d tubes handed to the lab.",
                    manifest.count,
                )
                % {"count": manifest.count},
            )
            return redirect(reverse("specimens-manifest", args=[manifest.pk]))
    waiting = Specimen.objects.filter(
        visit__site_id=site_id, status=SpecimenStatus.COLLECTED
    ).count()
    return render(
        request,
        "specimens/manifests.html",
        {
            "site_id": site_id,
            "waiting": waiting,
            "manifests": Manifest.objects.filter(site_id=site_id)[:50],
            "error": error,
        },
        status=error.status if error else 200,
    )


def _manifest(request: HttpRequest, manifest_id: int) -> Manifest:
    manifest = Manifest.objects.filter(pk=manifest_id).first()
    if manifest is None:
        raise Http404
    site_ids = allowed_site_ids(request.user)
    if site_ids is not None and manifest.site_id not in site_ids:
        raise PermissionDenied
    return manifest


@require_http_methods(["GET"])
@desk_page
def manifest_page(request: HttpRequest, manifest_id: int) -> HttpResponse:
    manifest = _manifest(request, manifest_id)
    return render(
        request,
        "specimens/manifest.html",
        {"manifest": manifest, "rows": manifest_rows(manifest)},
    )


@require_http_methods(["GET"])
@desk_page
def manifest_download(request: HttpRequest, manifest_id: int, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    manifest = _manifest(request, manifest_id)
    if fmt == "csv":
        body, kind = manifest_csv(manifest), "text/csv; charset=utf-8"
    else:
        body, kind = manifest_xlsx(manifest), XLSX
    response = HttpResponse(body, content_type=kind)
    name = f"manifest-{manifest.pk}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
@desk_page
def receive_page(request: HttpRequest) -> HttpResponse:
    receipts = []
    if request.method == "POST":
        receipts = specimens_receive(
            raw=request.POST.get("barcodes", "")[:20000],
            by=request.user,
            site_ids=allowed_site_ids(request.user),
        )
    bad = any(r.outcome != "received" for r in receipts)
    return render(
        request,
        "specimens/receive.html",
        {"receipts": receipts},
        status=400 if bad else 200,
    )
