"""The batch page: an uploaded manifest in; the per-row report, then the packets as a ZIP or one print file, out (in memory only)."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from ..building import overdue
from ..content.upload import Upload
from ..errors import ContentErrors, HandoutError
from ..packing import pack_batch
from .app import posted, session_of, site_of
from .forms import WORDS
from .pages import page


def _batch(request: Request, status: int = 200, report: dict | None = None, problems: list[str] = ()) -> Response:
    return page(request, "batch.html", status, page="batch", report=report, problems=list(problems))


async def batch_page(request: Request) -> Response:
    return _batch(request)


async def run(request: Request) -> Response:
    site = site_of(request)
    form = await posted(request)
    upload = form.get("manifest")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _batch(request, 422, problems=["Manifest: expected a CSV or YAML file, found none; "
                                              "choose the file to upload"])
    if not site.options.allow_expired:
        # As `handouts batch` does: content whose review date has passed (today, not when the page started)
        # stops the batch before any packet is made.
        handouts = [handout for versions in site.catalogue.by_id.values() for handout in versions.values()]
        late = overdue(handouts, site.today())
        if late:
            return _batch(request, 422, problems=[problem.text(WORDS) for problem in late])
    manifest = Upload(upload.filename, await upload.read())
    cover, duplex = bool(form.get("cover")), bool(form.get("duplex"))
    try:
        packed = await run_in_threadpool(pack_batch, manifest, site.catalogue, cover=cover, print_file=True,
                                         duplex=duplex, max_rows=site.options.max_batch_rows)
    except ContentErrors as errors:
        return _batch(request, 422, problems=[error.text(WORDS) for error in errors.errors])
    except HandoutError as error:
        return _batch(request, 422, problems=[error.text(WORDS)])
    user = session_of(request).user
    # Who got which handouts, by MRN: the names stay in the manifest, which the page never keeps.
    made = [{"mrn": result.mrn, "handouts": list(result.request.handouts)}
            for result in packed.results if result.request is not None and result.file]
    await site.audit.note(user, "batch", rows=len(packed.results), made=packed.made, failed=packed.failed,
                          packets=made)
    key = site.batches.put(user, packed) if packed.packets else ""
    rows = [{"line": result.line, "mrn": result.mrn, "status": result.status, "pages": result.pages,
             "problems": [_said(told) for told in result.errors], "warnings": [_said(told) for told in result.warnings]}
            for result in packed.results]
    return _batch(request, report={"rows": rows, "made": packed.made, "failed": packed.failed, "key": key,
                                   "name": manifest.name, "duplex": duplex},
                  problems=[_said(warning) for warning in packed.warnings])


def _said(told) -> str:
    return told.text(WORDS) if hasattr(told, "text") else str(told)


async def download(request: Request) -> Response:
    site = site_of(request)
    form = await posted(request)
    user = session_of(request).user
    packed = site.batches.get(user, str(form.get("batch", "")))
    if packed is None:
        return _batch(request, 410, problems=["These packets are no longer held (they are kept 15 minutes, in memory "
                                              "only); upload the manifest again"])
    what = "print" if form.get("what") == "print" else "zip"
    await site.audit.note(user, "batch download", what=what,
                          mrns=[name.removesuffix(".pdf") for name in packed.packets])
    if what == "print":
        return Response(packed.print_file, media_type="application/pdf",
                        headers={"content-disposition": 'attachment; filename="print-file.pdf"'})
    return Response(packed.zip(), media_type="application/zip",
                    headers={"content-disposition": 'attachment; filename="packets.zip"'})
