"""What the converter says, in English, French and Arabic, for each code it reports.

Two kinds of codes meet here: the ``input.*`` codes of the JSON shape (a missing key, a wrong
type, a malformed date...) and the codes of the model's invariants
(:class:`~wladna_core.errors.InvariantError`), which the converter reports with the path of the
field at fault.  An invariant's English message carries the numbers and dates of the case at hand;
:data:`PARAMETERS` lifts them out so that every language can say them.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from wladna_core.messages import Message, Text

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["KINDS", "MESSAGES", "PARAMETERS", "WHERE"]


def _message(en: tuple[str, str], fr: tuple[str, str], ar: tuple[str, str]) -> Message:
    return Message(message=Text(en[0], fr[0], ar[0]), remedy=Text(en[1], fr[1], ar[1]))


#: Kinds of JSON value, for "must be {expected}, got {got}".
KINDS: Final[Mapping[str, Text]] = MappingProxyType(
    {
        "text": Text("text", "du texte", "نص"),
        "boolean": Text("true or false", "true ou false", "قيمة منطقية (true/false)"),
        "integer": Text("a whole number", "un nombre entier", "عدد صحيح"),
        "number": Text("a number", "un nombre", "عدد"),
        "date": Text(
            "a date written YYYY-MM-DD", "une date écrite AAAA-MM-JJ", "تاريخ مكتوب YYYY-MM-DD"
        ),
        "list": Text("a list", "une liste", "قائمة"),
        "object": Text("an object", "un objet", "كائن"),
        "null": Text("null", "null", "قيمة فارغة (null)"),
        "other": Text("a value of another kind", "une valeur d'un autre genre", "قيمة من نوع آخر"),
        "documented": Text("of the documented type", "du type documenté", "من النوع المنصوص عليه"),
    }
)

#: Where in a JSON text a parse error is, when the parser says.
WHERE: Final[Text] = Text(
    " at line {line}, column {column}",
    " à la ligne {line}, colonne {column}",
    " في السطر {line}، العمود {column}",
)

_INPUT: dict[str, Message] = {
    "input.json": _message(
        (
            "The text is not valid JSON{where}: {reason}.",
            "Correct the JSON there: quotes, commas and brackets must match.",
        ),
        (
            "Le texte n'est pas du JSON valide{where} : {reason}.",
            "Corrigez le JSON à cet endroit : guillemets, virgules et crochets doivent "
            "se répondre.",
        ),
        (
            "النص ليس بصيغة JSON صحيحة{where}: {reason}.",
            "صحّح JSON في هذا الموضع: يجب أن تتطابق علامات التنصيص والفواصل والأقواس.",
        ),
    ),
    "input.not_object": _message(
        (
            "{field} must be an object with named fields, got {got}.",
            "Give an object with the fields of {record_type}.",
        ),
        (
            "{field} doit être un objet à champs nommés, et non {got}.",
            "Donnez un objet avec les champs de {record_type}.",
        ),
        (
            "يجب أن يكون {field} كائنًا ذا حقول مسمّاة، والقيمة المقدَّمة: {got}.",
            "قدّم كائنًا يضم حقول {record_type}.",
        ),
    ),
    "input.missing": _message(
        ("The required field {field} is missing.", "Add {field} to the record."),
        ("Le champ obligatoire {field} est absent.", "Ajoutez {field} à l'enregistrement."),
        ("الحقل الإلزامي {field} غير موجود.", "أضف الحقل {field} إلى السجل."),
    ),
    "input.unknown_key": _message(
        (
            "{key} is not a field of {record_type}.",
            "Remove it, or correct its spelling.",
        ),
        (
            "{key} n'est pas un champ de {record_type}.",
            "Supprimez-le ou corrigez son orthographe.",
        ),
        (
            "الحقل {key} ليس من حقول السجل {record_type}.",
            "احذفه أو صحّح كتابته.",
        ),
    ),
    "input.type": _message(
        ("{field} must be {expected}, got {got}.", "Replace it with {expected}."),
        ("{field} doit être {expected}, et non {got}.", "Remplacez-le par {expected}."),
        (
            "يجب أن يكون {field} من نوع: {expected}، والقيمة المقدَّمة: {got}.",
            "ضع مكانه قيمة من نوع: {expected}.",
        ),
    ),
    "input.enum": _message(
        (
            "{field} must be one of: {allowed}.",
            "Use one of these codes exactly as written.",
        ),
        (
            "{field} doit être l'une de ces valeurs : {allowed}.",
            "Employez l'un de ces codes tel qu'il est écrit.",
        ),
        (
            "يجب أن تكون قيمة {field} إحدى القيم التالية: {allowed}.",
            "استعمل أحد هذه الرموز كما هو مكتوب تمامًا.",
        ),
    ),
    "input.date": _message(
        (
            "{field} is not a valid date written YYYY-MM-DD.",
            "Write the date as year-month-day, e.g. 2024-02-29, with a day that exists in "
            "that month.",
        ),
        (
            "{field} n'est pas une date valide écrite AAAA-MM-JJ.",
            "Écrivez la date sous la forme année-mois-jour, par exemple 2024-02-29, avec un "
            "jour qui existe dans ce mois.",
        ),
        (
            "{field} ليس تاريخًا صحيحًا مكتوبًا بصيغة YYYY-MM-DD.",
            "اكتب التاريخ على شكل السنة-الشهر-اليوم، مثل 2024-02-29، بيوم موجود في ذلك الشهر.",
        ),
    ),
    "input.encoding": _message(
        (
            "{field} contains characters that are not valid Unicode.",
            "Read the source file with its real encoding (usually UTF-8) and import it again.",
        ),
        (
            "{field} contient des caractères Unicode invalides.",
            "Relisez le fichier source avec son véritable encodage (en général UTF-8) puis "
            "importez-le de nouveau.",
        ),
        (
            "يحتوي {field} على محارف يونيكود غير صالحة.",
            "اقرأ الملف المصدر بترميزه الحقيقي (UTF-8 عادةً) ثم أعد استيراده.",
        ),
    ),
    "input.invalid_character": _message(
        (
            "{field} holds the character {character} at position {position}, a control "
            "character or noncharacter that text may not hold.",
            "Remove it, or put a space in its place; such characters often come with text "
            "copied out of another program.",
        ),
        (
            "{field} contient le caractère {character} en position {position}, un caractère "
            "de contrôle ou un non-caractère que le texte ne peut pas contenir.",
            "Supprimez-le, ou mettez une espace à sa place ; ces caractères viennent souvent "
            "d'un texte copié depuis un autre logiciel.",
        ),
        (
            "يحتوي {field} على المحرف {character} في الموضع {position}، وهو محرف تحكم أو محرف "
            "غير مخصص لا يجوز أن يرد في النص.",
            "احذفه أو ضع مكانه مسافة؛ فكثيرًا ما تأتي هذه المحارف مع نص منسوخ من برنامج آخر.",
        ),
    ),
    "input.line_break": _message(
        (
            "{field} holds a line break or a tab ({character}) at position {position}; it is "
            "a one-line field.",
            "Write it on one line; put longer explanations in a note.",
        ),
        (
            "{field} contient un saut de ligne ou une tabulation ({character}) en position "
            "{position} ; ce champ tient sur une seule ligne.",
            "Écrivez-le sur une seule ligne ; mettez les explications plus longues dans une note.",
        ),
        (
            "يحتوي {field} على فاصل أسطر أو مسافة جدولة ({character}) في الموضع {position}، "
            "وهو حقل من سطر واحد.",
            "اكتبه في سطر واحد، وضع الشروح الأطول في ملاحظة.",
        ),
    ),
    "input.not_finite": _message(
        (
            "{field} must be a finite number.",
            "Give an ordinary number, neither infinite nor too large.",
        ),
        (
            "{field} doit être un nombre fini.",
            "Donnez un nombre ordinaire, ni infini ni trop grand.",
        ),
        (
            "يجب أن يكون {field} عددًا منتهيًا.",
            "أدخل عددًا عاديًا، لا لانهائيًا ولا كبيرًا جدًا.",
        ),
    ),
    "input.too_deep": _message(
        (
            "The data is nested too deeply to be read.",
            "Send the record as the documented shape, with only a few levels of nesting.",
        ),
        (
            "Les données sont imbriquées trop profondément pour être lues.",
            "Envoyez l'enregistrement sous la forme documentée, avec peu de niveaux d'imbrication.",
        ),
        (
            "البيانات متداخلة بعمق يتعذر معه قراءتها.",
            "أرسل السجل بالشكل الموثَّق، بمستويات تداخل قليلة.",
        ),
    ),
    "input.invalid": _message(
        (
            "{field} is not valid ({detail}).",
            "Check this value against the documentation of {record_type}.",
        ),
        (
            "{field} n'est pas valide ({detail}).",
            "Vérifiez cette valeur d'après la documentation de {record_type}.",
        ),
        (
            "القيمة في {field} غير صالحة ({detail}).",
            "راجع هذه القيمة وفق توثيق {record_type}.",
        ),
    ),
    # Invariants checked by the field validators of wladna_core.model._checks.
    "input.too_long": _message(
        (
            "{field} has {length} characters; at most {max} are allowed.",
            "Shorten it to {max} characters or fewer.",
        ),
        (
            "{field} compte {length} caractères ; {max} au plus sont permis.",
            "Raccourcissez-le à {max} caractères au plus.",
        ),
        (
            "يحتوي {field} على {length} حرفًا، والحد الأقصى المسموح به {max}.",
            "اختصره إلى {max} حرفًا على الأكثر.",
        ),
    ),
    "input.too_many": _message(
        (
            "{field} has {count} items; at most {max} are allowed.",
            "Keep at most {max} items.",
        ),
        (
            "{field} compte {count} éléments ; {max} au plus sont permis.",
            "Gardez au plus {max} éléments.",
        ),
        (
            "يحتوي {field} على {count} عنصرًا، والحد الأقصى المسموح به {max}.",
            "احتفظ بـ{max} عنصرًا على الأكثر.",
        ),
    ),
    "input.blank": _message(
        (
            "{field} must not be blank.",
            "Fill it in, or give null where the field is optional.",
        ),
        (
            "{field} ne doit pas être vide.",
            "Remplissez-le, ou donnez null si le champ est facultatif.",
        ),
        (
            "يجب ألا يكون {field} فارغًا.",
            "املأه، أو ضع قيمة فارغة (null) إن كان الحقل اختياريًا.",
        ),
    ),
    "input.identifier": _message(
        (
            "{field} must be a lower-case UUID such as 0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f.",
            "Use the identifier the system gave the record; never make one up by hand.",
        ),
        (
            "{field} doit être un UUID en minuscules comme 0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f.",
            "Reprenez l'identifiant que le système a donné à l'enregistrement ; n'en "
            "inventez jamais un à la main.",
        ),
        (
            "يجب أن يكون {field} معرّفًا من نوع UUID بأحرف صغيرة، مثل "
            "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f.",
            "استعمل المعرّف الذي منحه النظام للسجل، ولا تختلق معرّفًا يدويًا أبدًا.",
        ),
    ),
    "input.territory_code": _message(
        (
            "{field} must be an ISO 3166-2:MA territory code such as MA-04 or MA-SAL.",
            "Take the code from the territory reference list, e.g. MA-SAL for Salé.",
        ),
        (
            "{field} doit être un code de territoire ISO 3166-2:MA comme MA-04 ou MA-SAL.",
            "Prenez le code dans la liste de référence des territoires, par exemple MA-SAL "
            "pour Salé.",
        ),
        (
            "يجب أن يكون {field} رمز مجال ترابي وفق ISO 3166-2:MA، مثل MA-04 أو MA-SAL.",
            "خذ الرمز من القائمة المرجعية للمجالات الترابية، مثل MA-SAL لسلا.",
        ),
    ),
    "input.country_code": _message(
        (
            "{field} must be an ISO 3166-1 alpha-2 country code in capitals, such as MA.",
            "Write the two-letter country code in capitals, e.g. MA, SN or FR.",
        ),
        (
            "{field} doit être un code de pays ISO 3166-1 alpha-2 en majuscules, comme MA.",
            "Écrivez le code de pays à deux lettres en majuscules, par exemple MA, SN ou FR.",
        ),
        (
            "يجب أن يكون {field} رمز بلد وفق ISO 3166-1 من حرفين كبيرين، مثل MA.",
            "اكتب رمز البلد بحرفين كبيرين، مثل MA أو SN أو FR.",
        ),
    ),
    "input.language_code": _message(
        (
            "{field} must be a BCP 47 language tag such as ar, ary or zgh.",
            "Use a language tag: ar for Arabic, ary for Darija, zgh for Tamazight, fr for French.",
        ),
        (
            "{field} doit être une étiquette de langue BCP 47 comme ar, ary ou zgh.",
            "Employez une étiquette de langue : ar pour l'arabe, ary pour la darija, zgh pour "
            "l'amazighe, fr pour le français.",
        ),
        (
            "يجب أن يكون {field} وسم لغة وفق BCP 47، مثل (ar) أو (ary) أو (zgh).",
            "استعمل وسم اللغة: (ar) للعربية، (ary) للدارجة، (zgh) للأمازيغية، (fr) للفرنسية.",
        ),
    ),
    "input.negative": _message(
        ("{field} must be zero or more.", "Give a whole number of zero or more."),
        ("{field} doit être positif ou nul.", "Donnez un nombre entier positif ou nul."),
        ("يجب أن يكون {field} صفرًا أو أكثر.", "أدخل عددًا صحيحًا يساوي صفرًا أو أكثر."),
    ),
}

_INVARIANTS: dict[str, Message] = {
    "child.name_missing": _message(
        (
            "An identified child needs a given name (given_name or given_name_ar).",
            "Add the child's given name, or register a child found without an identity with "
            "unidentified set to true.",
        ),
        (
            "Un enfant identifié doit avoir un prénom (given_name ou given_name_ar).",
            "Ajoutez le prénom de l'enfant, ou enregistrez un enfant trouvé sans identité "
            "avec unidentified à true.",
        ),
        (
            "يحتاج الطفل المعروفة هويته إلى اسم شخصي (given_name أو given_name_ar).",
            "أضف الاسم الشخصي للطفل، أو سجّل الطفل الذي وُجد دون هوية مع جعل الحقل "
            "(unidentified) صحيحًا.",
        ),
    ),
    "consent.giver_missing": _message(
        (
            "Consent to services, sharing or reporting must say who gave it.",
            "Fill in given_by: the child, a caregiver, a legal guardian or a judicial order.",
        ),
        (
            "Un consentement aux services, au partage ou aux signalements doit dire qui l'a donné.",
            "Renseignez given_by : l'enfant, une personne qui en prend soin, un tuteur légal "
            "ou une décision judiciaire.",
        ),
        (
            "يجب أن تبيّن الموافقة على الخدمات أو تبادل المعلومات أو التبليغ من الذي أعطاها.",
            "املأ الحقل given_by: الطفل أو من يتكفل برعايته أو الولي القانوني أو أمر قضائي.",
        ),
    ),
    "plan.review_before_plan": _message(
        (
            "The plan's review date ({date}) is before the plan was drawn up ({earlier_date}).",
            "Set review_on on or after drawn_up_on.",
        ),
        (
            "La date de révision du plan ({date}) précède sa rédaction ({earlier_date}).",
            "Fixez review_on au jour de drawn_up_on ou après.",
        ),
        (
            "تاريخ مراجعة الخطة ({date}) سابق لتاريخ إعدادها ({earlier_date}).",
            "اجعل review_on في يوم drawn_up_on أو بعده.",
        ),
    ),
    "consent.withdrawal_empty": _message(
        (
            "A withdrawal of consent withdraws nothing.",
            "Set services, sharing or reporting to true: what the child or caregiver withdrew.",
        ),
        (
            "Un retrait de consentement ne retire rien.",
            "Mettez services, sharing ou reporting à true : ce que l'enfant ou la personne qui "
            "en prend soin a retiré.",
        ),
        (
            "سحب الموافقة لا يسحب شيئاً.",
            "بيّن ما سحبه الطفل أو من يتكفل برعايته: الموافقة على الخدمات أو على تبادل "
            "المعلومات أو على التبليغ.",
        ),
    ),
    "closure_request.decision_incomplete": _message(
        (
            "A decision on a closure request must say who decided, when, and whether it was "
            "approved.",
            "Fill in decided_by, decided_on and approved together, or none of them.",
        ),
        (
            "Une décision sur une demande de clôture doit dire qui a décidé, quand, et si elle "
            "est approuvée.",
            "Renseignez ensemble decided_by, decided_on et approved, ou aucun des trois.",
        ),
        (
            "يجب أن يبيّن القرار في طلب إغلاق الحالة من قرّر ومتى وهل صودق على الطلب.",
            "املأ معاً خانات من قرّر وتاريخ القرار ونتيجته، أو اتركها كلها فارغة.",
        ),
    ),
    "closure_request.decided_before_requested": _message(
        (
            "The closure request is decided on {decided_on}, before it was made on {requested_on}.",
            "Correct decided_on or requested_on.",
        ),
        (
            "La demande de clôture est tranchée le {decided_on}, avant d'avoir été faite le "
            "{requested_on}.",
            "Corrigez decided_on ou requested_on.",
        ),
        (
            "بُتّ في طلب إغلاق الحالة في {decided_on}، قبل تقديمه في {requested_on}.",
            "صحّح تاريخ القرار (decided_on) أو تاريخ تقديم الطلب.",
        ),
    ),
    "closure_request.decline_without_comment": _message(
        (
            "A declined closure request has no comment from the supervisor.",
            "Write in comment why the case stays open.",
        ),
        (
            "Une demande de clôture refusée n'a pas de commentaire du superviseur.",
            "Écrivez dans comment pourquoi le dossier reste ouvert.",
        ),
        (
            "طلب إغلاق الحالة المرفوض لا يتضمن تعليق المشرف.",
            "اكتب في خانة التعليق سبب بقاء الحالة مفتوحة.",
        ),
    ),
    "case.closure_request_superseded": _message(
        (
            "A closure request other than the last one still awaits a decision.",
            "Record the decision on every closure request but the last.",
        ),
        (
            "Une demande de clôture autre que la dernière attend encore une décision.",
            "Enregistrez la décision sur chaque demande de clôture sauf la dernière.",
        ),
        (
            "طلب لإغلاق الحالة غير الأخير ما زال ينتظر قراراً.",
            "سجّل القرار في كل طلب لإغلاق الحالة باستثناء الأخير.",
        ),
    ),
    "plan.approved_before_drawn_up": _message(
        (
            "The plan is approved on {approved_on}, before it was drawn up on {drawn_up_on}.",
            "Correct the date of the approval or the date the plan was drawn up.",
        ),
        (
            "Le plan est approuvé le {approved_on}, avant d'avoir été rédigé le {drawn_up_on}.",
            "Corrigez la date de l'approbation ou celle de la rédaction du plan.",
        ),
        (
            "تمت المصادقة على الخطة في {approved_on}، قبل إعدادها في {drawn_up_on}.",
            "صحّح تاريخ المصادقة أو تاريخ إعداد الخطة.",
        ),
    ),
    "case.date_before_opening": _message(
        (
            "{field} ({date}) is before the case was opened ({opened_on}).",
            "Correct this date or opened_on: nothing happens in a case before it is opened.",
        ),
        (
            "{field} ({date}) précède l'ouverture du dossier ({opened_on}).",
            "Corrigez cette date ou opened_on : rien n'arrive dans un dossier avant son ouverture.",
        ),
        (
            "{field} ({date}) سابق لتاريخ فتح الملف ({opened_on}).",
            "صحّح هذا التاريخ أو opened_on: لا يقع شيء في الملف قبل فتحه.",
        ),
    ),
    "case.identified_after_opening": _message(
        (
            "The child was identified on {identified_on}, after the case was opened on "
            "{opened_on}.",
            "Correct identification.on or opened_on: a case is opened once the child is "
            "identified.",
        ),
        (
            "L'enfant a été repéré le {identified_on}, après l'ouverture du dossier le "
            "{opened_on}.",
            "Corrigez identification.on ou opened_on : un dossier s'ouvre une fois l'enfant "
            "repéré.",
        ),
        (
            "تم رصد الطفل في {identified_on}، بعد فتح الملف في {opened_on}.",
            "صحّح identification.on أو opened_on: يُفتح الملف بعد رصد الطفل.",
        ),
    ),
    "child.merged_into_itself": _message(
        (
            "A child record cannot be merged into itself.",
            "Set merged_into to the identifier of the child record that is kept.",
        ),
        (
            "La fiche d'un enfant ne peut pas être fusionnée avec elle-même.",
            "Mettez dans merged_into l'identifiant de la fiche conservée.",
        ),
        (
            "لا يمكن دمج بطاقة الطفل في نفسها.",
            "ضع في merged_into معرّف البطاقة المحتفظ بها.",
        ),
    ),
    "duplicate.same_record": _message(
        (
            "A duplicate pair names the same child record twice.",
            "Name two different child records in child_id and other_id.",
        ),
        (
            "Une paire de doublons nomme deux fois la même fiche d'enfant.",
            "Indiquez deux fiches d'enfant différentes dans child_id et other_id.",
        ),
        (
            "زوج التكرار يذكر بطاقة الطفل نفسها مرتين.",
            "اذكر بطاقتين مختلفتين للطفل في child_id وother_id.",
        ),
    ),
    "duplicate.kept_unknown": _message(
        (
            "The record kept is not one of the pair's two records.",
            "Set kept_id to child_id or to other_id.",
        ),
        (
            "La fiche conservée n'est pas l'une des deux fiches de la paire.",
            "Mettez dans kept_id la valeur de child_id ou celle de other_id.",
        ),
        (
            "البطاقة المحتفظ بها ليست إحدى بطاقتي الزوج.",
            "اجعل البطاقة المحتفظ بها (kept_id) إحدى بطاقتي الزوج: child_id أو other_id.",
        ),
    ),
    "body.secretariat_of_not_cape": _message(
        (
            "Only a CAPE is the permanent secretariat of a provincial committee (CPPE).",
            "Leave secretariat_of empty for this body, or record the body as a CAPE.",
        ),
        (
            "Seul un CAPE assure le secrétariat permanent d'un comité provincial (CPPE).",
            "Laissez secretariat_of vide pour ce service, ou enregistrez-le comme CAPE.",
        ),
        (
            "لا يتولى الكتابة الدائمة للجنة الإقليمية (CPPE) إلا مركز CAPE.",
            "اترك secretariat_of فارغاً لهذه الهيئة، أو سجّلها بوصفها مركز CAPE.",
        ),
    ),
    "case.duplicate_of_itself": _message(
        (
            "A case cannot be a duplicate of itself.",
            "Set duplicate_of to the identifier of the other case.",
        ),
        (
            "Un dossier ne peut pas être le doublon de lui-même.",
            "Mettez dans duplicate_of l'identifiant de l'autre dossier.",
        ),
        (
            "لا يمكن أن يكون الملف نسخة مكررة من نفسه.",
            "ضع في duplicate_of معرّف الملف الآخر.",
        ),
    ),
    "referral.target_body": _message(
        (
            "A referral to a body names body_id, and only such a referral does.",
            "Give body_id when the target kind is body, and null otherwise.",
        ),
        (
            "Une orientation vers une structure indique body_id, et elle seule le fait.",
            "Donnez body_id quand la cible est une structure (body), et null sinon.",
        ),
        (
            "الإحالة إلى هيئة تذكر body_id، ولا تذكره إحالة غيرها.",
            "أدخل body_id حين تكون الجهة المحال إليها هيئة (body)، وقيمة فارغة (null) في غير ذلك.",
        ),
    ),
    "referral.target_programme": _message(
        (
            "A referral to a programme names the programme, and only such a referral does.",
            "Give programme when the target kind is programme, and null otherwise.",
        ),
        (
            "Une orientation vers un programme indique le programme, et elle seule le fait.",
            "Donnez programme quand la cible est un programme, et null sinon.",
        ),
        (
            "الإحالة إلى برنامج تذكر البرنامج، ولا تذكره إحالة غيرها.",
            "أدخل (programme) حين تكون الجهة المحال إليها برنامجًا، وقيمة فارغة (null) في غير ذلك.",
        ),
    ),
    "referral.due_before_made": _message(
        (
            "The response is due on {date}, before the referral was made on {earlier_date}.",
            "Set response_due on or after made_on.",
        ),
        (
            "La réponse est attendue le {date}, avant l'envoi de l'orientation le {earlier_date}.",
            "Fixez response_due au jour de made_on ou après.",
        ),
        (
            "أجل الرد {date} سابق لتاريخ الإحالة {earlier_date}.",
            "اجعل response_due في يوم made_on أو بعده.",
        ),
    ),
    "referral.response_before_made": _message(
        (
            "The response is dated {date}, before the referral was made on {earlier_date}.",
            "Correct responded_on or made_on.",
        ),
        (
            "La réponse est datée du {date}, avant l'envoi de l'orientation le {earlier_date}.",
            "Corrigez responded_on ou made_on.",
        ),
        (
            "الرد مؤرخ في {date}، قبل تاريخ الإحالة {earlier_date}.",
            "صحّح تاريخ الرد responded_on أو تاريخ الإحالة made_on.",
        ),
    ),
    "referral.closed_before_made": _message(
        (
            "The referral is closed on {date}, before it was made on {earlier_date}.",
            "Correct closed_on or made_on.",
        ),
        (
            "L'orientation est close le {date}, avant son envoi le {earlier_date}.",
            "Corrigez closed_on ou made_on.",
        ),
        (
            "أُغلقت الإحالة في {date}، قبل إرسالها في {earlier_date}.",
            "صحّح تاريخ الإغلاق closed_on أو تاريخ الإحالة made_on.",
        ),
    ),
    "territory.obsolete": _message(
        (
            "{code} is a region code of before 2015, abolished by the regionalisation of 2015.",
            "Use one of the regions MA-01 to MA-12.",
        ),
        (
            "{code} est un code de région d'avant 2015, supprimé par la régionalisation de 2015.",
            "Employez l'une des régions MA-01 à MA-12.",
        ),
        (
            "{code} رمز جهة سابق لسنة 2015، أُلغي بالتقسيم الجهوي لسنة 2015.",
            "استعمل إحدى الجهات من MA-01 إلى MA-12.",
        ),
    ),
    "territory.country_parent": _message(
        (
            "The country {code} cannot lie inside another territory.",
            "Leave parent empty for the country.",
        ),
        (
            "Le pays {code} ne peut pas se trouver dans un autre territoire.",
            "Laissez parent vide pour le pays.",
        ),
        (
            "لا يمكن أن يقع البلد {code} داخل مجال ترابي آخر.",
            "اترك الحقل (parent) فارغًا بالنسبة للبلد.",
        ),
    ),
    "territory.parent_missing": _message(
        (
            "The territory {code} needs a parent; only the country has none.",
            "Give as parent the code of the territory it lies in.",
        ),
        (
            "Le territoire {code} doit avoir un parent ; seul le pays n'en a pas.",
            "Donnez comme parent le code du territoire où il se trouve.",
        ),
        (
            "يحتاج المجال الترابي {code} إلى مجال أعلى؛ البلد وحده بلا مجال أعلى.",
            "ضع في الحقل (parent) رمز المجال الترابي الذي يقع فيه.",
        ),
    ),
    "territory.duplicate": _message(
        (
            "The territory code {code} appears more than once.",
            "Give each territory its own code.",
        ),
        (
            "Le code de territoire {code} apparaît plus d'une fois.",
            "Donnez à chaque territoire son propre code.",
        ),
        (
            "رمز المجال الترابي {code} مكرر.",
            "أعط كل مجال ترابي رمزًا خاصًا به.",
        ),
    ),
    "territory.parent_unknown": _message(
        (
            "The territory {code} lies in {parent}, which is not in the gazetteer.",
            "Add the parent territory too.",
        ),
        (
            "Le territoire {code} se trouve dans {parent}, absent du répertoire.",
            "Ajoutez aussi le territoire parent.",
        ),
        (
            "يقع المجال الترابي {code} داخل {parent}، وهو غير موجود في المرجع.",
            "أضف المجال الترابي الأعلى أيضًا.",
        ),
    ),
    "territory.cycle": _message(
        (
            "The territories {cycle} form a cycle of parents.",
            "Correct the parents: a territory cannot lie inside itself.",
        ),
        (
            "Les territoires {cycle} forment un cycle de parents.",
            "Corrigez les parents : un territoire ne peut pas se trouver en lui-même.",
        ),
        (
            "المجالات الترابية {cycle} تشكل حلقة مغلقة من المجالات الأعلى.",
            "صحّح المجالات الأعلى: لا يمكن أن يقع مجال ترابي داخل نفسه.",
        ),
    ),
    "territory.data": _message(
        (
            "The territory data shipped with the library is inconsistent: {detail}.",
            "Reinstall wladna_core, and report the problem if it persists.",
        ),
        (
            "Les données de territoires livrées avec la bibliothèque sont incohérentes : {detail}.",
            "Réinstallez wladna_core, et signalez le problème s'il persiste.",
        ),
        (
            "بيانات المجالات الترابية المرفقة بالمكتبة غير متسقة: {detail}.",
            "أعد تثبيت المكتبة (wladna_core)، وأبلغ عن المشكلة إن استمرت.",
        ),
    ),
}

#: Every code the converter reports, with its message and remedy in three languages.
MESSAGES: Final[Mapping[str, Message]] = MappingProxyType({**_INPUT, **_INVARIANTS})

# "given_name holds U+0000, ... at position 4" (wladna_core.model._checks.TextProblem).
_CHARACTER_AT: Final = re.compile(
    r"holds (?P<character>U\+[0-9A-F]{4,6}),.* at position (?P<position>\d+)"
)

#: How to lift the parameters of a message out of an invariant's English text, per code.
PARAMETERS: Final[Mapping[str, re.Pattern[str]]] = MappingProxyType(
    {
        "input.too_long": re.compile(r"has (?P<length>\d+) characters; at most (?P<max>\d+)"),
        "input.too_many": re.compile(r"has (?P<count>\d+) items; at most (?P<max>\d+)"),
        "input.invalid_character": _CHARACTER_AT,
        "input.line_break": _CHARACTER_AT,
        "input.encoding": _CHARACTER_AT,
        "plan.review_before_plan": re.compile(
            r"\((?P<date>[^)]*)\) is before \S+ \((?P<earlier_date>[^)]*)\)"
        ),
        "referral.due_before_made": re.compile(
            r"\((?P<date>[^)]*)\) is before \S+ \((?P<earlier_date>[^)]*)\)"
        ),
        "referral.response_before_made": re.compile(
            r"\((?P<date>[^)]*)\) is before \S+ \((?P<earlier_date>[^)]*)\)"
        ),
        "referral.closed_before_made": re.compile(
            r"\((?P<date>[^)]*)\) is before \S+ \((?P<earlier_date>[^)]*)\)"
        ),
        "closure_request.decided_before_requested": re.compile(
            r"decided on (?P<decided_on>\S+), before it was made on (?P<requested_on>\S+)"
        ),
        "plan.approved_before_drawn_up": re.compile(
            r"approved on (?P<approved_on>\S+), before it was drawn up on (?P<drawn_up_on>\S+)"
        ),
        "case.date_before_opening": re.compile(
            r"\((?P<date>[^)]*)\) is before the case was opened \((?P<opened_on>[^)]*)\)"
        ),
        "case.identified_after_opening": re.compile(
            r"identified on (?P<identified_on>\S+), after the case was opened on "
            r"(?P<opened_on>\S+)"
        ),
        "territory.obsolete": re.compile(r"^(?P<code>\S+) is a pre-2015"),
        "territory.country_parent": re.compile(r"country '(?P<code>[^']*)'"),
        "territory.parent_missing": re.compile(r"territory '(?P<code>[^']*)'"),
        "territory.duplicate": re.compile(r"territory code '(?P<code>[^']*)'"),
        "territory.parent_unknown": re.compile(
            r"territory '(?P<code>[^']*)' has parent '(?P<parent>[^']*)'"
        ),
        "territory.cycle": re.compile(r"territories (?P<cycle>.*) form a cycle"),
        "territory.data": re.compile(r"^(?P<detail>.*?)$", re.DOTALL),
    }
)
