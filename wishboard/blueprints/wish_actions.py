"""The moves a person makes on a wish from its page or through the API: one table, so the
buttons and the endpoints take the same input, call the same use case and cannot drift.

Each use case is called as ``use_case(actor, wish_id, **loaded_input)`` and returns the
wish; ``POST /wishes/<id>/<name>`` (the page's form, or the API's JSON body) runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from marshmallow import Schema

from wishboard.core.schemas import ReasonSchema
from wishboard.wishes import hours, services as wishes
from wishboard.wishes.schemas import ClaimCreateSchema, CompleteSchema, ConfirmHoursSchema


@dataclass(frozen=True)
class WishAction:
    name: str  # the URL's last part
    operation: str  # the API endpoint's name (its operationId)
    schema: type[Schema]  # what the form or the JSON body holds
    use_case: Callable
    done: str | Callable  # what the page says once it is done (or a function of the wish)
    summary: str  # what the API document says it does


WISH_ACTIONS = (
    WishAction("claim", "claim_wish", ClaimCreateSchema, wishes.claim_wish,
               "认领成功！责任书已公示，请按时完成服务。",
               "Claim an open wish by accepting its responsibility letter (approved "
               "volunteers)."),
    WishAction("release", "release_wish", ReasonSchema, wishes.release_claim,
               "已释放认领，心愿重新开放。",
               "Give a claimed wish back (the claimant, or the secretary); it reopens."),
    WishAction("complete", "complete_wish", CompleteSchema, wishes.complete_wish,
               "已标记完成，谢谢您的服务！服务对象或社区确认后，完成和时长计入积分。",
               "The claimant reports the service done, with hours and a note."),
    WishAction("confirm", "confirm_hours", ConfirmHoursSchema, hours.confirm_hours,
               lambda wish: "已记为未实际服务，认领积分已扣回。" if hours.was_not_served(wish)
               else "服务已确认，完成和时长已计入志愿者积分。",
               "Confirm that the service took place, with the hours the volunteer stated "
               "(the person served, or the secretary, who may adjust them with a reason, "
               "or with `hours` 0 and a reason record that no service took place: the "
               "claim's points are taken back). Only a confirmed completion and its hours "
               "earn points."),
)
