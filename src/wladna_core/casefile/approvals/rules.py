"""The rules of the approvals (codes ``approval.*``): :data:`APPROVAL_RULES`.

Beside the case link (:func:`~wladna_core.casefile.case_link_rules`: ``approval.case_unknown``,
``approval.before_case_opened`` and ``approval.in_future`` on the day of the request) and the
invariants of :class:`~wladna_core.casefile.approvals.ApprovalRequest` (a decision not before
the request, a comment with a decline):

* ``approval.subject_unknown`` — the subject is neither built in nor configured
  (``approvals.subjects``);
* ``approval.self_decided`` — the person who decided is the one who asked;
* ``approval.decided_in_future`` — decided on a day after today;
* ``approval.pending_twice`` — a second request of the same subject awaits a decision on the
  same case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from wladna_core.casefile.approvals.context import approval_settings_of
from wladna_core.casefile.approvals.model import ApprovalRequest
from wladna_core.casefile.rules import case_link_rules
from wladna_core.errors import Severity
from wladna_core.messages import Message, Text
from wladna_core.rules import Context, Finding, Rule

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["APPROVAL_RULES"]


def _message(message: tuple[str, str, str], remedy: tuple[str, str, str]) -> Message:
    return Message(message=Text(*message), remedy=Text(*remedy))


def _subject_unknown(request: ApprovalRequest, ctx: Context) -> Iterator[Finding]:
    subjects = approval_settings_of(ctx).subjects
    if request.subject not in subjects:
        yield Finding(
            "$.subject", {"subject": request.subject, "known": ", ".join(sorted(subjects))}
        )


def _self_decided(request: ApprovalRequest, _ctx: Context) -> Iterator[Finding]:
    if request.decided_by is not None and request.decided_by == request.requested_by:
        yield Finding("$.decided_by", {"by": request.decided_by})


def _decided_in_future(request: ApprovalRequest, ctx: Context) -> Iterator[Finding]:
    if request.decided_on is not None and request.decided_on > ctx.on:
        yield Finding(
            "$.decided_on", {"on": request.decided_on.isoformat(), "today": ctx.on.isoformat()}
        )


def _pending_twice(request: ApprovalRequest, ctx: Context) -> Iterator[Finding]:
    if not request.pending:
        return
    records_of_case = getattr(ctx, "records_of_case", None)
    if records_of_case is None:
        return
    for other in records_of_case(ApprovalRequest, request.case_id):
        if other.id != request.id and other.pending and other.subject == request.subject:
            yield Finding("$.subject", {"subject": request.subject, "other": other.id})
            return


#: The rules of the approvals, the case link's first.
APPROVAL_RULES: Final[tuple[Rule, ...]] = (
    *case_link_rules(
        ApprovalRequest,
        "approval",
        label="the approval request",
        dated=lambda request: getattr(request, "requested_on", None),
        date_path="$.requested_on",
    ),
    Rule(
        code="approval.subject_unknown",
        severity=Severity.ERROR,
        entity=ApprovalRequest,
        description="The subject of an approval request is neither built in nor configured.",
        message=_message(
            (
                "'{subject}' is not a subject of approval here (known: {known}).",
                "« {subject} » n'est pas un objet d'approbation ici (connus : {known}).",
                "«{subject}» ليس موضوع مصادقة معروفاً هنا (المعروفة: {known}).",
            ),
            (
                "Use a known subject, or add it to the setting approvals.subjects.",
                "Utilisez un objet connu, ou ajoutez-le au paramètre approvals.subjects.",
                "استعمل موضوعاً معروفاً، أو أضفه إلى الإعداد approvals.subjects.",
            ),
        ),
        check=_subject_unknown,
    ),
    Rule(
        code="approval.self_decided",
        severity=Severity.ERROR,
        entity=ApprovalRequest,
        description="The person who decided on an approval request is the one who asked.",
        message=_message(
            (
                "{by} decided on their own request: an approval needs a second person.",
                "{by} a statué sur sa propre demande : une approbation demande une autre personne.",
                "{by} بتّ في طلبه الخاص: المصادقة تتطلب شخصاً آخر.",
            ),
            (
                "Ask another supervisor of the body to decide.",
                "Demandez à un autre superviseur de l'organisme de statuer.",
                "اطلب من مشرف آخر في الهيئة البتّ في الطلب.",
            ),
        ),
        check=_self_decided,
    ),
    Rule(
        code="approval.decided_in_future",
        severity=Severity.ERROR,
        entity=ApprovalRequest,
        description="An approval request is decided on a day after today.",
        message=_message(
            (
                "The request is decided on {on}, in the future (today is {today}).",
                "La demande est tranchée le {on}, dans le futur (nous sommes le {today}).",
                "تاريخ البتّ في الطلب {on} في المستقبل (اليوم هو {today}).",
            ),
            (
                "Record the decision once it is made, with its date.",
                "Enregistrez la décision une fois prise, avec sa date.",
                "سجّل القرار بعد اتخاذه، مع تاريخه.",
            ),
        ),
        check=_decided_in_future,
    ),
    Rule(
        code="approval.pending_twice",
        severity=Severity.ERROR,
        entity=ApprovalRequest,
        description="Two requests of the same subject await a decision on one case.",
        message=_message(
            (
                "A request of '{subject}' already awaits a decision on this case ({other}).",
                "Une demande « {subject} » attend déjà une décision sur ce dossier ({other}).",
                "طلب «{subject}» ينتظر قراراً بالفعل في هذه الحالة ({other}).",
            ),
            (
                "Wait for the decision on the pending request, or have it decided first.",
                "Attendez la décision sur la demande en cours, ou faites-la trancher d'abord.",
                "انتظر القرار في الطلب القائم، أو اطلب البتّ فيه أولاً.",
            ),
        ),
        check=_pending_twice,
        needs=frozenset({"casefile"}),
    ),
)
