"""The steps of the year-end selection (年度评选) a person takes from its pages or through the
API: one table, so the secretary's page (and the 公示 page's objection form), the endpoints
and the OpenAPI document take the same input, call the same use case and cannot drift.

Each use case is called as ``use_case(actor, *path_values, **loaded_input)``, the path
values in the order the path names them. The API answers at ``path`` with ``method``; the
page's form posts to ``page`` (the API's path unless it differs), in the blueprint ``on``
names: ``admin`` (the secretary's page, ``/manage``) or ``web`` (the 公示 page).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from marshmallow import Schema

from wishboard.accounts.models import STAFF, Role
from wishboard.core.schemas import ReasonSchema
from wishboard.honours import services as honours
from wishboard.honours.schemas import (
    CertificateSchema, NomineeCreateSchema, NomineeSchema, ObjectionAnswerSchema,
    ObjectionCreateSchema, ObjectionSchema, PublicityStartSchema, SelectionCreateSchema,
    SelectionSchema, SelectionSettingsSchema,
)


def path_names(path: str) -> tuple[str, ...]:
    """The values a path names, in order: ``/selections/<int:selection_id>/…`` →
    ``("selection_id", …)``."""
    return tuple(re.findall(r"<(?:\w+:)?(\w+)>", path))


@dataclass(frozen=True)
class HonourStep:
    name: str  # the page form's name (with the path's values and the form's fields filled in)
    operation: str  # the endpoint's name in the API (its operationId) and on the page
    method: str
    path: str  # under /api/v1
    schema: type[Schema] | None  # what the form or the JSON body holds (None: its button)
    use_case: Callable
    done: str | Callable  # what the page says once it is done (or a function of the result)
    summary: str  # what the API document says it does (its first line: the summary)
    answer: type[Schema]  # what the API answers (a selection: as the viewer reads it)
    status: int = 200
    many: bool = False
    roles: tuple[Role, ...] = STAFF  # who reaches the endpoint (none: anyone logged in)
    also_answers: dict[int, str] = field(default_factory=dict)
    on: str = "admin"  # the page whose form takes the step
    page: str = ""  # the page form's path, when it is not the API's
    anchor: str | Callable = ""  # where on the page to go back to (or a function of the result)
    page_ignores: tuple[str, ...] = ()  # fields of the page's form that only the page reads

    @property
    def page_path(self) -> str:
        return self.page or self.path

    def said(self, result) -> str:
        return self.done(result) if callable(self.done) else self.done


HONOUR_STEPS = (
    HonourStep(
        "open", "open_selection", "POST", "/communities/<int:community_id>/selections",
        SelectionCreateSchema, honours.open_selection,
        lambda selection: f"已开启{selection.year}年度评选",
        "Open the year's selection (the community's secretary, or an admin): the cut-off day\n"
        "(31 December by default) and the rules (places per division, the least completed "
        "services and average stars). Before the cut-off day ends (400 on ``cutoff`` after); "
        "later only an admin, with a ``reason``.",
        SelectionSchema, 201,
        also_answers={409: "this community's selection of that year is already open "
                           "(selection_exists)"},
        # The page opens one for the community the secretary manages.
        page="/selections"),
    HonourStep(
        "settings", "update_selection", "PATCH", "/selections/<int:selection_id>",
        SelectionSettingsSchema, honours.update_settings, "评选规则已保存",
        "Change the rules while the selection waits for its cut-off: until the cut-off day\n"
        "ends (409 ``cutoff_passed`` after); later only an admin, with a ``reason``.",
        SelectionSchema, page="/selections/<int:selection_id>/settings", anchor="settings"),
    HonourStep(
        "freeze", "freeze_selection", "POST", "/selections/<int:selection_id>/freeze",
        None, honours.freeze_selection, "积分已冻结，已按规则提出候选名单。请检查名单。",
        "Freeze the standings at the cut-off (a snapshot later corrections leave alone) and\n"
        "let the rules propose the nominees.",
        SelectionSchema,
        also_answers={409: "the cut-off day is not over (cutoff_not_reached), or already "
                           "frozen"},
        anchor="next"),
    HonourStep(
        "add-{division}", "add_nominee", "POST", "/selections/<int:selection_id>/nominees",
        NomineeCreateSchema, honours.add_nominee, lambda nominee: f"已增补{nominee.name}",
        "Add a volunteer (party member or elder) or an organisation of the community to the\n"
        "list, with a written reason (shown on the 公示 page).",
        NomineeSchema, 201,
        also_answers={409: "already on the list (already_nominated), the volunteer keeps "
                           "their name off the boards (name_not_public), or the list is not "
                           "being drawn up"},
        anchor=lambda nominee: f"division-{nominee.division.value}",
        page_ignores=("division",)),
    HonourStep(
        "remove-{nominee_id}", "remove_nominee", "POST",
        "/selections/<int:selection_id>/nominees/<int:nominee_id>/remove",
        ReasonSchema, honours.remove_nominee, "已移出名单",
        "Take someone off the list while it is drawn up, with a written reason (for the staff\n"
        "and the audit log, not shown to the public). Once a 公示 has started: only in a "
        "correction round (reopen), and whoever the public saw on the list shows there as "
        "社区移出名单, with the date.",
        NomineeSchema,
        also_answers={409: "not on the list (nominee_not_listed), an objection to them waits "
                           "(objections_open), or the list is not being drawn up (in its 公示: "
                           "reopen after it first; published)"},
        anchor="nominee-{nominee_id}"),
    HonourStep(
        "publicity", "start_publicity", "POST", "/selections/<int:selection_id>/publicity",
        PublicityStartSchema, honours.start_publicity, "公示已开始。可以打印海报贴到公告栏。",
        "Start the 公示: the list is public for ``days`` whole days of 24 hours from now (7\n"
        "by default, at least 5: 400 on ``days``; fewer only by an admin, with a ``reason``).",
        SelectionSchema,
        also_answers={409: "the list is empty (no_nominees), or not being drawn up"},
        anchor="next"),
    HonourStep(
        "objection", "raise_objection", "POST", "/selections/<int:selection_id>/objections",
        ObjectionCreateSchema, honours.raise_objection,
        "异议已提交。社区会逐条答复，答复后会通知您；公示页上不会显示您的姓名。",
        "Object to a nominee, with a reason, while the 公示 runs (anyone logged in). Once\n"
        "answered, the objection and its answer are public, your name never. Only objections "
        "of people whose word counts in the community hold the results back; others (a fresh "
        "or unverified account: at most 2 per selection) are recorded and may be answered.",
        ObjectionSchema, 201, roles=(),
        also_answers={409: "the 公示 is over (publicity_over) or not running, an objection of "
                           "yours to this nominee waits (objection_pending), or too many "
                           "(too_many_objections)"},
        on="web", anchor="objections"),
    HonourStep(
        "answer-{objection_id}", "answer_objection", "POST",
        "/objections/<int:objection_id>/answer",
        ObjectionAnswerSchema, honours.answer_objection, "已答复，提出异议的人会收到通知",
        "Answer an objection in writing: upheld withdraws the nominee, dismissed keeps them.\n"
        "The objector is told.",
        ObjectionSchema,
        also_answers={409: "already answered (objection_answered), or the selection is not in "
                           "its 公示"},
        anchor="objections"),
    HonourStep(
        "answer-all-{nominee_id}", "answer_objections", "POST",
        "/selections/<int:selection_id>/nominees/<int:nominee_id>/answer",
        ObjectionAnswerSchema, honours.answer_objections,
        lambda answered: f"已一并答复{len(answered)}条异议，提出异议的人都会收到通知",
        "One written answer to every objection waiting about one nominee: each is answered\n"
        "as by ``POST /objections/<id>/answer``, and each objector told.",
        ObjectionSchema, many=True,
        also_answers={409: "no objection to this nominee waits (objection_answered), or the "
                           "selection is not in its 公示"},
        anchor="objections"),
    HonourStep(
        "end-early", "end_publicity_early", "POST",
        "/selections/<int:selection_id>/end-publicity-early",
        ReasonSchema, honours.end_publicity_early, "公示已提前结束",
        "End a running 公示 now, with a written reason (admins, for a correction round).",
        SelectionSchema, roles=(Role.ADMIN,),
        also_answers={409: "the 公示 is not running (publicity_over)"},
        page="/selections/<int:selection_id>/end-early", anchor="next"),
    HonourStep(
        "reopen", "reopen_selection", "POST", "/selections/<int:selection_id>/reopen",
        ReasonSchema, honours.reopen_selection, "可以重新调整名单了。调整后请重新公示。",
        "A correction round: back to the list after the 公示, with a written reason; a new\n"
        "公示 must follow.",
        SelectionSchema,
        also_answers={409: "the 公示 still runs (publicity_not_over) or an objection waits "
                           "(objections_open)"},
        anchor="next"),
    HonourStep(
        "publish", "publish_selection", "POST", "/selections/<int:selection_id>/publish",
        None, honours.publish_selection, "评选结果已公布，荣誉证书已发放。",
        "Publish the results: everyone still on the list is honoured and gets a certificate\n"
        "with a verification code.",
        SelectionSchema,
        also_answers={409: "the 公示 still runs (publicity_not_over), an objection waits "
                           "(objections_open), or not in its 公示"},
        anchor="next"),
    HonourStep(
        "withdraw-{code}", "withdraw_certificate", "POST", "/certificates/<code>/withdraw",
        ReasonSchema, honours.withdraw_certificate, "荣誉已撤销，证书核验时会显示已撤销",
        "Withdraw an honour, with a reason (the community's secretary, or an admin): it then\n"
        "verifies as withdrawn, with the date; the holder is told why.",
        CertificateSchema,
        also_answers={409: "already withdrawn (certificate_withdrawn)"},
        anchor="certificates"),
)

STEP = {step.operation: step for step in HONOUR_STEPS}
