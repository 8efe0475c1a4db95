"""The rules of the documents of cases, with stable ``document.*`` codes.

The shape of a document's record is an invariant of the record itself, refused when it is made
or read (:class:`~wladna_core.errors.InvalidRecord` at the edges): ``document.sha256_format``
(64 lower-case hexadecimal digits), ``document.media_type_format`` (``type/subtype``, lower
case), ``document.empty`` (a size of 0), ``document.location_format``.  The rules here check
what depends on the case, the date and the deployment: the case link
(``document.case_unknown``, ``document.before_case_opened``, ``document.in_future``,
:func:`~wladna_core.casefile.case_link_rules`) and

* ``document.too_large`` (error): larger than the setting ``documents.max_size``;
* ``document.duplicate_content`` (warning): the case already has a document with the same
  bytes (the same SHA-256 digest), neither of them withdrawn;
* ``document.withdrawn_before_added`` (error): withdrawn before the day it was attached;
* ``document.withdrawn_in_future`` (error): withdrawn on a day still to come.

>>> from datetime import date
>>> from wladna_core.casefile.documents import Document, DocumentCategory
>>> from wladna_core.casefile.documents import DocumentContext, DocumentSettings
>>> from wladna_core.rules import RuleSet, validate
>>> report = Document(
...     case_id="0193a2b4-0000-7000-8000-000000000001", title="Certificat médical",
...     category=DocumentCategory.MEDICAL_REPORT, media_type="application/pdf",
...     size=3_000_000, sha256="a" * 64, location="sha256:" + "a" * 64,
...     added_on=date(2026, 3, 2), added_by="worker",
... )
>>> context = DocumentContext(documents=DocumentSettings(max_size=2_000_000))
>>> found = validate(report, on=date(2026, 3, 2), context=context, rules=RuleSet(DOCUMENT_RULES))
>>> [(violation.code, violation.path) for violation in found]
[('document.too_large', '$.size')]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from wladna_core.casefile.context import CaseFileContext
from wladna_core.casefile.documents.context import document_settings
from wladna_core.casefile.documents.model import Document
from wladna_core.casefile.rules import case_link_rules
from wladna_core.errors import Severity
from wladna_core.messages import Message, Text
from wladna_core.rules import Context, Finding, Rule, rule

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["DOCUMENT_RULES", "TOO_LARGE"]


def _msg(message: tuple[str, str, str], remedy: tuple[str, str, str]) -> Message:
    return Message(message=Text(*message), remedy=Text(*remedy))


@rule(
    "document.too_large",
    entity=Document,
    description="A document is larger than the deployment accepts (documents.max_size).",
    message=_msg(
        (
            "The document has {size} bytes; this deployment accepts at most {max_size}.",
            "Le document fait {size} octets ; ce déploiement en accepte au plus {max_size}.",
            "حجم الوثيقة {size} بايت؛ وأقصى ما يقبله هذا النظام {max_size} بايت.",
        ),
        (
            "Attach a smaller file (scan at a lower resolution, compress the PDF, split it), "
            "or ask the administrator to raise documents.max_size.",
            "Joignez un fichier plus petit (numérisation moins fine, PDF compressé ou "
            "découpé), ou demandez à l'administrateur de relever documents.max_size.",
            "أرفق ملفاً أصغر (مسح بدقة أقل، أو ضغط ملف PDF أو تقسيمه)، أو اطلب من المسؤول رفع "
            "documents.max_size.",
        ),
    ),
)
def too_large(document: Document, ctx: Context) -> Iterator[Finding]:
    """Find a document larger than the deployment's maximum."""
    limit = document_settings(ctx).max_size
    if document.size > limit:
        yield Finding("$.size", {"size": document.size, "max_size": limit})


#: The rule ``document.too_large``, which the services also run before keeping any byte.
TOO_LARGE: Final = too_large


@rule(
    "document.duplicate_content",
    entity=Document,
    severity=Severity.WARNING,
    description="The case already has a document with the same bytes (SHA-256 digest).",
    message=_msg(
        (
            "The case already has this document: {other} has the same bytes.",
            "Le dossier a déjà ce document : {other} a le même contenu.",
            "للحالة هذه الوثيقة من قبل: {other} بنفس المحتوى.",
        ),
        (
            "Use the document already attached, unless a second record of it is wanted.",
            "Utilisez le document déjà joint, sauf si un second enregistrement est voulu.",
            "استعمل الوثيقة المرفقة سابقاً، ما لم يكن تسجيلها مرة ثانية مقصوداً.",
        ),
    ),
    needs={"casefile"},
)
def duplicate_content(document: Document, ctx: Context) -> Iterator[Finding]:
    """Find another document of the case with the same bytes."""
    if not isinstance(ctx, CaseFileContext):
        return
    for other in ctx.records_of_case(Document, document.case_id):
        if (
            other.id != document.id
            and other.sha256 == document.sha256
            and other.withdrawal is None
            and document.withdrawal is None
        ):
            yield Finding("$.sha256", {"other": other.id})
            return


@rule(
    "document.withdrawn_before_added",
    entity=Document,
    description="A document is withdrawn before the day it was attached.",
    message=_msg(
        (
            "The document is withdrawn on {withdrawn_on}, before it was attached ({added_on}).",
            "Le document est retiré le {withdrawn_on}, avant d'avoir été joint ({added_on}).",
            "سُحبت الوثيقة في {withdrawn_on}، قبل إرفاقها ({added_on}).",
        ),
        (
            "Give the day the document was withdrawn: on or after the day it was attached.",
            "Indiquez le jour du retrait : le jour où le document a été joint, ou après.",
            "أدخل يوم السحب: يوم إرفاق الوثيقة أو ما بعده.",
        ),
    ),
)
def withdrawn_before_added(document: Document, _ctx: Context) -> Iterator[Finding]:
    """Find a withdrawal dated before the document was attached."""
    withdrawal = document.withdrawal
    if withdrawal is not None and withdrawal.on < document.added_on:
        yield Finding(
            "$.withdrawal.on",
            {"withdrawn_on": withdrawal.on.isoformat(), "added_on": document.added_on.isoformat()},
        )


@rule(
    "document.withdrawn_in_future",
    entity=Document,
    description="A document's withdrawal is dated after the day of validation.",
    message=_msg(
        (
            "The document is withdrawn on {withdrawn_on}, a day still to come.",
            "Le document est retiré le {withdrawn_on}, un jour encore à venir.",
            "سُحبت الوثيقة في {withdrawn_on}، وهو يوم لم يأت بعد.",
        ),
        (
            "Withdraw the document on the day it is withdrawn: today or before.",
            "Retirez le document le jour même : aujourd'hui ou avant.",
            "اسحب الوثيقة في يومها: اليوم أو قبله.",
        ),
    ),
)
def withdrawn_in_future(document: Document, ctx: Context) -> Iterator[Finding]:
    """Find a withdrawal dated after the day of validation."""
    withdrawal = document.withdrawal
    if withdrawal is not None and withdrawal.on > ctx.on:
        yield Finding("$.withdrawal.on", {"withdrawn_on": withdrawal.on.isoformat()})


#: Every rule of the documents of cases, the case link first.
DOCUMENT_RULES: Final[tuple[Rule, ...]] = (
    *case_link_rules(
        Document,
        "document",
        label="the document",
        dated=lambda record: record.added_on if isinstance(record, Document) else None,
        date_path="$.added_on",
    ),
    too_large,
    duplicate_content,
    withdrawn_before_added,
    withdrawn_in_future,
)
