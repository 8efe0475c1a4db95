"""Labels of the HTML report in French, Arabic and English, and numbers and dates for each.

The report translates what it knows: the built-in indicators' titles, the dimensions' names,
the measures' names and the values of the dimensions (sex, risk, status, concerns, services,
programmes, closure reasons, age and duration bands, months and quarters, and territory codes,
named from the gazetteer), for the casework indicators and for those of the training programme
(``training_*``: kinds of body, roles, session modes, training needs, sectors, rating
criteria).  Codes stay codes (a training unit's ``BI-01``, a body's id).  Anything else is shown
as it is, so that a plug-in's indicator or dimension still reads, in the words its author gave
it.

>>> dimension_label("risk", "fr"), dimension_label("risk", "ar")
('Niveau de risque', 'مستوى الخطر')
>>> value_label("MA-SAL", "fr"), value_label("high", "ar")
('Salé', 'مرتفع')
>>> value_label("2026-03", "ar"), value_label("something-new", "fr")
('مارس 2026', 'something-new')
>>> indicator_title("training_sessions", "Training sessions by mode", "ar")
'الدورات التكوينية حسب النمط'
>>> value_label("in_person", "fr"), value_label("focal_point", "ar")
('En présentiel', 'نقطة الارتكاز')
>>> format_number(1234567, "fr"), format_number(0.25, "ar", share=True)
('1\u202f234\u202f567', '25,0%')
"""

from __future__ import annotations

import functools
import math
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from wladna_core.access import Role
from wladna_core.messages import LANGUAGES, Text
from wladna_core.model import BodyKind, Gazetteer
from wladna_core.reporting.build import DEFAULT_TITLE
from wladna_core.training import (
    RATING_SCALE,
    Criterion,
    NeedCode,
    Sector,
    SessionMode,
    StaffRole,
)
from wladna_core.training.indicators import MIN_GROUP_SIZE

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

__all__ = [
    "DEFINITIONS",
    "DIMENSIONS",
    "INDICATORS",
    "MEASURES",
    "NUMBER_MEASURES",
    "SHARE_MEASURES",
    "UI",
    "VALUES",
    "check_language",
    "dimension_label",
    "format_date",
    "format_number",
    "indicator_definition",
    "indicator_title",
    "is_share",
    "measure_label",
    "report_title",
    "ui",
    "value_label",
]

#: Titles of the built-in indicators, by indicator name.
INDICATORS: Final[Mapping[str, Text]] = {
    "cases_opened": Text("Cases opened", "Dossiers ouverts", "الملفات المفتوحة"),
    "open_caseload": Text("Open caseload", "Dossiers en cours", "الملفات الجارية"),
    "closures_by_reason": Text("Closures by reason", "Clôtures par motif", "الإغلاقات حسب السبب"),
    "time_to_first_assessment": Text(
        "Time to first assessment", "Délai de première évaluation", "مدة التقييم الأول"
    ),
    "time_to_closure": Text(
        "Time from opening to closure",
        "Durée de l'ouverture à la clôture",
        "المدة من الفتح إلى الإغلاق",
    ),
    "overdue_actions": Text("Overdue actions", "Actions en retard", "الإجراءات المتأخرة"),
    "referrals": Text(
        "Referrals made, accepted, rejected and completed",
        "Orientations effectuées, acceptées, refusées et terminées",
        "الإحالات المنجزة والمقبولة والمرفوضة والمكتملة",
    ),
    "referral_response_time": Text(
        "Median referral response time",
        "Délai médian de réponse aux orientations",
        "المدة الوسيطة للرد على الإحالات",
    ),
    "programme_referrals": Text(
        "Referrals to social programmes",
        "Orientations vers les programmes sociaux",
        "الإحالات على البرامج الاجتماعية",
    ),
    "caseload_per_worker": Text(
        "Caseload per worker", "Dossiers par intervenant", "عدد الملفات لكل متدخل"
    ),
    # the training programme (wladna_core.training.indicators)
    "training_staff_trained": Text("Staff trained", "Personnel formé", "الأطر التي أتمت التكوين"),
    "training_rollout_coverage": Text(
        "Rollout coverage", "Couverture du déploiement", "تغطية تعميم التكوين"
    ),
    "training_sessions": Text(
        "Training sessions by mode",
        "Sessions de formation par modalité",
        "الدورات التكوينية حسب النمط",
    ),
    "training_attendance": Text(
        "Attendance and completion", "Présence et achèvement", "الحضور وإتمام الدورات"
    ),
    "training_score_gains": Text(
        "Test score gains", "Progression aux tests", "التحسن في نقط الاختبارات"
    ),
    "training_evaluation_scores": Text(
        "Evaluation scores per unit",
        "Notes d'évaluation par unité de formation",
        "نقط التقييم حسب الوحدة التكوينية",
    ),
    "training_needs": Text(
        "Training needs expressed",
        "Besoins de formation exprimés",
        "الحاجات التكوينية المعبر عنها",
    ),
    "training_logistics_gaps": Text("Logistics gaps", "Lacunes logistiques", "النقائص اللوجستيكية"),
    "training_casework_without_units": Text(
        "Casework written without the required units",
        "Dossiers saisis sans les unités de formation requises",
        "ملفات مسجلة دون إتمام وحدات التكوين المطلوبة",
    ),
    # the case file (wladna_core.casefile)
    "services_delivered_in_time": Text(
        "Services delivered within their timeframe",
        "Services rendus dans leur délai",
        "الخدمات المقدمة داخل آجالها",
    ),
    "children_in_care": Text(
        "Children by care arrangement",
        "Enfants par mode de prise en charge",
        "الأطفال حسب نمط التكفل",
    ),
    "outreach_contacts": Text(
        "Outreach contacts", "Contacts des équipes mobiles", "اتصالات الفرق المتنقلة"
    ),
    "reunifications": Text("Reunifications", "Réunifications familiales", "حالات لمّ الشمل الأسري"),
}

#: Definitions of the built-in indicators in French and Arabic, by indicator name; in English
#: the report shows the definition the indicator itself gives.
DEFINITIONS: Final[Mapping[str, Mapping[str, str]]] = {
    "cases_opened": {
        "fr": "Le nombre de dossiers ouverts pendant la période (jusqu'à la date du rapport "
        "lorsqu'il n'a pas de période). Un dossier est daté par son jour d'ouverture ; son "
        "statut est celui d'aujourd'hui.",
        "ar": "عدد الملفات المفتوحة خلال الفترة (إلى تاريخ التقرير إن لم تحدد له فترة). يؤرخ "
        "الملف بيوم فتحه، ووضعيته هي وضعيته الحالية.",
    },
    "open_caseload": {
        "fr": "Le nombre de dossiers en cours le dernier jour de la période (ou à la date du "
        "rapport) : ouverts ce jour-là ou avant, et non clôturés. Les dossiers transférés ou "
        "en double ne sont pas comptés, puisque le dossier qui leur fait suite l'est.",
        "ar": "عدد الملفات الجارية في آخر يوم من الفترة (أو في تاريخ التقرير): المفتوحة في "
        "ذلك اليوم أو قبله وغير المغلقة. لا تحتسب الملفات المحولة أو المكررة، لأن الملف الذي "
        "يواصلها محتسب.",
    },
    "closures_by_reason": {
        "fr": "Le nombre de dossiers clôturés pendant la période, en tout et pour chaque motif "
        "de clôture. Un dossier rouvert depuis n'est plus compté.",
        "ar": "عدد الملفات المغلقة خلال الفترة، إجمالا وحسب كل سبب من أسباب الإغلاق. لا يحتسب "
        "الملف الذي أعيد فتحه بعد ذلك.",
    },
    "time_to_first_assessment": {
        "fr": "Les dossiers dont la première évaluation a eu lieu pendant la période : combien, "
        "le délai médian en jours depuis l'ouverture, combien ont été évalués dans le délai "
        "de leur niveau de risque et quelle part cela représente.",
        "ar": "الملفات التي أنجز تقييمها الأول خلال الفترة: عددها، والمدة الوسيطة بالأيام منذ "
        "الفتح، وعدد ما قيم منها داخل الأجل المحدد لمستوى خطورته، ونسبته.",
    },
    "time_to_closure": {
        "fr": "Les dossiers clôturés pendant la période, en tout et selon la durée de "
        "l'ouverture à la clôture : jusqu'à 30 jours, de 31 à 90, de 91 à 180, plus de 180.",
        "ar": "الملفات المغلقة خلال الفترة، إجمالا وحسب المدة من الفتح إلى الإغلاق: إلى 30 "
        "يوما، ومن 31 إلى 90، ومن 91 إلى 180، وأكثر من 180.",
    },
    "overdue_actions": {
        "fr": "Le travail non fait dans son délai au dernier jour de la période (ou à la date "
        "du rapport) : premières évaluations en retard et réponses en retard aux orientations. "
        "Les délais sont ceux que le déploiement a fixés.",
        "ar": "العمل الذي لم ينجز في أجله في آخر يوم من الفترة (أو في تاريخ التقرير): التقييمات "
        "الأولى المتأخرة والردود المتأخرة على الإحالات. الآجال هي التي حددها التنزيل.",
    },
    "referrals": {
        "fr": "Les orientations faites pendant la période : combien, combien acceptées, "
        "refusées et terminées, et le taux d'acceptation (acceptées sur acceptées et "
        "refusées). L'organe est celui qui a orienté ; le territoire, le risque, les motifs, "
        "le sexe et l'âge sont ceux du dossier.",
        "ar": "الإحالات المنجزة خلال الفترة: عددها، وعدد المقبولة والمرفوضة والمكتملة منها، "
        "ونسبة القبول (المقبولة من مجموع المقبولة والمرفوضة). الهيئة هي التي أحالت؛ والمجال "
        "الترابي والخطر والدواعي والجنس والسن هي بيانات الملف.",
    },
    "referral_response_time": {
        "fr": "Les orientations auxquelles une réponse a été donnée pendant la période : "
        "combien, et le délai médian en jours entre l'orientation et sa réponse.",
        "ar": "الإحالات التي تم الرد عليها خلال الفترة: عددها، والمدة الوسيطة بالأيام بين "
        "الإحالة والرد عليها.",
    },
    "programme_referrals": {
        "fr": "Le nombre d'orientations vers les programmes sociaux publics faites pendant la "
        "période ; ventilez par programme pour voir chacun.",
        "ar": "عدد الإحالات على البرامج الاجتماعية العمومية المنجزة خلال الفترة؛ وزعها حسب "
        "البرنامج لترى كل برنامج على حدة.",
    },
    "caseload_per_worker": {
        "fr": "Les intervenants ayant au moins un dossier en cours le dernier jour de la "
        "période, en tout et selon le nombre de dossiers de chacun : moins de 10, de 10 à 19, "
        "de 20 à 29, 30 et plus. Les dossiers sans intervenant ne sont pas comptés.",
        "ar": "المتدخلون الذين لهم ملف جار واحد على الأقل في آخر يوم من الفترة، إجمالا وحسب عدد "
        "ملفات كل منهم: أقل من 10، ومن 10 إلى 19، ومن 20 إلى 29، و30 فأكثر. لا تحتسب الملفات "
        "التي ليس لها متدخل.",
    },
    # the training programme: sessions are dated by their first day
    "training_staff_trained": {
        "fr": "Les participants, et ceux qui ont achevé au moins une session tenue pendant la "
        "période (jusqu'à la date du rapport), selon le type, la province et la région de leur "
        "organe et selon leur fonction.",
        "ar": "المشاركون، ومن أتم منهم دورة تكوينية واحدة على الأقل انعقدت خلال الفترة (إلى "
        "تاريخ التقرير)، حسب نوع هيئتهم وإقليمها وجهتها، وحسب وظيفتهم.",
    },
    "training_rollout_coverage": {
        "fr": "Les organes, et ceux dont au moins un membre du personnel a achevé une session "
        "tenue pendant la période : jusqu'où la formation a atteint les organes de chaque "
        "territoire.",
        "ar": "الهيئات، وتلك التي أتم فرد واحد على الأقل من أطرها دورة تكوينية انعقدت خلال "
        "الفترة: مدى وصول التكوين إلى هيئات كل مجال ترابي.",
    },
    "training_sessions": {
        "fr": "Les sessions dont le premier jour tombe dans la période, par modalité et par "
        "territoire.",
        "ar": "الدورات التكوينية التي يقع يومها الأول خلال الفترة، حسب النمط والمجال الترابي.",
    },
    "training_attendance": {
        "fr": "Les inscriptions aux sessions de la période, celles qui ont été achevées et le "
        "taux d'achèvement ; les jours de présence rapportés aux jours où les sessions se sont "
        "tenues (le taux de présence).",
        "ar": "التسجيلات في الدورات التكوينية للفترة، والتي تم إتمامها منها ونسبة الإتمام؛ وأيام "
        "الحضور منسوبة إلى أيام انعقاد الدورات (نسبة الحضور).",
    },
    "training_score_gains": {
        "fr": "Les inscriptions aux sessions de la période ayant une note au pré-test et au "
        "post-test, les notes moyennes avant et après, et le gain moyen, en points de "
        "pourcentage.",
        "ar": "التسجيلات في الدورات التكوينية للفترة التي لها نقطة في الاختبار القبلي وفي "
        "الاختبار البعدي، ومتوسط النقط قبل التكوين وبعده، ومتوسط التحسن بالنقط المئوية.",
    },
    "training_evaluation_scores": {
        "fr": "Les évaluations des sessions de la période, comptées pour chaque unité de "
        f"formation de la session, et la note moyenne de chaque critère (de {RATING_SCALE[0]} "
        f"à {RATING_SCALE[1]}). Une ligne de moins de {MIN_GROUP_SIZE} évaluations n'affiche ni "
        "nombre ni moyennes, quelle que soit la confidentialité du rapport.",
        "ar": "تقييمات الدورات التكوينية للفترة، محتسبة لكل وحدة تكوينية من وحدات الدورة، ومتوسط "
        f"تنقيط كل معيار (من {RATING_SCALE[0]} إلى {RATING_SCALE[1]}). لا يعرض السطر الذي يقل "
        f"عدد تقييماته عن {MIN_GROUP_SIZE} عددا ولا متوسطات، أيا كانت درجة سرية التقرير.",
    },
    "training_needs": {
        "fr": "Le nombre d'évaluations des sessions de la période ayant exprimé chaque besoin "
        f"codé. Une ligne de moins de {MIN_GROUP_SIZE} évaluations n'est pas affichée, quelle "
        "que soit la confidentialité du rapport.",
        "ar": "عدد تقييمات الدورات التكوينية للفترة التي عبرت عن كل حاجة مرمزة. لا يعرض السطر "
        f"الذي يقل عدد تقييماته عن {MIN_GROUP_SIZE}، أيا كانت درجة سرية التقرير.",
    },
    "training_logistics_gaps": {
        "fr": "Les sites des organes, selon leur dernier relevé jusqu'à la date du rapport : "
        "ceux sans haut débit, ceux sans aucun accès à Internet, et les équipements qui "
        "manquent pour que chaque place en ait un.",
        "ar": "فضاءات الهيئات حسب آخر معاينة لها إلى تاريخ التقرير: التي لا تتوفر على صبيب "
        "عال، والتي لا تتوفر على أي ولوج إلى الإنترنت، والأجهزة الناقصة لكي يتوفر كل مقعد "
        "على جهاز.",
    },
    "training_casework_without_units": {
        "fr": "Les personnes qui ont saisi des dossiers pendant la période sans les unités de "
        "formation que leur fonction exige (d'après les avertissements du journal d'audit), "
        "et le nombre de ces saisies.",
        "ar": "الأشخاص الذين سجلوا ملفات خلال الفترة دون إتمام وحدات التكوين التي تتطلبها "
        "وظيفتهم (حسب التنبيهات المسجلة في سجل التتبع)، وعدد عمليات التسجيل هذه.",
    },
    "services_delivered_in_time": {
        "fr": "Les services du journal des services dont l'échéance tombe dans la période (les "
        "services annulés exclus), et combien ont été rendus au plus tard à leur échéance, avec "
        "leur part. L'échéance est celle qui a été enregistrée, par défaut le délai de réponse "
        "fixé par le déploiement. La région, la province et l'organe sont ceux du dossier.",
        "ar": "خدمات سجل الخدمات التي يحل أجلها خلال الفترة (باستثناء الخدمات الملغاة)، وعدد "
        "ما قُدّم منها في أجله أو قبله، مع نسبته. الأجل هو المسجل، وإلا فأجل الاستجابة الذي "
        "يحدده النظام المعتمد. الجهة والإقليم والهيئة هي تلك الخاصة بالملف.",
    },
    "children_in_care": {
        "fr": "Les enfants des dossiers, selon le mode de prise en charge où ils vivent à la date "
        "du rapport (parents, prise en charge par la famille élargie, kafala, famille d'accueil, "
        "établissement, vie autonome, situation de rue) et selon la région, la province et "
        "l'organe responsable de leur dossier.",
        "ar": "أطفال الملفات، حسب نمط التكفل الذي يعيشون فيه في تاريخ التقرير (الوالدان، التكفل "
        "من طرف الأقارب، الكفالة، الأسرة المستقبلة، مؤسسة الرعاية، العيش المستقل، وضعية الشارع) "
        "وحسب الجهة والإقليم والهيئة المسؤولة عن ملفهم.",
    },
    "outreach_contacts": {
        "fr": "Les contacts des équipes mobiles avec des enfants en situation de rue pendant la "
        "période, ceux où l'enfant a accepté ce qui lui était proposé et ceux à partir desquels "
        "un dossier a été ouvert, selon la date du contact, le territoire où l'enfant a été "
        "rencontré et l'organe dont l'équipe s'est déplacée.",
        "ar": "اتصالات الفرق المتنقلة بالأطفال في وضعية الشارع خلال الفترة، وتلك التي قبل فيها "
        "الطفل ما عُرض عليه، وتلك التي فُتح انطلاقاً منها ملف، حسب تاريخ الاتصال والمجال الترابي "
        "الذي التُقي فيه الطفل والهيئة التي تنقل فريقها.",
    },
    "reunifications": {
        "fr": "Les réunifications d'enfants séparés avec leur famille pendant la période, celles "
        "vérifiées au préalable, celles suivies d'au moins une visite, celles maintenues après "
        "une visite de suivi et celles qui ont échoué, selon la date de la réunification, le "
        "territoire où l'enfant est retourné et l'organe responsable du dossier.",
        "ar": "حالات لمّ شمل الأطفال المنفصلين بأسرهم خلال الفترة، وتلك التي تم التحقق منها "
        "مسبقاً، وتلك التي تلتها زيارة تتبع واحدة على الأقل، وتلك التي استمرت بعد زيارة التتبع، "
        "وتلك التي فشلت، حسب تاريخ لمّ الشمل والمجال الترابي الذي عاد إليه الطفل والهيئة "
        "المسؤولة عن الملف.",
    },
}

#: Names of the dimensions, by dimension name.
DIMENSIONS: Final[Mapping[str, Text]] = {
    "period": Text("Period", "Période", "الفترة"),
    "month": Text("Month", "Mois", "الشهر"),
    "quarter": Text("Quarter", "Trimestre", "الربع"),
    "year": Text("Year", "Année", "السنة"),
    "territory": Text("Territory", "Territoire", "المجال الترابي"),
    "region": Text("Region", "Région", "الجهة"),
    "province": Text("Province or prefecture", "Province ou préfecture", "الإقليم أو العمالة"),
    "body": Text("Body", "Organe", "الهيئة"),
    "risk": Text("Risk level", "Niveau de risque", "مستوى الخطر"),
    "concern": Text("Protection concern", "Motif de protection", "دواعي الحماية"),
    "sex": Text("Sex", "Sexe", "الجنس"),
    "age_band": Text("Age band", "Tranche d'âge", "الفئة العمرية"),
    "status": Text("Status", "Statut", "الوضعية"),
    "service": Text("Service", "Service", "الخدمة"),
    "service_type": Text("Service", "Service", "الخدمة"),
    "programme": Text("Social programme", "Programme social", "البرنامج الاجتماعي"),
    "reason": Text("Reason", "Motif", "السبب"),
    "closure_reason": Text("Closure reason", "Motif de clôture", "سبب الإغلاق"),
    "duration_band": Text("Duration", "Durée", "المدة"),
    "band": Text("Band", "Tranche", "الفئة"),
    "caseload_band": Text("Caseload", "Charge de travail", "عبء العمل"),
    "worker": Text("Worker", "Intervenant", "المتدخل"),
    "action": Text("Action", "Action", "الإجراء"),
    "target_kind": Text("Target", "Destinataire", "الجهة المحال عليها"),
    # the training programme
    "body_kind": Text("Kind of body", "Type d'organe", "نوع الهيئة"),
    "role": Text("Role", "Fonction", "الوظيفة"),
    "sector": Text("Sector", "Secteur", "القطاع"),
    "mode": Text("Session mode", "Modalité de la session", "نمط الدورة التكوينية"),
    "unit": Text("Training unit", "Unité de formation", "الوحدة التكوينية"),
    "need": Text("Training need", "Besoin de formation", "الحاجة التكوينية"),
    # the case file
    "care_type": Text("Care arrangement", "Mode de prise en charge", "نمط التكفل"),
}

#: Names of the measures, by measure name.
MEASURES: Final[Mapping[str, Text]] = {
    "count": Text("Number", "Nombre", "العدد"),
    "cases": Text("Cases", "Dossiers", "الملفات"),
    "workers": Text("Workers", "Intervenants", "المتدخلون"),
    "made": Text("Made", "Effectuées", "المنجزة"),
    "pending": Text("Pending", "En attente", "في الانتظار"),
    "accepted": Text("Accepted", "Acceptées", "المقبولة"),
    "rejected": Text("Rejected", "Refusées", "المرفوضة"),
    "completed": Text("Completed", "Terminées", "المكتملة"),
    "cancelled": Text("Cancelled", "Annulées", "الملغاة"),
    "assessed": Text("Assessed", "Évalués", "المقيمة"),
    "within_deadline": Text("Within the deadline", "Dans le délai", "داخل الأجل"),
    "overdue": Text("Overdue", "En retard", "متأخرة"),
    "rate": Text("Rate", "Taux", "النسبة"),
    "acceptance_rate": Text("Acceptance rate", "Taux d'acceptation", "نسبة القبول"),
    "share": Text("Share", "Part", "الحصة"),
    "share_within_deadline": Text(
        "Share within the deadline", "Part dans le délai", "الحصة داخل الأجل"
    ),
    "closed": Text("Closed", "Clôturés", "المغلقة"),
    "answered": Text("Answered", "Répondues", "التي تم الرد عليها"),
    "first_assessments": Text("First assessments", "Premières évaluations", "التقييمات الأولى"),
    "referral_responses": Text(
        "Referral responses", "Réponses aux orientations", "الردود على الإحالات"
    ),
    "days_0_30": Text("30 days or less", "30 jours ou moins", "30 يوما أو أقل"),
    "days_31_90": Text("31 to 90 days", "31 à 90 jours", "من 31 إلى 90 يوما"),
    "days_91_180": Text("91 to 180 days", "91 à 180 jours", "من 91 إلى 180 يوما"),
    "days_over_180": Text("More than 180 days", "Plus de 180 jours", "أكثر من 180 يوما"),
    "cases_0_9": Text("Fewer than 10 cases", "Moins de 10 dossiers", "أقل من 10 ملفات"),
    "cases_10_19": Text("10 to 19 cases", "10 à 19 dossiers", "من 10 إلى 19 ملفا"),
    "cases_20_29": Text("20 to 29 cases", "20 à 29 dossiers", "من 20 إلى 29 ملفا"),
    "cases_30_plus": Text("30 cases or more", "30 dossiers et plus", "30 ملفا فأكثر"),
    "days": Text("Days", "Jours", "الأيام"),
    "median_days": Text("Median (days)", "Médiane (jours)", "الوسيط (بالأيام)"),
    "mean_days": Text("Mean (days)", "Moyenne (jours)", "المتوسط (بالأيام)"),
    # the training programme
    "participants": Text("Participants", "Participants", "المشاركون"),
    "trained": Text("Trained", "Formés", "الذين أتموا التكوين"),
    "trained_share": Text("Share trained", "Part des formés", "نسبة الذين أتموا التكوين"),
    "bodies": Text("Bodies", "Organes", "الهيئات"),
    "covered": Text("Covered", "Couverts", "المشمولة بالتكوين"),
    "coverage": Text("Coverage", "Taux de couverture", "نسبة التغطية"),
    "sessions": Text("Sessions", "Sessions", "الدورات التكوينية"),
    "enrolments": Text("Enrolments", "Inscriptions", "التسجيلات"),
    "completion_rate": Text("Completion rate", "Taux d'achèvement", "نسبة الإتمام"),
    "days_attended": Text("Days attended", "Jours de présence", "أيام الحضور"),
    "days_held": Text("Days held", "Jours de session", "أيام انعقاد الدورات"),
    "attendance_rate": Text("Attendance rate", "Taux de présence", "نسبة الحضور"),
    "tested": Text(
        "Tested before and after",
        "Testés avant et après",
        "الخاضعون للاختبارين القبلي والبعدي",
    ),
    "mean_pre_test": Text(
        "Mean pre-test score", "Note moyenne au pré-test", "متوسط نقطة الاختبار القبلي"
    ),
    "mean_post_test": Text(
        "Mean post-test score", "Note moyenne au post-test", "متوسط نقطة الاختبار البعدي"
    ),
    "mean_gain": Text("Mean gain (points)", "Gain moyen (points)", "متوسط التحسن (بالنقط)"),
    "evaluations": Text("Evaluations", "Évaluations", "التقييمات"),
    "expressed": Text(
        "Evaluations expressing it", "Évaluations qui l'expriment", "التقييمات المعبرة عنها"
    ),
    # the mean rating of each criterion of an evaluation
    Criterion.CONTENT: Text(
        "Content (mean rating)", "Contenu (note moyenne)", "المحتوى (متوسط التنقيط)"
    ),
    Criterion.TRAINERS: Text(
        "Trainers (mean rating)", "Formateurs (note moyenne)", "المكوِّنون (متوسط التنقيط)"
    ),
    Criterion.MATERIALS: Text(
        "Materials (mean rating)",
        "Supports pédagogiques (note moyenne)",
        "الوسائل البيداغوجية (متوسط التنقيط)",
    ),
    Criterion.LOGISTICS: Text(
        "Logistics (mean rating)", "Logistique (note moyenne)", "اللوجستيك (متوسط التنقيط)"
    ),
    Criterion.RELEVANCE: Text(
        "Relevance (mean rating)", "Pertinence (note moyenne)", "الملاءمة (متوسط التنقيط)"
    ),
    "sites": Text("Sites", "Sites", "الفضاءات"),
    "without_broadband": Text("Without broadband", "Sans haut débit", "دون صبيب عال"),
    "without_internet": Text("Without Internet", "Sans Internet", "دون إنترنت"),
    "devices_missing": Text("Devices missing", "Équipements manquants", "الأجهزة الناقصة"),
    "people": Text("People", "Personnes", "الأشخاص"),
    "writes": Text("Writes", "Saisies", "عمليات التسجيل"),
    # the case file
    "due": Text("Due", "À échéance", "الحالّ أجلها"),
    "delivered_in_time": Text("Delivered in time", "Rendus dans le délai", "المقدمة في أجلها"),
    "share_in_time": Text("Share in time", "Part dans le délai", "النسبة داخل الأجل"),
    "children": Text("Children", "Enfants", "الأطفال"),
    "contacts": Text("Contacts", "Contacts", "الاتصالات"),
    "agreed": Text("Child agreed", "Acceptés par l'enfant", "التي قبلها الطفل"),
    "cases_opened": Text("Cases opened", "Dossiers ouverts", "الملفات المفتوحة"),
    "reunifications": Text("Reunifications", "Réunifications", "حالات لمّ الشمل"),
    "verified": Text("Verified beforehand", "Vérifiées au préalable", "المتحقق منها مسبقاً"),
    "followed_up": Text("Followed up", "Suivies", "المتتبَّعة"),
    "sustained": Text("Sustained", "Maintenues", "المستمرة"),
    "breakdown": Text("Broke down", "Échouées", "الفاشلة"),
}

#: Measures that hold a share from 0 to 1, whatever the table's unit: shown as percentages.
SHARE_MEASURES: Final = frozenset(
    {"rate", "share", "acceptance_rate", "share_within_deadline", "coverage"}
)
#: Measures that count or hold days, whatever the table's unit.
NUMBER_MEASURES: Final = frozenset(MEASURES) - SHARE_MEASURES

_OTHER = Text("Other", "Autre", "أخرى")

#: Dimension values: enumeration values of the model, bands, and words the indicators use.
VALUES: Final[Mapping[str, Text]] = {
    # sex
    "female": Text("Girls", "Filles", "إناث"),
    "male": Text("Boys", "Garçons", "ذكور"),
    # risk
    "high": Text("High", "Élevé", "مرتفع"),
    "medium": Text("Medium", "Moyen", "متوسط"),
    "low": Text("Low", "Faible", "منخفض"),
    "none": Text("None", "Aucun", "منعدم"),
    # case status
    "registered": Text("Registered", "Enregistré", "مسجل"),
    "assessment": Text("Assessment", "Évaluation", "التقييم"),
    "case_plan": Text("Case plan", "Plan d'intervention", "خطة التدخل"),
    "implementation": Text("Implementation", "Mise en œuvre", "التنفيذ"),
    "follow_up": Text("Follow-up", "Suivi", "التتبع"),
    "closed": Text("Closed", "Clôturé", "مغلق"),
    "reopened": Text("Reopened", "Rouvert", "أعيد فتحه"),
    "transferred": Text("Transferred", "Transféré", "محول"),
    "duplicate": Text("Duplicate", "Doublon", "مكرر"),
    # referral status
    "pending": Text("Pending", "En attente", "في الانتظار"),
    "accepted": Text("Accepted", "Acceptée", "مقبولة"),
    "rejected": Text("Rejected", "Refusée", "مرفوضة"),
    "cancelled": Text("Cancelled", "Annulée", "ملغاة"),
    "completed": Text("Completed", "Terminée", "مكتملة"),
    # protection concerns
    "physical_violence": Text("Physical violence", "Violence physique", "العنف الجسدي"),
    "sexual_violence": Text("Sexual violence", "Violence sexuelle", "العنف الجنسي"),
    "psychological_violence": Text(
        "Psychological violence", "Violence psychologique", "العنف النفسي"
    ),
    "neglect": Text("Neglect", "Négligence", "الإهمال"),
    "abandonment": Text("Abandonment", "Abandon", "التخلي"),
    "child_labour": Text("Child labour", "Travail des enfants", "تشغيل الأطفال"),
    "hazardous_work": Text("Hazardous work", "Travaux dangereux", "الأشغال الخطرة"),
    "domestic_work": Text("Domestic work", "Travail domestique", "العمل المنزلي"),
    "begging": Text("Begging", "Mendicité", "التسول"),
    "economic_exploitation": Text(
        "Economic exploitation", "Exploitation économique", "الاستغلال الاقتصادي"
    ),
    "sexual_exploitation": Text("Sexual exploitation", "Exploitation sexuelle", "الاستغلال الجنسي"),
    "trafficking": Text("Trafficking", "Traite", "الاتجار بالبشر"),
    "child_marriage": Text("Child marriage", "Mariage d'enfants", "زواج الأطفال"),
    "street_situation": Text("Street situation", "Situation de rue", "وضعية الشارع"),
    "in_conflict_with_the_law": Text(
        "In conflict with the law", "En conflit avec la loi", "في نزاع مع القانون"
    ),
    "unaccompanied": Text("Unaccompanied", "Non accompagné", "غير مصحوب"),
    "separated": Text("Separated", "Séparé", "منفصل عن أسرته"),
    "migrant": Text("Migrant", "Migrant", "مهاجر"),
    "without_family_care": Text(
        "Without family care", "Privé de protection familiale", "بدون رعاية أسرية"
    ),
    "lack_of_documentation": Text(
        "Lack of documentation", "Absence de documents", "غياب الوثائق الثبوتية"
    ),
    "substance_use": Text("Substance use", "Usage de substances", "تعاطي المخدرات"),
    "online_abuse": Text("Online abuse", "Abus en ligne", "الإساءة عبر الإنترنت"),
    "other": _OTHER,
    # services
    "medical": Text("Medical", "Médical", "طبية"),
    "psychosocial": Text("Psychosocial", "Psychosocial", "نفسية اجتماعية"),
    "legal_aid": Text("Legal aid", "Aide juridique", "مساعدة قانونية"),
    "judicial_protection": Text("Judicial protection", "Protection judiciaire", "حماية قضائية"),
    "placement": Text("Placement or shelter", "Placement ou hébergement", "إيداع أو إيواء"),
    "education": Text("Education", "Éducation", "التعليم"),
    "vocational_training": Text(
        "Vocational training", "Formation professionnelle", "التكوين المهني"
    ),
    "family_tracing": Text(
        "Family tracing and reunification",
        "Recherche et réunification familiales",
        "البحث عن الأسرة ولم الشمل",
    ),
    "social_assistance": Text("Social assistance", "Assistance sociale", "مساعدة اجتماعية"),
    "civil_registration": Text("Civil registration", "État civil", "الحالة المدنية"),
    "disability_services": Text("Disability services", "Services du handicap", "خدمات الإعاقة"),
    "substance_use_treatment": Text(
        "Substance-use treatment", "Traitement des addictions", "علاج الإدمان"
    ),
    # social programmes
    "asd": Text(
        "Direct social support (ASD)", "Aide sociale directe (ASD)", "الدعم الاجتماعي المباشر"
    ),
    "amo_tadamon": Text("AMO Tadamon", "AMO Tadamon", "أمو تضامن"),
    "tayssir": Text("Tayssir", "Tayssir", "تيسير"),
    "daam": Text("DAAM (support to widows)", "DAAM (aide aux veuves)", "دعم الأرامل"),
    "family_support_fund": Text(
        "Family Support Fund", "Fonds d'entraide familiale", "صندوق التكافل العائلي"
    ),
    "entraide_nationale": Text("Entraide Nationale", "Entraide Nationale", "التعاون الوطني"),
    # closure reasons
    "goals_achieved": Text("Goals achieved", "Objectifs atteints", "تحقيق الأهداف"),
    "risk_resolved": Text("Risk resolved", "Risque écarté", "زوال الخطر"),
    "reached_majority": Text("Reached majority", "Majorité atteinte", "بلوغ سن الرشد"),
    "moved_away": Text("Moved away", "Déménagement", "الانتقال"),
    "lost_contact": Text("Contact lost", "Perte de contact", "انقطاع التواصل"),
    "services_refused": Text("Services refused", "Services refusés", "رفض الخدمات"),
    "death": Text("Death", "Décès", "الوفاة"),
    # referral targets
    "body": Text("Body", "Organe", "هيئة"),
    "programme": Text("Social programme", "Programme social", "برنامج اجتماعي"),
    "judicial": Text("Judicial authority", "Autorité judiciaire", "السلطة القضائية"),
    # actions that fall overdue
    "first_assessment": Text("First assessment", "Première évaluation", "التقييم الأول"),
    "referral_response": Text("Referral response", "Réponse à une orientation", "الرد على الإحالة"),
    "plan_review": Text("Plan review", "Révision du plan", "مراجعة الخطة"),
    # kinds of body (the training programme's body_kind); "association" and "ministry" are
    # sectors too, "entraide_nationale" a programme and a sector
    BodyKind.CPPE: Text(
        "Provincial child protection committee (CPPE)",
        "Comité provincial de protection de l'enfance (CPPE)",
        "اللجنة الإقليمية لحماية الطفولة",
    ),
    BodyKind.CAPE: Text(
        "Child protection support centre (CAPE)",
        "Centre d'accompagnement pour la protection de l'enfance (CAPE)",
        "مركز المواكبة لحماية الطفولة",
    ),
    BodyKind.UPE: Text(
        "Child protection unit (UPE)",
        "Unité de protection de l'enfance (UPE)",
        "وحدة حماية الطفولة",
    ),
    BodyKind.EPS: Text(
        "Social protection establishment (EPS)",
        "Établissement de protection sociale (EPS)",
        "مؤسسة الرعاية الاجتماعية",
    ),
    BodyKind.ASSOCIATION: Text("Association", "Association", "جمعية"),
    BodyKind.MINISTRY: Text("Ministry", "Ministère", "الوزارة"),
    BodyKind.SOCIAL_SERVICE: Text("Social service", "Service social", "مصلحة اجتماعية"),
    BodyKind.PUBLIC_SERVICE: Text("Public service", "Service public", "مرفق عمومي"),
    # roles of staff (the access roles, then those only the training programme knows)
    StaffRole.CASE_WORKER: Text("Case worker", "Gestionnaire de cas", "مدبر الحالات"),
    StaffRole.SUPERVISOR: Text("Supervisor", "Superviseur", "المشرف"),
    StaffRole.BODY_COORDINATOR: Text("Body coordinator", "Coordinateur de l'organe", "منسق الهيئة"),
    StaffRole.SERVICE_PROVIDER: Text("Service provider", "Prestataire de services", "مقدم الخدمات"),
    StaffRole.NATIONAL_ANALYST: Text("National analyst", "Analyste national", "المحلل الوطني"),
    StaffRole.ADMIN: Text("Administrator", "Administrateur du système", "مدير النظام"),
    Role.TRAINING_COORDINATOR: Text(
        "Training coordinator", "Coordinateur de la formation", "منسق التكوين"
    ),
    StaffRole.SOCIAL_WORKER: Text("Social worker", "Travailleur social", "العامل الاجتماعي"),
    StaffRole.FOCAL_POINT: Text("Focal point", "Point focal", "نقطة الارتكاز"),
    StaffRole.DATA_OFFICER: Text("Data officer", "Chargé des données", "المكلف بالمعطيات"),
    StaffRole.TRAINER: Text("Trainer", "Formateur", "المكوِّن"),
    # modes of a training session
    SessionMode.REMOTE: Text("Remote", "À distance", "عن بعد"),
    SessionMode.IN_PERSON: Text("In person", "En présentiel", "حضوري"),
    SessionMode.HYBRID: Text("Hybrid", "Hybride", "مختلط"),
    # training needs expressed in evaluations
    NeedCode.MORE_PRACTICE: Text("More practice", "Plus de pratique", "مزيد من التطبيق"),
    NeedCode.INFORMATION_BASE_USE: Text(
        "Use of the information base",
        "Utilisation de la base d'information",
        "استعمال قاعدة المعطيات",
    ),
    NeedCode.CASE_MANAGEMENT_TOOLS: Text(
        "Case management tools", "Outils de gestion de cas", "أدوات تدبير الحالات"
    ),
    NeedCode.LEGAL_FRAMEWORK: Text("Legal framework", "Cadre juridique", "الإطار القانوني"),
    NeedCode.STREET_CHILDREN_METHODS: Text(
        "Methods of work with children in street situations",
        "Méthodes de travail avec les enfants en situation de rue",
        "مناهج العمل مع الأطفال في وضعية الشارع",
    ),
    NeedCode.VIOLENCE_AND_EXPLOITATION: Text(
        "Violence and exploitation", "Violence et exploitation", "العنف والاستغلال"
    ),
    NeedCode.REFERRAL_PROCEDURES: Text(
        "Referral procedures", "Procédures d'orientation", "مساطر الإحالة"
    ),
    NeedCode.PSYCHOSOCIAL_SUPPORT: Text(
        "Psychosocial support", "Soutien psychosocial", "الدعم النفسي والاجتماعي"
    ),
    NeedCode.DATA_PROTECTION: Text(
        "Personal data protection",
        "Protection des données personnelles",
        "حماية المعطيات الشخصية",
    ),
    NeedCode.EQUIPMENT: Text("Equipment", "Équipement", "التجهيزات"),
    NeedCode.CONNECTIVITY: Text("Connectivity", "Connexion à Internet", "الربط بالإنترنت"),
    NeedCode.FOLLOW_UP_COACHING: Text(
        "Follow-up coaching", "Accompagnement après la formation", "المواكبة بعد التكوين"
    ),
    # sectors of participants and trainers ("association", "education", "ministry",
    # "entraide_nationale" and "other" are named above)
    Sector.JUSTICE: Text("Justice", "Justice", "العدل"),
    Sector.HEALTH: Text("Health", "Santé", "الصحة"),
    Sector.POLICE: Text("National security (police)", "Sûreté nationale", "الأمن الوطني"),
    Sector.GENDARMERIE: Text("Royal gendarmerie", "Gendarmerie royale", "الدرك الملكي"),
    Sector.LOCAL_AUTHORITY: Text("Local authority", "Autorité locale", "السلطة المحلية"),
    Sector.INTERNATIONAL_PARTNER: Text(
        "International partner", "Partenaire international", "شريك دولي"
    ),
    Sector.ACADEMIC: Text(
        "University, institute or expert",
        "Université, institut ou expert",
        "جامعة أو معهد أو خبير",
    ),
    # care arrangements (wladna_core.casefile.care.CareType)
    "parents": Text("Parents", "Parents", "الوالدان"),
    "kinship": Text("Kinship care", "Famille élargie", "التكفل من طرف الأقارب"),
    "kafala": Text("Kafala", "Kafala", "الكفالة"),
    "foster_family": Text("Foster family", "Famille d'accueil", "الأسرة المستقبلة"),
    "residential": Text("Residential care", "Établissement", "مؤسسة الرعاية"),
    "independent": Text("Independent living", "Vie autonome", "العيش المستقل"),
    "street": Text("Street situation", "Situation de rue", "وضعية الشارع"),
}

#: Words of the page itself.
UI: Final[Mapping[str, Text]] = {
    "report": Text("Report", "Rapport", "تقرير"),
    "contents": Text("Contents", "Sommaire", "المحتويات"),
    "period": Text("Period", "Période", "الفترة"),
    "period_range": Text("{start} to {end}", "du {start} au {end}", "من {start} إلى {end}"),
    "all_records": Text("all records", "tous les dossiers", "جميع الملفات"),
    "generated_on": Text("Computed on", "Calculé le", "أنجز بتاريخ"),
    "filters": Text("Filters", "Filtres", "عوامل التصفية"),
    "public": Text(
        "Public report: counts below {threshold} are withheld, and so are the cells that would"
        " reveal them.",
        "Rapport public : les effectifs inférieurs à {threshold} sont masqués, ainsi que les"
        " cellules qui permettraient de les retrouver.",
        "تقرير عمومي: تحجب الأعداد التي تقل عن {threshold}، وكذا الخانات التي قد تكشف عنها.",
    ),
    "internal": Text(
        "Internal report: figures are shown as they are, for the body's own use.",
        "Rapport interne : les chiffres sont présentés tels quels, à l'usage de l'organe.",
        "تقرير داخلي: تعرض الأرقام كما هي، لاستعمال الهيئة.",
    ),
    "total": Text("Total", "Total", "المجموع"),
    "table": Text("Table: {title}", "Tableau : {title}", "جدول: {title}"),
    "chart": Text("Chart: {title}", "Graphique : {title}", "رسم بياني: {title}"),
    "filter": Text("{name}: {value}", "{name} : {value}", "{name}: {value}"),
    "chart_of": Text(
        "Bar chart of {measure} by {dimension}",
        "Diagramme en barres : {measure} par {dimension}",
        "رسم بالأعمدة: {measure} حسب {dimension}",
    ),
    "chart_total": Text(
        "Bar chart of {measure}", "Diagramme en barres : {measure}", "رسم بالأعمدة: {measure}"
    ),
    "and": Text(" and ", " et ", " و"),
    "no_rows": Text("No figures.", "Aucun chiffre.", "لا توجد أرقام."),
    "legend": Text("Legend", "Légende", "مفتاح الرموز"),
    "suppressed": Text(
        "confidential: withheld to protect the children's privacy",
        "confidentiel : masqué pour protéger la vie privée des enfants",
        "سري: محجوب لحماية الحياة الخاصة للأطفال",
    ),
    "missing": Text("no value", "aucune valeur", "لا توجد قيمة"),
    "unknown": Text("(not recorded)", "(non renseigné)", "(غير مسجل)"),
    "yes": Text("yes", "oui", "نعم"),
    "no": Text("no", "non", "لا"),
}

_MONTHS: Final[Mapping[str, tuple[str, ...]]] = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    # The month names used in Morocco.
    "ar": (
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "ماي",
        "يونيو",
        "يوليوز",
        "غشت",
        "شتنبر",
        "أكتوبر",
        "نونبر",
        "دجنبر",
    ),
}
_QUARTER: Final = Text("Q{quarter} {year}", "T{quarter} {year}", "الربع {quarter} من {year}")
_DAYS: Final = Text("{low} to {high} days", "{low} à {high} jours", "من {low} إلى {high} يوما")
_AT_MOST_DAYS: Final = Text("≤ {high} days", "≤ {high} jours", "≤ {high} يوما")
_OVER_DAYS: Final = Text("> {low} days", "> {low} jours", "> {low} يوما")
_AGE_BAND: Final = Text("{low} to {high} years", "{low} à {high} ans", "من {low} إلى {high} سنة")
_BAND: Final = Text("{low} to {high}", "{low} à {high}", "من {low} إلى {high}")
_AT_MOST_PLAIN: Final = Text("≤ {high}", "≤ {high}", "≤ {high}")
_OVER_PLAIN: Final = Text("> {low}", "> {low}", "> {low}")
_UNDER: Final = Text("under {high}", "moins de {high}", "أقل من {high}")
_OR_MORE: Final = Text("{low} or more", "{low} et plus", "{low} فأكثر")

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER_KEY = re.compile(r"^(\d{4})-?Q([1-4])$")
# A hyphen or an en dash between the bounds.
_RANGE = re.compile(r"^(\d+)\s*[-\u2013]\s*(\d+)(\s*d(?:ays)?)?$")
_AT_MOST = re.compile(r"^(?:<=|≤)\s*(\d+)(\s*d(?:ays)?)?$")
_OVER = re.compile(r"^>\s*(\d+)(\s*d(?:ays)?)?$")
_UNDER_KEY = re.compile(r"^<\s*(\d+)$")
_OR_MORE_KEY = re.compile(r"^(\d+)\s*\+$")

# Digit grouping and decimal mark: French (narrow no-break space), Moroccan Arabic, English.
_SEPARATORS: Final[Mapping[str, tuple[str, str]]] = {
    "fr": ("\u202f", ","),
    "ar": (".", ","),
    "en": (",", "."),
}
# French puts a narrow no-break space before "%"; in Arabic a space would let the sign move
# to the other side of the number in right-to-left text.
_PERCENT: Final[Mapping[str, str]] = {"fr": "\u202f%", "ar": "%", "en": "%"}


def check_language(lang: str) -> str:
    """Return ``lang`` if the report speaks it (``fr``, ``ar`` or ``en``).

    :raises ValueError: for any other language, naming those it speaks.
    """
    if lang not in LANGUAGES:
        msg = f"the HTML report exists in {', '.join(LANGUAGES)}; got lang={lang!r}"
        raise ValueError(msg)
    return lang


def ui(key: str, lang: str, **fields: object) -> str:
    """Return the page word ``key`` of :data:`UI` in ``lang``, with ``fields`` filled in."""
    return UI[key].in_language(lang).format(**fields)


def indicator_title(indicator: str, title: str, lang: str) -> str:
    """Return the title of ``indicator`` in ``lang``, or its own ``title`` if it is not known.

    :param indicator: the indicator's stable name, e.g. ``cases_opened``.
    :param title: the title the table carries, used for indicators this module does not know.
    :param lang: ``fr``, ``ar`` or ``en``.
    """
    known = INDICATORS.get(indicator)
    return known.in_language(lang) if known is not None and lang != "en" else title


def indicator_definition(indicator: str, definition: str, lang: str) -> str:
    """Return the definition of ``indicator`` in ``lang``, or its own ``definition``.

    :param indicator: the indicator's stable name, e.g. ``cases_opened``.
    :param definition: the definition the table carries (the indicator's own, in English for
        the built-in ones), shown for English and for indicators this module does not know.
    :param lang: ``fr``, ``ar`` or ``en``.
    """
    known = DEFINITIONS.get(indicator, {})
    return known.get(lang, definition)


def report_title(title: str, lang: str) -> str:
    """Return the report's title: the default title in ``lang``, any other as it was given."""
    return ui("report", lang) if title == DEFAULT_TITLE else title


def dimension_label(name: str, lang: str) -> str:
    """Return the name of dimension ``name`` in ``lang``, or ``name`` itself if not known."""
    known = DIMENSIONS.get(name)
    return known.in_language(lang) if known is not None else name


def measure_label(name: str, lang: str) -> str:
    """Return the name of measure ``name`` in ``lang``, or ``name`` itself if not known.

    A measure named after a value (``goals_achieved``, one of the closures' measures) takes
    the value's name.
    """
    known = MEASURES.get(name) or VALUES.get(name)
    return known.in_language(lang) if known is not None else name


def is_share(measure: str, unit: str) -> bool:
    """Return whether ``measure`` holds shares from 0 to 1 (shown as percentages).

    :param measure: the measure's name; those in :data:`SHARE_MEASURES` or ending in
        ``_rate`` or ``_share`` hold shares, those in :data:`NUMBER_MEASURES` (``count``,
        ``made``, ``median_days``...) do not.
    :param unit: the table's unit; the other measures of a ``share`` table hold shares.
    """
    if measure in SHARE_MEASURES or measure.endswith(("_rate", "_share")):
        return True
    return measure not in NUMBER_MEASURES and unit == "share"


@functools.cache
def _territory_names() -> Mapping[str, tuple[str, str | None]]:
    return {
        territory.code: (territory.name_fr, territory.name_ar) for territory in Gazetteer.morocco()
    }


def value_label(value: str, lang: str, dimension: str = "") -> str:
    """Return the dimension value ``value`` (as text) in ``lang``, or ``value`` itself.

    Known are the model's enumeration values, territory codes (``MA-SAL``: the gazetteer's
    name), months (``2026-03``), quarters (``2026-Q1``) and bands (``0-5``, ``<=30``,
    ``31-90``, ``>180``, ``<10``, ``30+``).

    :param value: the value as text.
    :param lang: ``fr``, ``ar`` or ``en``.
    :param dimension: the dimension's name; it says whether a band counts years of age
        (``age_band``), days (a name with ``duration``, ``time`` or ``days``) or other things.
    """
    known = VALUES.get(value)
    if known is not None:
        return known.in_language(lang)
    territory = _territory_names().get(value)
    if territory is not None:
        name_fr, name_ar = territory
        return name_ar if lang == "ar" and name_ar else name_fr
    return _pattern_label(value.strip(), lang, _band_unit(dimension)) or value


def _band_unit(dimension: str) -> str:
    if "age" in dimension:
        return "years"
    if any(word in dimension for word in ("duration", "time", "days")):
        return "days"
    return ""


def _pattern_label(value: str, lang: str, unit: str) -> str | None:  # noqa: PLR0911  # one return per pattern
    if match := _MONTH.match(value):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            return f"{_MONTHS[lang][month - 1]} {year}"
        return None
    if match := _QUARTER_KEY.match(value):
        return _QUARTER.in_language(lang).format(year=match[1], quarter=match[2])
    if match := _RANGE.match(value):
        days = bool(match[3]) or unit == "days"
        template = _DAYS if days else _AGE_BAND if unit == "years" else _BAND
        return template.in_language(lang).format(low=match[1], high=match[2])
    if match := _AT_MOST.match(value):
        days = bool(match[2]) or unit == "days"
        return (_AT_MOST_DAYS if days else _AT_MOST_PLAIN).in_language(lang).format(high=match[1])
    if match := _OVER.match(value):
        days = bool(match[2]) or unit == "days"
        return (_OVER_DAYS if days else _OVER_PLAIN).in_language(lang).format(low=match[1])
    if match := _UNDER_KEY.match(value):
        return _UNDER.in_language(lang).format(high=match[1])
    if match := _OR_MORE_KEY.match(value):
        return _OR_MORE.in_language(lang).format(low=match[1])
    return None


def format_date(day: date, lang: str) -> str:
    """Return ``day`` written out in ``lang``, e.g. ``1er mars 2026`` or ``1 مارس 2026``."""
    number = "1er" if lang == "fr" and day.day == 1 else str(day.day)
    month = _MONTHS[lang][day.month - 1]
    if lang == "en":
        return f"{month} {day.day}, {day.year}"
    return f"{number} {month} {day.year}"


def format_number(value: int | float | Decimal, lang: str, *, share: bool = False) -> str:
    """Return ``value`` written for readers of ``lang``.

    Whole numbers get digit grouping (a narrow no-break space in French, a dot in Arabic as
    written in Morocco, a comma in English); other numbers get one decimal; a share (0 to 1)
    becomes a percentage with one decimal.

    :raises ValueError: for a NaN or infinite number, which no report should contain.
    """
    if isinstance(value, float | Decimal) and not math.isfinite(value):
        msg = f"a report cell holds {value!r}; write None for a missing value"
        raise ValueError(msg)
    group, decimal_mark = _SEPARATORS[lang]
    if share:
        text = f"{Decimal(value) * 100:,.1f}"
    elif isinstance(value, int) or value == int(value):
        text = f"{int(value):,d}"
    else:
        text = f"{Decimal(value):,.1f}"
    # Swap through a placeholder so that one mark never turns into the other.
    text = text.replace(",", "\0").replace(".", decimal_mark).replace("\0", group)
    return text + _PERCENT[lang] if share else text
