"""年度评选 for everyone: the 公示 page (and the results once published), its A4 poster and
QR code, objections from anyone logged in; certificates (a printable A4 page and a PDF)
and their verification by code.

None of these pages is kept by the page cache (``wishboard.pagecache``): the 公示 page
turns at the end of its period, a moment no write marks; a verification must say at once
that an honour was withdrawn; and they are read rarely, from a poster or a certificate."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from wishboard.access import sees_certificate_name
from wishboard.blueprints.forms import submit_form
from wishboard.blueprints.honour_pages import selection_page
from wishboard.blueprints.honour_steps import HONOUR_STEPS, HonourStep, path_names
from wishboard.blueprints.login import login_required
from wishboard.blueprints.qr import qr_image
from wishboard.blueprints.web import bp, viewer
from wishboard.errors import ConflictError, NotFoundError
from wishboard.honours import services as honours
from wishboard.honours.models import HonourDivision
from wishboard.honours.pdf import certificate_pdf, certificate_words
from wishboard.privacy import mask_name
from wishboard.templating import public_url


def _render_selection(selection_id: int, form=None, status: int = 200):
    view = selection_page(viewer(), selection_id)
    mine = [o for o in view.objections
            if current_user.is_authenticated and o.user_id == current_user.id]
    return render_template("web/selection.html", view=view, selection=view.selection,
                           community=view.selection.community, divisions=list(HonourDivision),
                           form=form, mine=mine), status


@bp.get("/selections/<int:selection_id>")
def selection_detail(selection_id):
    """年度评选公示 (or the results): the list with the figures that earned each place,
    the answered objections, and the form to object while the 公示 runs."""
    return _render_selection(selection_id)


def _step_form(step: HonourStep):
    """A step taken on the 公示 page (an objection: ``honour_steps``): run it; on a mistake,
    the page again with the words next to the form."""
    names = path_names(step.page_path)

    def view(selection_id, **values):
        values["selection_id"] = selection_id
        form = submit_form(step.schema, lambda d: step.use_case(
            current_user, *(values[n] for n in names), **d))
        if not form.ok:
            return _render_selection(selection_id, form, 400)
        flash(step.said(form.result), "success")
        return redirect(url_for("web.selection_detail", selection_id=selection_id,
                                _anchor=step.anchor))

    view.__name__ = step.operation
    return login_required(view)


for _step in HONOUR_STEPS:
    if _step.on == "web":
        bp.add_url_rule(_step.page_path, view_func=_step_form(_step), methods=["POST"])


@bp.get("/selections/<int:selection_id>/poster")
def selection_poster(selection_id):
    view = selection_page(viewer(), selection_id)
    return render_template("web/selection_poster.html", view=view,
                           selection=view.selection, divisions=list(HonourDivision))


@bp.get("/selections/<int:selection_id>/share-qr.<any(svg, png):kind>")
def selection_share_qr(selection_id, kind):
    selection = honours.read_selection(None, selection_id)
    return qr_image(public_url("web.selection_detail", selection_id=selection.id), kind=kind,
                    headers={"Cache-Control": "no-cache"})


# Certificates ---------------------------------------------------------------------------

def _named(certificate) -> bool:
    """The certificate names its holder to this viewer (``access.sees_certificate_name``):
    else the page and the PDF are the holder's and the staff's, and the public reads the
    verification (the family name only)."""
    return sees_certificate_name(viewer(), certificate)


@bp.get("/certificates/<code>")
def certificate_page(code):
    """荣誉证书, printable on A4; a withdrawn one says so instead."""
    certificate = honours.get_certificate(code)
    if not _named(certificate):
        return redirect(url_for("web.verify_certificate", code=certificate.code))
    if certificate.code != code:  # typed in lower case, or with dashes
        return redirect(url_for("web.certificate_page", code=certificate.code))
    return render_template("web/certificate.html", certificate=certificate,
                           words=certificate_words(certificate),
                           verify_url=public_url("web.verify_certificate",
                                                 code=certificate.code))


@bp.get("/certificates/<code>/pdf")
def certificate_pdf_download(code):
    certificate = honours.get_certificate(code)
    if not _named(certificate):
        return redirect(url_for("web.verify_certificate", code=certificate.code))
    if not certificate.stands:
        raise ConflictError("这份荣誉已经撤销，不能再下载证书",
                            message_en="This honour was withdrawn",
                            code="certificate_withdrawn")
    body = certificate_pdf(certificate, public_url("web.verify_certificate",
                                                   code=certificate.code))
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f"inline; filename=certificate-{certificate.code}.pdf",
        "Cache-Control": "no-cache"})


@bp.get("/certificates/<code>/qr.<any(svg, png):kind>")
def certificate_qr(code, kind):
    certificate = honours.get_certificate(code)
    return qr_image(public_url("web.verify_certificate", code=certificate.code), kind=kind,
                    headers={"Cache-Control": "public, max-age=86400"})


@bp.get("/verify")
def verify_form():
    """证书核验: type the code printed on a certificate."""
    code = (request.args.get("code") or "").strip()
    error = None
    if code:
        normal = honours.normalise_code(code)
        if normal:
            return redirect(url_for("web.verify_certificate", code=normal))
        error = "验证码是12位字母和数字，请核对证书上的验证码"
    return render_template("web/verify_form.html", code=code, error=error)


@bp.get("/verify/<code>")
def verify_certificate(code):
    """What a QR code on a certificate opens: who, what honour, which year, which
    community, and whether it still stands."""
    try:
        certificate = honours.get_certificate(code)
    except NotFoundError:
        return render_template("web/verify.html", certificate=None, code=code), 404
    name = certificate.name if _named(certificate) else mask_name(certificate.name)
    return render_template("web/verify.html", certificate=certificate, code=code, name=name)


# What other pages show of the honours (我的, a points card, an organisation's page, the
# 光荣榜): read-only, the same for every viewer of those pages.

@bp.app_template_global()
def certificates_of(user_id=None, organization_id=None, standing_only=True):
    return honours.certificates_of(user_id=user_id, organization_id=organization_id,
                                   standing_only=standing_only)


@bp.app_template_global()
def my_honours(user):
    """我的: my certificates (and my organisations'), and the objections I raised."""
    return {"certificates": honours.my_certificates(user),
            "objections": honours.my_objections(user)}


@bp.app_template_global()
def public_selections(community_id):
    return honours.public_selections(community_id)
