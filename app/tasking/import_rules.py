"""What a partner's file may change in a stored tasking request (issue #19, "nothing
widened"). A file is information from a partner, not an authority over our records: an import
never lowers a classification, never widens releasability, never moves a request more than
one workflow step nor into APPROVED (approval is given by an approver login, in the
database), and a request changes only through its owning nation's own export. What a rule
refuses is reported as a conflict and not applied."""

from __future__ import annotations

from app.common.marking import classification_rank
from app.tasking.request import TRANSITIONS, TaskingRequest


def import_conflicts(current: TaskingRequest, incoming: TaskingRequest, origin_nation: str | None) -> list[str]:
    """Why ``incoming`` (from a file exported by ``origin_nation``, None when the file does
    not say) may not replace ``current``; empty when it may."""
    owner = current.requesting_nation
    reasons = []
    if incoming.requesting_nation != owner:
        reasons.append(f"requesting_nation: the owner stays {owner} (the file says {incoming.requesting_nation})")
    if origin_nation != owner:
        reasons.append(f"a {owner} request changes only through {owner}'s own export (this file is from "
                       f"{origin_nation or 'a nation it does not name'})")
    if classification_rank(incoming.classification) < classification_rank(current.classification):
        reasons.append(f"classification: would be lowered from {current.classification} to {incoming.classification}")
    widened = sorted(set(incoming.releasable_to) - set(current.releasable_to))
    if widened:
        reasons.append(f"releasable_to: would be widened to {', '.join(widened)}")
    if incoming.status != current.status and incoming.status not in TRANSITIONS.get(current.status, {}).values():
        reasons.append(f"status: {current.status} → {incoming.status} skips the workflow")
    if (incoming.approved_by or "") != (current.approved_by or "") or (
            incoming.status == "APPROVED" and current.status != "APPROVED"):
        reasons.append("approved_by: approval is given by an approver in the console, never by a file")
    if incoming.submitted_by and incoming.submitted_by != current.submitted_by and current.submitted_by:
        reasons.append(f"submitted_by: stays {current.submitted_by}")
    return reasons


def new_record_problems(incoming: TaskingRequest) -> list[str]:
    """A request we do not have yet is taken as it is, within the two-person rule."""
    if incoming.approved_by and incoming.approved_by == incoming.submitted_by:
        return [f"approved_by: {incoming.approved_by} approved their own request (two-person rule)"]
    return []
