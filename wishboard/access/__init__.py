"""The rule book: who may act on which community, and what a viewer may do with each
object. Services ask it and raise the refusals found here; the API and the pages show what
its ``*_rights`` allow, and templates never test states or roles themselves. What a viewer
*sees* of the people a wish serves is decided once too, in ``wishboard.privacy``, from
``can_see_private_details``.

One module per object; import from ``wishboard.access`` (every public rule is here):

- ``core``: one person (``same_person``: an account and its volunteer hat), who manages a
  community (``can_manage_community``, ``community_refusal``, ``ensure_*``), **which
  community the staff act on** (``staff_scope``, ``managed_community_id`` for /manage),
  who reads the audit log (``audit_log_refusal``), roll-ups (``rollup_refusal``,
  ``is_rollup_account``)
- ``wishes``: seeing a wish and its private details, claim (also for an organisation:
  双报到) / complete / release / close and cancel refusals, hours confirmation,
  ``completed_claim``, ``WishRights``/``wish_rights``
- ``ratings``: ``rating_refusal``, ``organization_tie``, ``is_trusted_rater``
- ``people``: reset codes, volunteer hats, neighbours and ``need_refusal``, service
  profiles and suggestions, grid duties and contact phones, service cards
- ``organizations``: reporting, managing, joining and leaving an organisation, member
  phones, ``OrganizationRights``/``organization_rights``
- ``projects``: joining a project, logging service and who confirms a log; publishing,
  organising and signing up for an activity, ``attendance_earns``
- ``invitations``: who invites, who may be invited, who answers
- ``honours``: the year-end selection's steps, objections, names shown, certificates,
  ``SelectionRights``/``selection_rights``
"""

from wishboard.access.core import (
    audit_log_refusal, can_manage_community, community_refusal, ensure_admin,
    ensure_can_manage_community, is_rollup_account, managed_community_id, places_above,
    rollup_refusal, runs_community_id, same_person, staff_scope,
)
from wishboard.access.honours import (
    SELECTION_STATE_REFUSALS, SelectionRights, after_cutoff_refusal, can_see_objector,
    can_see_selection, can_see_withdrawal_reason, end_publicity_refusal,
    is_certificate_holder, objection_blocks, objection_refusal, publicity_days_refusal,
    publicity_over_refusal, sees_certificate_name, sees_nominee_name, selection_rights,
    selection_state_refusal,
)
from wishboard.access.invitations import (
    INVITATION_REFUSALS, answer_refusal, invitation_answerer_id, invitation_answerer_ids,
    invitation_state_refusal, invite_refusal, invitee_refusal,
)
from wishboard.access.organizations import (
    OrganizationRights, can_manage_organization, can_see_organization, in_another_organization,
    is_organization_contact, joins_organizations, leave_refusal, member_phone_reason,
    membership_decision_refusal, membership_request_refusal, organization_contact_id,
    organization_manage_refusal, organization_not_approved, organization_rights,
    report_organization_refusal,
)
from wishboard.access.people import (
    contact_phone_reason, grid_contact_places, grid_duty_refusal, is_neighbour,
    known_neighbours, need_refusal, profile_refusal, reset_code_refusal,
    service_card_refusal, service_card_revoke_refusal, suggestions_refusal,
    volunteer_hat_refusal,
)
from wishboard.access.projects import (
    activity_contact_organization, attendance_earns, can_confirm_logs, can_organize_activity,
    can_publish_activity, confirmable_logs, ensure_activity_organizer, log_confirm_refusal,
    log_refusal, may_join, signup_refusal,
)
from wishboard.access.ratings import (
    MEMBERSHIP_ENDINGS, TIE_DAYS, is_trusted_rater, organization_tie, rating_refusal,
)
from wishboard.access.wishes import (
    WishRights, can_see_private_details, can_see_state, can_see_wish, claim_organization_needed,
    claim_refusal, complete_refusal, completed_claim, confirm_hours_refusal, manage_refusal,
    private_details_reason, release_refusal, wish_rights,
)

__all__ = [
    # core
    "audit_log_refusal", "can_manage_community", "community_refusal", "ensure_admin",
    "ensure_can_manage_community", "is_rollup_account", "managed_community_id",
    "places_above", "rollup_refusal", "runs_community_id", "same_person", "staff_scope",
    # honours
    "SELECTION_STATE_REFUSALS", "SelectionRights", "after_cutoff_refusal", "can_see_objector",
    "can_see_selection", "can_see_withdrawal_reason", "end_publicity_refusal",
    "is_certificate_holder", "objection_blocks", "objection_refusal", "publicity_days_refusal",
    "publicity_over_refusal", "sees_certificate_name", "sees_nominee_name",
    "selection_rights", "selection_state_refusal",
    # invitations
    "INVITATION_REFUSALS", "answer_refusal", "invitation_answerer_id",
    "invitation_answerer_ids", "invitation_state_refusal", "invite_refusal",
    "invitee_refusal",
    # organizations
    "OrganizationRights", "can_manage_organization", "can_see_organization",
    "in_another_organization", "is_organization_contact", "joins_organizations",
    "leave_refusal", "member_phone_reason", "membership_decision_refusal",
    "membership_request_refusal", "organization_contact_id", "organization_manage_refusal",
    "organization_not_approved", "organization_rights", "report_organization_refusal",
    # people
    "contact_phone_reason", "grid_contact_places", "grid_duty_refusal", "is_neighbour",
    "known_neighbours", "need_refusal", "profile_refusal", "reset_code_refusal",
    "service_card_refusal", "service_card_revoke_refusal", "suggestions_refusal",
    "volunteer_hat_refusal",
    # projects and activities
    "activity_contact_organization", "attendance_earns", "can_confirm_logs",
    "can_organize_activity", "can_publish_activity", "confirmable_logs",
    "ensure_activity_organizer", "log_confirm_refusal", "log_refusal", "may_join",
    "signup_refusal",
    # ratings
    "MEMBERSHIP_ENDINGS", "TIE_DAYS", "is_trusted_rater", "organization_tie",
    "rating_refusal",
    # wishes
    "WishRights", "can_see_private_details", "can_see_state", "can_see_wish",
    "claim_organization_needed", "claim_refusal", "complete_refusal", "completed_claim",
    "confirm_hours_refusal", "manage_refusal", "private_details_reason", "release_refusal",
    "wish_rights",
]
