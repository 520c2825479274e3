"""Initial content of the stakeholder registry, transcribed from the PMPP (SPEC §3, §4).

Sections of the seed document are given in brackets. `load_stakeholder_seed()` creates what
is missing and never overwrites a row that exists: a correction made in the back office
survives every later load. Running it twice creates nothing the second time. The one thing it
writes on an existing row is a blank Arabic name (organisation, group), filled from the seed
with history; a non-blank one is kept.

Rows are keyed by stable identifiers: `StakeholderGroup.code`, `Risk.number`, an activity's
(title, start_date), a campaign's (programme, title) and a document's (title, version).
Children (concerns of an activity, budget lines of a campaign) and many-to-many links are
only written together with the row they belong to, when that row is created.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction

CHANGE_REASON = "Chargement initial du PMPP"
ARABIC_NAME_REASON = "Ajout du nom arabe manquant (PMPP)"

ALL_PROGRAMMES = ["tadamon-covid", "tayssir", "daam", "allocations-familiales", "amo-tadamon"]

# Organisations named in §3.1 and §4.2 that the reference data does not hold:
# (code, acronym, name, name_ar, kind)
EXTRA_ORGANISATIONS = [
    ("scg", "SCG", "Services du Chef du Gouvernement", "مصالح رئيس الحكومة", "other"),
    (
        "indh",
        "CN-INDH",
        "Coordination Nationale de l'Initiative Nationale pour le Développement Humain",
        "التنسيقية الوطنية للمبادرة الوطنية للتنمية البشرية",
        "other",
    ),
    ("entraide-nationale", "EN", "Entraide Nationale", "التعاون الوطني", "other"),
    ("caisse-compensation", "CDC", "Caisse de Compensation", "صندوق المقاصة", "other"),
    (
        "ipea",
        "IPEA",
        "Institut de Recherche Économique Appliquée, Brésil (IPEA)",
        "معهد البحث الاقتصادي التطبيقي، البرازيل (IPEA)",
        "international",
    ),
    (
        "miepeec",
        "MIEPEEC",
        "Ministère de l'Inclusion Économique, de la Petite Entreprise, de l'Emploi et des Compétences",
        "وزارة الإدماج الاقتصادي والمقاولة الصغرى والتشغيل والكفاءات",
        "ministry",
    ),
    (
        "mesrsi",
        "MESRSI",
        "Ministère de l'Enseignement Supérieur, de la Recherche Scientifique et de l'Innovation",
        "وزارة التعليم العالي والبحث العلمي والابتكار",
        "ministry",
    ),
    (
        "anapec",
        "ANAPEC",
        "Agence Nationale de Promotion de l'Emploi et des Compétences",
        "الوكالة الوطنية لإنعاش التشغيل والكفاءات",
        "other",
    ),
    (
        "ofppt",
        "OFPPT",
        "Office de la Formation Professionnelle et de la Promotion du Travail",
        "مكتب التكوين المهني وإنعاش الشغل",
        "other",
    ),
    (
        "onousc",
        "ONOUSC",
        "Office National des Œuvres Universitaires Sociales et Culturelles",
        "المكتب الوطني للأعمال الجامعية الاجتماعية والثقافية",
        "other",
    ),
    ("ads", "ADS", "Agence de Développement Social", "وكالة التنمية الاجتماعية", "other"),
    ("lms-csa", "LMS-CSA", "Cabinet d'études LMS-CSA", "مكتب الدراسات LMS-CSA", "other"),
    (
        "porte-parole-gouvernement",
        "Porte-parole",
        "Porte-parole du Gouvernement",
        "الناطق الرسمي باسم الحكومة",
        "other",
    ),
]

_ACCESSIBLE_LANGUAGES = ["darija", "amazigh"]  # « Langues et dialectes accessibles (Darija, Amazighe) »
_PROXIMITY_MEANS = ["telephone", "radio", "focus_group"]  # « Téléphone, Radio, Focus group »

# Stakeholder groups — every row of the §3.3 table, then the parties of §3.2 that the table
# does not name. Two §3.2 vulnerable groups are rows of the table too (« Personnes
# analphabètes », « Personnes handicapées » / « Personnes en situation d'handicap »): one
# group each, carrying the table's content.
GROUPS = [
    # --- §3.3 table ---
    {
        "code": "beneficiaires-transferts-monetaires",
        "name": "Bénéficiaires des transferts monétaires",
        "name_ar": "المستفيدون من التحويلات النقدية",
        "category": "affected",
        "characteristics": "Ménages pauvres et vulnérables",
        "language_needs": _ACCESSIBLE_LANGUAGES,
        "notification_means": _PROXIMITY_MEANS,
        "needs": ("Proximité, communication sur les critères d'éligibilité, mécanisme de gestion de plaintes."),
        "programmes": ["tadamon-covid", "tayssir", "daam"],
    },
    {
        "code": "femmes",
        "name": "Femmes",
        "name_ar": "النساء",
        "category": "vulnerable",
        "characteristics": "Veuves avec des enfants à charge",
        "language_needs": _ACCESSIBLE_LANGUAGES,
        "notification_means": _PROXIMITY_MEANS,
        "needs": (
            "Proximité, réunions dédiées aux femmes, communication sur les critères d'éligibilité, "
            "mécanisme de gestion de plaintes."
        ),
        "programmes": ["daam"],
    },
    {
        "code": "personnes-analphabetes",
        "name": "Personnes analphabètes",
        "name_ar": "الأشخاص الأميون",
        "category": "vulnerable",
        "characteristics": "Ménages pauvres et vulnérables",
        "language_needs": _ACCESSIBLE_LANGUAGES,
        "notification_means": _PROXIMITY_MEANS,
        "needs": (
            "Proximité, communication orale, communication sur les critères d'éligibilité, "
            "mécanisme de gestion de plaintes."
        ),
        "programmes": [],
    },
    {
        "code": "personnes-handicapees",
        "name": "Personnes en situation de handicap",
        "name_ar": "الأشخاص في وضعية إعاقة",
        "category": "vulnerable",
        "characteristics": "Ménages pauvres et vulnérables (« Personnes handicapées » au §3.2)",
        "language_needs": _ACCESSIBLE_LANGUAGES,
        "notification_means": _PROXIMITY_MEANS,
        "needs": (
            "Proximité et accessibilité, communication sur les critères d'éligibilité, "
            "mécanisme de gestion de plaintes."
        ),
        # Risk 5 of §2.2 (inclusion des personnes en situation de handicap).
        "programmes": ["tayssir", "daam", "amo-tadamon"],
    },
    {
        "code": "entites-gouvernementales",
        "name": "Entités gouvernementales",
        "name_ar": "الجهات الحكومية",
        "category": "interested",
        "characteristics": (
            "Ministères et organismes gestionnaires des programmes sociaux (MEF — Direction du Budget, "
            "Ministère de l'Intérieur, MSISF, MENPS, CDG Prévoyance / CNRA, CNSS)"
        ),
        "language_needs": [],  # « N/A »
        "notification_means": ["meeting", "official_letter"],
        "needs": "Collaboration sur la mise en œuvre des activités.",
        "programmes": ALL_PROGRAMMES,
    },
    {
        "code": "ong",
        "name": "ONG",
        "name_ar": "المنظمات غير الحكومية",
        "category": "interested",
        "characteristics": (
            "Représentant les bénéficiaires (exemple : l'Amicale Marocaine des Handicapés, "
            "Handicap International Maroc…)"
        ),
        "language_needs": ["darija", "amazigh", "french"],
        "notification_means": ["website", "email", "meeting"],  # « Site web, emails, consultations »
        "needs": "Information sur l'envergure, les orientations et les composantes du Projet.",
        "programmes": [],
    },
    {
        "code": "medias",
        "name": "Médias",
        "name_ar": "وسائل الإعلام",
        "category": "interested",
        "characteristics": "Journaux, radios, TV",
        "language_needs": ["darija", "amazigh", "french"],
        "notification_means": ["website", "email"],
        "needs": (
            "Fournir, dans les temps impartis, un accès à des informations claires sur le Projet. "
            "Collaborer pour disséminer les informations sur le projet."
        ),
        "programmes": [],
    },
    # --- §3.2, parties touchées ---
    {
        "code": "beneficiaires-tadamon-covid",
        "name": "Bénéficiaires de l'opération des transferts monétaires d'urgence TADAMON",
        "name_ar": "المستفيدون من عملية التحويلات النقدية الاستعجالية تضامن",
        "category": "affected",
        "characteristics": (
            "Ménages opérant dans le secteur informel (ramédistes et non-ramédistes affectés par la pandémie)"
        ),
        "language_needs": [],
        "notification_means": [],
        "needs": "",
        "programmes": ["tadamon-covid"],
    },
    {
        "code": "beneficiaires-tayssir-daam",
        "name": "Bénéficiaires des transferts monétaires Tayssir et DAAM",
        "name_ar": "المستفيدون من التحويلات النقدية تيسير ودعم",
        "category": "affected",
        "characteristics": "",
        "language_needs": [],
        "notification_means": [],
        "needs": "",
        "programmes": ["tayssir", "daam"],
    },
    {
        "code": "beneficiaires-amo-tadamon",
        "name": "Bénéficiaires de l'AMO-TADAMON",
        "name_ar": "المستفيدون من أمو تضامن",
        "category": "affected",
        "characteristics": "Ménages pauvres et vulnérables (ex-bénéficiaires du RAMED)",
        "language_needs": [],
        "notification_means": [],
        "needs": "",
        "programmes": ["amo-tadamon"],
    },
    # --- §3.2, autres parties concernées ---
    {
        "code": "prestataires-services",
        "name": "Prestataires de services (établissements de paiement)",
        "name_ar": "مقدمو الخدمات (مؤسسات الأداء)",
        "category": "interested",
        "characteristics": "Établissements de paiement (Edps agrégateurs et partenaires)",
        "language_needs": [],
        "notification_means": [],
        "needs": "",
        "programmes": ["tayssir", "daam", "amo-tadamon"],
    },
    # --- §3.2, parties vulnérables not in the table ---
    {
        "code": "travailleurs-secteur-informel",
        "name": "Travailleurs dans le secteur informel",
        "name_ar": "العاملون في القطاع غير المهيكل",
        "category": "vulnerable",
        "characteristics": "",
        "language_needs": [],
        "notification_means": [],
        "needs": "",
        "programmes": [],
    },
    {
        "code": "femmes-enfants-a-risque",
        "name": "Les femmes et les enfants à risque",
        "name_ar": "النساء والأطفال المعرضون للخطر",
        "category": "vulnerable",
        "characteristics": "",
        "language_needs": [],
        "notification_means": [],
        "needs": "",
        "programmes": [],
    },
    {
        "code": "personnes-agees-malades",
        "name": "Personnes âgées, malades et vulnérables",
        "name_ar": "الأشخاص المسنون والمرضى والهشون",
        "category": "vulnerable",
        "characteristics": "",
        "language_needs": [],
        "notification_means": [],
        "needs": "",
        "programmes": [],
    },
    {
        "code": "zones-rurales-eloignees",
        "name": "Personnes habitant dans les zones rurales éloignées",
        "name_ar": "الأشخاص القاطنون في المناطق القروية النائية",
        "category": "vulnerable",
        "characteristics": "",
        "language_needs": [],
        "notification_means": [],
        "needs": "",
        "programmes": [],
    },
    {
        "code": "faible-culture-numerique",
        "name": "Personnes aux connaissances faibles à la technologie numérique",
        "name_ar": "الأشخاص ذوو المعرفة الضعيفة بالتكنولوجيا الرقمية",
        "category": "vulnerable",
        "characteristics": "",
        "language_needs": [],
        "notification_means": [],
        "needs": "",
        "programmes": [],
    },
]

# The §3.2 vulnerable groups, in the document's order (codes above).
VULNERABLE_GROUPS_3_2 = [
    "personnes-handicapees",
    "personnes-analphabetes",
    "travailleurs-secteur-informel",
    "femmes-enfants-a-risque",
    "personnes-agees-malades",
    "zones-rurales-eloignees",
    "faible-culture-numerique",
]

_WORKSHOP_PUBLIC_BODIES = [
    "scg",
    "mef-db",
    "msps",
    "mi",
    "indh",
    "menps",
    "msisf",
    "cnss",
    "entraide-nationale",
    "cdg-cnra",
    "caisse-compensation",
]
_WORKSHOP_INTERNATIONAL_BODIES = ["banque-mondiale", "unicef", "ipea"]
_MAPPING_ACTORS = [
    "msisf",
    "miepeec",
    "indh",
    "mesrsi",
    "msps",
    "menps",
    "anapec",
    "ofppt",
    "cnss",
    "cdg-cnra",
    "onousc",
    "entraide-nationale",
    "ads",
]
_EVALUATION_TITLE = (
    "Réunion de travail préparatoire à l'étude d'évaluation qualitative exploratoire des programmes "
    "de transferts monétaires (Daâm et Tayssir) et de l'opération AMO TADAMON"
)
_EVALUATION_TOPICS = (
    "Examiner et répertorier les questions préalables au lancement de l'étude relatives à l'élaboration "
    "du cadre général et à la validation des guides d'entretien des bénéficiaires de Tayssir et Daâm, "
    "ainsi que de la fiche d'informations générales à renseigner avant le démarrage des focus groupes.\n"
    "Objectifs de l'étude : évaluer l'efficacité des programmes de transferts monétaires (Tayssir, Daâm) "
    "et du régime AMO TADAMON, et leur capacité à soutenir la réforme de la protection sociale en cours "
    "et la mise en œuvre du programme des allocations familiales ; bien comprendre l'expérience des "
    "bénéficiaires en ce qui concerne le versement de l'aide sociale, y compris les obstacles et les "
    "possibilités d'amélioration du processus.\n"
    "Méthodologie : trois groupes par catégorie de bénéficiaires (AMO-TADAMON, Tayssir, Daâm), discussions "
    "dans des groupes limités homogènes de 8 personnes, échantillonnage aléatoire stratifié à 3 niveaux "
    "(zone de résidence rurale/urbaine, sexe et âge du chef de ménage).\n"
    "Participants : représentants du MEF, du MSISF, du MENPS et de la CDG Prévoyance, représentants du "
    "cabinet d'études LMS-CSA ; une équipe de la Banque Mondiale a également assisté."
)
_EVALUATION_PRESENT = ["mef-db", "msisf", "menps", "cdg-cnra", "lms-csa", "banque-mondiale"]

# Engagement activities — §3.1 (previous activities) and §4.2 (AMO TADAMON communication).
# Participant counts only where the document gives them; « participants » is
# (women, men, unspecified). Concerns are (theme, raised_by group code, description, answer).
ACTIVITIES = [
    {
        "type": "workshop",
        "title": (
            "Atelier « Expériences internationales des allocations familiales : "
            "Paver la route pour la Réforme Marocaine »"
        ),
        "start_date": date(2023, 2, 13),
        "end_date": None,
        "place": "Hôtel La Tour Hassan, Rabat",
        "online": False,
        "organiser": "mef-db",
        "programmes": ["allocations-familiales"],
        "groups": ["entites-gouvernementales"],
        "invited": _WORKSHOP_PUBLIC_BODIES + _WORKSHOP_INTERNATIONAL_BODIES,
        "present": _WORKSHOP_PUBLIC_BODIES + _WORKSHOP_INTERNATIONAL_BODIES,
        # « 11 représentants des départements publics [...] et de 3 représentants des instances
        # internationales » — sex not given.
        "participants": (0, 0, 14),
        "topics": (
            "Atelier d'échanges avec les partenaires institutionnels pionniers dans la mise en œuvre des "
            "politiques sociales, organisé par le Ministère de l'Économie et des Finances avec l'appui "
            "technique de la Banque Mondiale et de l'UNICEF. Objectif : concevoir une vision "
            "multidimensionnelle et intégrée pour la généralisation des allocations familiales, par une "
            "approche participative, en capitalisant sur les acquis nationaux et en s'inspirant des bonnes "
            "pratiques internationales.\n"
            "Deux sessions plénières :\n"
            "• Séance 1 – Ciblage et identification : comment les programmes ont identifié, priorisé et "
            "sélectionné les bénéficiaires (critères d'éligibilité, enregistrement, notification…) ;\n"
            "• Séance 2 – Paramètres de conditionnalité et mesures d'accompagnement.\n"
            "Participation effective de 11 représentants des départements et établissements publics "
            "(Services du Chef du Gouvernement, MEF, MSPS, MI, Coordination Nationale de l'INDH, MENPS, "
            "MSISF, CNSS, Entraide Nationale, CDG Prévoyance-CNRA/RCAR, Caisse de Compensation) et de "
            "3 représentants des instances internationales (BM, UNICEF, IPEA Brésil)."
        ),
        "concerns": [
            (
                "Architecture du nouveau dispositif de prestations sociales (AF)",
                "entites-gouvernementales",
                "Les participants ont présenté leurs avis quant à l'architecture du nouveau dispositif de "
                "prestations sociales (allocations familiales).",
                "",
            ),
            (
                "Prise de décision sur l'éligibilité",
                "entites-gouvernementales",
                "Préoccupations concernant la prise de décision sur l'éligibilité au programme des "
                "allocations familiales.",
                "",
            ),
            (
                "Paramétrage des prestations",
                "entites-gouvernementales",
                "Préoccupations concernant le paramétrage des prestations du programme des allocations familiales.",
                "",
            ),
            (
                "Options de financement",
                "entites-gouvernementales",
                "Préoccupations concernant les options de financement du programme des allocations familiales.",
                "",
            ),
            (
                "Mesures d'accompagnement",
                "entites-gouvernementales",
                "Préoccupations concernant les différentes mesures d'accompagnement au programme des "
                "allocations familiales.",
                "",
            ),
        ],
    },
    {
        "type": "focus_group",
        "title": "Focus groups sur l'implémentation du programme Tayssir",
        # « entre juin et septembre 2021 » — days not given.
        "start_date": date(2021, 6, 1),
        "end_date": date(2021, 9, 30),
        "place": "",
        "online": False,
        "organiser": "menps",
        "programmes": ["tayssir"],
        "groups": ["beneficiaires-tayssir-daam", "entites-gouvernementales"],
        "invited": [],
        "present": [],
        "participants": (0, 0, 0),
        "topics": (
            "Série de focus groups organisée par le MENPS entre juin et septembre 2021, dans le cadre de "
            "l'implémentation de la composante 2 du projet parent, pour collecter un feedback sur "
            "l'implémentation du programme Tayssir de la part des ménages bénéficiaires du programme, des "
            "directeurs des écoles et des directeurs provinciaux."
        ),
        "concerns": [],
    },
    {
        "type": "videoconference",
        "title": _EVALUATION_TITLE,
        "start_date": date(2023, 3, 21),
        "end_date": None,
        "place": "",
        "online": True,
        "organiser": "mef-db",
        "programmes": ["tayssir", "daam", "amo-tadamon"],
        "groups": ["entites-gouvernementales"],
        "invited": [],
        "present": _EVALUATION_PRESENT,
        "participants": (0, 0, 0),
        "topics": "Première des deux réunions (21 et 22 mars 2023).\n" + _EVALUATION_TOPICS,
        "concerns": [],
    },
    {
        "type": "videoconference",
        "title": _EVALUATION_TITLE,
        "start_date": date(2023, 3, 22),
        "end_date": None,
        "place": "",
        "online": True,
        "organiser": "mef-db",
        "programmes": ["tayssir", "daam", "amo-tadamon"],
        "groups": ["entites-gouvernementales"],
        "invited": [],
        "present": _EVALUATION_PRESENT,
        "participants": (0, 0, 0),
        "topics": "Seconde des deux réunions (21 et 22 mars 2023).\n" + _EVALUATION_TOPICS,
        "concerns": [],
    },
    {
        "type": "focus_group",
        "title": "Discussions en focus group avec les ménages bénéficiaires des programmes TADAMON, Tayssir et DAAM",
        # « en mars 2023 » — days not given.
        "start_date": date(2023, 3, 1),
        "end_date": date(2023, 3, 31),
        "place": "",
        "online": False,
        "organiser": "mef-db",
        "programmes": ["amo-tadamon", "tayssir", "daam"],
        "groups": ["beneficiaires-transferts-monetaires", "beneficiaires-amo-tadamon"],
        "invited": [],
        "present": [],
        "participants": (0, 0, 0),
        "topics": (
            "Discussions en focus group avec un échantillonnage des ménages bénéficiaires des programmes "
            "TADAMON, Tayssir et DAAM (mars 2023), dans le cadre de l'étude d'évaluation qualitative "
            "exploratoire des transferts monétaires."
        ),
        "concerns": [
            (
                "Satisfaction à l'égard de la gestion",
                "beneficiaires-transferts-monetaires",
                "Globalement, les bénéficiaires ont été satisfaits de la gestion en général, de la rapidité de la "
                "mise en œuvre vu l'ampleur de l'opération, ainsi que de l'effectivité des transferts.",
                "",
            ),
            (
                "Communication et vulgarisation du mécanisme de gestion de plaintes",
                "beneficiaires-transferts-monetaires",
                "Certains aspects sont à améliorer, notamment la communication avec les parties prenantes et la "
                "vulgarisation du mécanisme de gestion de plaintes.",
                "",
            ),
        ],
    },
    {
        "type": "working_meeting",
        "title": "Réunions de cartographie des programmes et services sociaux (plus de 19 réunions)",
        # « durant les trois premiers mois de l'année 2023 » — the meetings are not listed one by one.
        "start_date": date(2023, 1, 1),
        "end_date": date(2023, 3, 31),
        "place": "",
        "online": False,
        "organiser": "mef-db",
        "programmes": ["allocations-familiales"],
        "groups": ["entites-gouvernementales"],
        "invited": [],
        "present": _MAPPING_ACTORS,
        "participants": (0, 0, 0),
        "topics": (
            "Plus de 19 réunions organisées durant les trois premiers mois de l'année 2023 par la Direction "
            "du Budget, avec l'appui de la Banque Mondiale, avec les acteurs institutionnels impliqués dans la "
            "mise en œuvre et l'opérationnalisation des instruments sociaux (MSISF, MIEPEEC, Coordination "
            "Nationale de l'INDH, MESRSI, MSPS, MENPS, ANAPEC, OFPPT, CNSS, CDG Prévoyance, ONOUSC, Entraide "
            "Nationale, Agence de Développement Social), pour réaliser la cartographie des programmes et "
            "services sociaux : dresser un diagnostic global et détaillé de l'offre sociale marocaine, "
            "dégager les pistes d'action pour reformuler les interventions sociales et renforcer leurs "
            "synergies, et constituer une base de réflexion sur le paramétrage du nouveau programme des "
            "allocations familiales."
        ),
        "concerns": [],
    },
    {
        "type": "information_campaign",
        "title": (
            "Point de presse hebdomadaire du porte-parole du gouvernement : parachèvement de l'arsenal "
            "juridique relatif à la protection sociale"
        ),
        "start_date": date(2022, 11, 17),
        "end_date": None,
        "place": "",
        "online": False,
        "organiser": "porte-parole-gouvernement",
        "programmes": ["amo-tadamon"],
        "groups": ["medias", "beneficiaires-amo-tadamon"],
        "invited": [],
        "present": [],
        "participants": (0, 0, 0),
        "topics": (
            "Annonce du parachèvement de l'arsenal juridique relatif à la protection sociale par l'adoption "
            "du décret qui intègre les couches défavorisées, estimées à 11 millions de ramédistes, dans le "
            "circuit de la protection sociale de la CNSS (annexe 4)."
        ),
        "concerns": [],
    },
    {
        "type": "information_campaign",
        "title": (
            "Point de presse hebdomadaire du porte-parole du gouvernement : démarche de basculement et "
            "d'immatriculation à l'AMO"
        ),
        "start_date": date(2022, 12, 8),
        "end_date": None,
        "place": "",
        "online": False,
        "organiser": "porte-parole-gouvernement",
        "programmes": ["amo-tadamon"],
        "groups": ["medias", "beneficiaires-amo-tadamon"],
        "invited": [],
        "present": [],
        "participants": (0, 0, 0),
        "topics": "Explication de la démarche de basculement et d'immatriculation (annexe 5).",
        "concerns": [],
    },
    {
        "type": "information_campaign",
        "title": (
            "Point de presse hebdomadaire du porte-parole du gouvernement : état des lieux du basculement "
            "des ramédistes vers l'AMO"
        ),
        "start_date": date(2023, 2, 2),
        "end_date": None,
        "place": "",
        "online": False,
        "organiser": "porte-parole-gouvernement",
        "programmes": ["amo-tadamon"],
        "groups": ["medias", "beneficiaires-amo-tadamon"],
        "invited": [],
        "present": [],
        "participants": (0, 0, 0),
        "topics": "Présentation de l'état des lieux du basculement des ramédistes vers l'AMO (annexe 6).",
        "concerns": [],
    },
]

# Communication campaigns with a budget (§4.2, §4.3, §5.1). Lines are
# (label, channel, planned amount in MAD TTC); actual spend is not given (0).
TAYSSIR_DECLARED_TOTAL = Decimal("943830")
_TAYSSIR_DETAILED_LINES = [
    (
        "Conception des capsules (vidéo) descriptives des étapes d'inscription via les différents canaux (x 4)",
        "Communication digitale",
        Decimal("120000"),
    ),
    ("Capsule de lancement de paiement", "Communication digitale", Decimal("18120")),
    ("Action médiatique", "Communication digitale", Decimal("75990")),
    (
        "Campagne de notification SMS pour la sensibilisation des bénéficiaires TAYSSIR sur l'inscription au RNP RSU",
        "Communication digitale — SMS",
        Decimal("464640"),
    ),
    ("X-Banner", "Communication institutionnelle et support de communication", Decimal("6240")),
    ("Flyers", "Communication institutionnelle et support de communication", Decimal("3480")),
]
# The table's detailed amounts add up to 688 470 DHS while its « Total » row (and the text of
# §4.3 and §5.1) says 943 830 DHS; the difference is kept as its own line so the campaign
# carries the budget the document declares, and nobody mistakes it for a detailed action.
_TAYSSIR_UNDETAILED = TAYSSIR_DECLARED_TOTAL - sum(amount for _, _, amount in _TAYSSIR_DETAILED_LINES)


def _dhs(amount: Decimal) -> str:
    return f"{amount:,} DHS".replace(",", " ")


CAMPAIGNS = [
    {
        "programme": "tayssir",
        "title": "Plan de communication Tayssir (septembre 2022 – mars 2023)",
        "description": (
            "Campagne déclenchée par la CDG Prévoyance / CNRA en commun accord avec le MENPS au début de "
            "l'opération d'inscription. Au titre de la période septembre 2022 – mars 2023, le budget mobilisé "
            "par la CNRA pour les actions de communication du programme Tayssir a totalisé 943 830 DHS (TTC).\n"
            "Actions réalisées en interne, sans budget : posts réseaux sociaux (14) ; communiqués de presse.\n"
            f"Les montants détaillés du tableau du §4.3 totalisent {_dhs(TAYSSIR_DECLARED_TOTAL - _TAYSSIR_UNDETAILED)}"
            f" ; l'écart de {_dhs(_TAYSSIR_UNDETAILED)} avec le total déclaré n'est pas ventilé dans le document."
        ),
        "channels": (
            "Communication digitale (capsules vidéo, action médiatique, réseaux sociaux, notification SMS) ; "
            "communication institutionnelle et supports (communiqués de presse, X-banner, flyers)"
        ),
        "languages": [],
        "target_groups": ["beneficiaires-tayssir-daam"],
        "responsible": "cdg-cnra",
        "start_date": date(2022, 9, 1),
        "end_date": date(2023, 3, 31),
        "lines": [
            *_TAYSSIR_DETAILED_LINES,
            (
                "Montant non ventilé dans le tableau du §4.3 (écart entre le total déclaré de 943 830 DHS "
                "et la somme des lignes détaillées)",
                "",
                _TAYSSIR_UNDETAILED,
            ),
        ],
    },
    {
        "programme": "amo-tadamon",
        "title": "Communication autour de la réforme de la protection sociale — AMO TADAMON",
        "description": (
            "Plan de communication et de sensibilisation de l'AMO TADAMON (§4.2) : communication politique et "
            "institutionnelle sur le basculement à l'AMO (points de presse du porte-parole du gouvernement des "
            "17 novembre 2022, 8 décembre 2022 et 2 février 2023 ; publication des arrêtés du Ministre de "
            "l'Intérieur sur l'entrée en vigueur du RNP et du RSU) ; communication à l'adresse du grand public "
            "(SMS de basculement, spots didactiques sur la chaîne YouTube CNSS Maroc et annonces sur les réseaux "
            "sociaux, centre d'appel CNSS, plateforme web AMO TADAMON, guides, affiches et flyers dans les "
            "points de proximité, hôpitaux et MI, sensibilisation des acteurs du territoire et mobilisation des "
            "relais communautaires) ; communication envers le personnel de santé (formations CNSS-MSPS, "
            "hotline CNSS dédiée aux hôpitaux, flyers, affiches, dépliants, guide/FAQ).\n"
            "Budget (§5.1) : « budget de communication sur le programme AMO-TADAMON de près de 27 millions de "
            "DH », sans ventilation. Les dates de début et de fin de la campagne ne sont pas données ; la date "
            "de début retenue est celle du premier point de presse (17 novembre 2022)."
        ),
        "channels": (
            "Points de presse, SMS, YouTube et réseaux sociaux, centre d'appel CNSS, site web AMO TADAMON, "
            "guides, affiches et flyers, formations du personnel hospitalier, hotline hôpitaux"
        ),
        "languages": [],
        "target_groups": ["beneficiaires-amo-tadamon", "entites-gouvernementales"],
        "responsible": "cnss",
        "start_date": date(2022, 11, 17),
        "end_date": None,
        "lines": [
            (
                "Budget de communication sur le programme AMO-TADAMON (« près de 27 millions de DH », non ventilé)",
                "Communication autour de la réforme de la protection sociale",
                Decimal("27000000"),
            ),
        ],
    },
]

# Disclosed documents (§1, annexe 15): (title, version, published_on, programme, where, languages)
DOCUMENTS = [
    (
        "Plan de Mobilisation des Parties Prenantes (PMPP) — Projet de Protection Sociale de Réponse "
        "d'Urgence à la COVID-19",
        "Version préliminaire",
        date(2020, 11, 6),
        None,
        "",
        [],
    ),
    (
        "Communiqué de presse de la CDG et du MENPS sur le démarrage du processus d'inscription pour "
        "bénéficier du programme Tayssir",
        "",
        date(2022, 11, 20),
        "tayssir",
        "CDG Prévoyance / MENPS (annexe 15 du PMPP)",
        [],
    ),
]

# Risks of §2.2: (number, title, components, mitigation)
RISKS = [
    (
        1,
        "Risque d'exclusion des ménages éligibles",
        "Composante 2 / Tayssir et DAAM ; Composante 4 / AMO-TADAMON",
        "- L'amélioration et la digitalisation de la gestion du programme Tayssir et DAAM. Nouveau mécanisme "
        "d'inscription multi-canal déployé par la CDG Prévoyance.\n"
        "- Nouveau mécanisme de paiement avec plus de 10 000 points de proximité contre 4 000 agences d'Al "
        "Barid Bank.\n"
        "- L'adoption du RSU dans le processus d'identification et de ciblage de l'AMO TADAMON. Le RSU sera "
        "adopté pour les programmes de transferts monétaires avant la fin de l'année 2023.\n"
        "- Mise en œuvre et suivi du mécanisme de gestion de plaintes.",
    ),
    (
        2,
        "Risque d'inclusion des bénéficiaires non éligibles",
        "Composante 2 / Tayssir et DAAM ; Composante 4 / AMO-TADAMON",
        "- La vérification de l'éligibilité effectuée à travers la plateforme d'interopérabilité entre les bases "
        "de données du MI, du MENPS et de la CDG Prévoyance.\n"
        "- La vérification de l'éligibilité AMO TADAMON effectuée à travers l'interopérabilité entre les bases "
        "de données du MI, de la CNSS et d'autres sources de données.",
    ),
    (
        3,
        "Risque d'absence de mise à disposition d'informations et de consultations avec les parties prenantes",
        "Composante 3 / Conception des Allocations Familiales",
        "- La composante en question prévoit des études et travaux techniques destinés aux décideurs "
        "politiques. Dans ce sens, des comités techniques au titre de chaque thématique regrouperont toutes les "
        "parties prenantes concernées. Lors de la mise en œuvre opérationnelle des réformes prévues par les "
        "feuilles de route (ne rentre pas dans le périmètre du présent projet), des séances d'arbitrage et de "
        "communication seront organisées avec la société civile et les parties prenantes autres que "
        "gouvernementales.\n"
        "- L'approbation de la loi-cadre n° 09.21 du 09 chaabane 1442 (23 mars 2021) relative à la protection "
        "sociale, prônant la généralisation de la couverture sociale au profit de la population marocaine à "
        "l'horizon 2025.\n"
        "- En vertu de la correspondance du Chef du Gouvernement n° 1323 du 09 septembre 2022, portant "
        "établissement des règles de conduite et de gouvernance du programme d'appui social visant "
        "l'autonomisation des familles à faible revenu, mise en place d'une Commission Ministérielle de "
        "Pilotage du Programme d'appui social de l'État, dont relèvent trois Commissions Thématiques "
        "Interministérielles :\n"
        "  • la Commission Ministérielle de Pilotage du Programme, présidée par le Chef du Gouvernement : "
        "coordination des travaux des commissions thématiques, élaboration de la vision stratégique du "
        "programme, veille sur le déploiement du système de ciblage selon le calendrier prévu, arbitrage sur "
        "les décisions et les points de désaccord présentés par les commissions thématiques, et mise en place "
        "d'une communication institutionnelle cohérente et efficace autour du Programme ;\n"
        "  • la Commission Thématique chargée du dispositif de ciblage, présidée par le Ministre de l'Intérieur "
        "ou son représentant : suivi du déploiement du RNP dans toutes les provinces et préfectures avant fin "
        "2022, inscription des familles, notamment à faibles revenus, au RSU avant fin 2023, et préparation "
        "d'un plan de communication dédié à la clarification du dispositif de ciblage et de son "
        "opérationnalisation, en cohérence avec le plan de communication du Programme ;\n"
        "  • la Commission Thématique chargée de la détermination du seuil d'éligibilité pour bénéficier du "
        "Programme, présidée par le Ministre Délégué auprès du MEF chargé du Budget : détermination des "
        "composantes du programme selon les catégories cibles et leur adaptation au nouveau dispositif "
        "d'identification et de ciblage du RSU, simulations des scénarios financiers proposés et étude de "
        "leurs impacts, sur la base des données du RSU ;\n"
        "  • la Commission Thématique chargée des mesures juridiques d'accompagnement du Programme, présidée "
        "par le Secrétaire Général du Gouvernement : soutien et appui technique à la Commission de Pilotage "
        "sur tous les aspects juridiques relatifs à la mise en œuvre du Programme.\n"
        "- Large couverture médiatique sur les chaînes télévisées et les radios nationales. Plateau TV et "
        "échange avec les spécialistes et intervenants.\n"
        "- Développement de capsules vidéo et utilisation des réseaux sociaux pour l'explication des "
        "différents programmes et des mécanismes de mise en œuvre.\n"
        "- Organisation d'ateliers d'échanges avec les partenaires institutionnels pionniers dans la mise en "
        "œuvre des politiques sociales.",
    ),
    (
        4,
        "Violence basée sur le genre et harcèlement sexuel",
        "Composante 2 / Tayssir et DAAM",
        "- Digitalisation de l'inscription, des systèmes de paiement et du processus de réclamation pour les "
        "programmes de transferts monétaires.\n"
        "- Sessions de sensibilisation sur la violence basée sur le genre et vulgarisation du processus de "
        "réclamation.",
    ),
    (
        5,
        "L'inclusion des personnes en situation de handicap",
        "Composante 2 / Tayssir et DAAM ; Composante 4 / AMO-TADAMON",
        "- Les programmes AMO TADAMON et DAAM couvrent les enfants des bénéficiaires en situation de handicap "
        "sans limite d'âge, à condition que l'assuré soit en vie.\n"
        "- Le transfert Tayssir est conditionné par l'assiduité de l'élève à l'école avec un seuil "
        "d'absentéisme toléré de 04 absences par mois au cycle primaire, et de 06 absences au cycle collégial "
        "pour les communes rurales et de 04 absences au cycle collégial pour les communes urbaines.\n"
        "- Le Programme National de l'Éducation Inclusive (PNEI), lancé officiellement le 26 juin 2019 sous le "
        "Haut Patronage de Sa Majesté le Roi Mohammed VI, porte sur l'adoption par le MENPS d'une approche "
        "basée sur une éducation inclusive au sein des établissements d'enseignement scolaire afin d'assurer "
        "l'insertion des enfants en situation de handicap dans la communauté scolaire et de leur permettre de "
        "poursuivre leur parcours éducatif avec succès.\n"
        "- Une certaine flexibilité et un traitement adapté ont été adoptés pour les élèves en situation de "
        "handicap.\n"
        "- La non-comptabilisation des absences justifiées par l'état de santé et la mobilité de l'élève dans "
        "la conditionnalité de Tayssir.\n"
        "- La conception et le déploiement d'un système d'évaluation du handicap, composante de la réforme "
        "nationale et de la vision sectorielle du MSISF.",
    ),
]


@transaction.atomic
def load_stakeholder_seed() -> dict[str, int]:
    """Create the missing seed rows of the stakeholder registry; return how many of each were created."""
    from pmpp.models import Organisation, Programme
    from pmpp.reference_data import fill_blank_arabic_name
    from stakeholders.models import (
        BudgetLine,
        Campaign,
        Concern,
        DisclosedDocument,
        EngagementActivity,
        Risk,
        StakeholderGroup,
    )

    created: dict[str, int] = {}

    def ensure(model, lookup: dict, defaults: dict, m2m: dict | None = None):
        """The row matching `lookup`, created with `defaults` and its many-to-many links if missing."""
        existing = model.objects.filter(**lookup).first()
        if existing is not None:
            fill_blank_arabic_name(existing, defaults.get("name_ar", ""), reason=ARABIC_NAME_REASON)
            return existing, False
        obj = model(**lookup, **defaults)
        _save_new(obj, created)
        for field, values in (m2m or {}).items():
            if values:
                getattr(obj, field).set(values)
        return obj, True

    for code, acronym, name, name_ar, kind in EXTRA_ORGANISATIONS:
        ensure(Organisation, {"code": code}, {"acronym": acronym, "name": name, "name_ar": name_ar, "kind": kind})
    organisations = {o.code: o for o in Organisation.objects.all()}
    programmes = {p.code: p for p in Programme.objects.all()}

    groups = {}
    for row in GROUPS:
        groups[row["code"]], _ = ensure(
            StakeholderGroup,
            {"code": row["code"]},
            {
                "name": row["name"],
                "name_ar": row["name_ar"],
                "category": row["category"],
                "characteristics": row["characteristics"],
                "language_needs": list(row["language_needs"]),
                "notification_means": list(row["notification_means"]),
                "needs": row["needs"],
            },
            {"programmes": [programmes[code] for code in row["programmes"]]},
        )

    for row in ACTIVITIES:
        women, men, unspecified = row["participants"]
        activity, is_new = ensure(
            EngagementActivity,
            {"title": row["title"], "start_date": row["start_date"]},
            {
                "type": row["type"],
                "end_date": row["end_date"],
                "place": row["place"],
                "online": row["online"],
                "organiser": organisations[row["organiser"]],
                "participants_women": women,
                "participants_men": men,
                "participants_unspecified": unspecified,
                "topics": row["topics"],
            },
            {
                "programmes": [programmes[code] for code in row["programmes"]],
                "groups": [groups[code] for code in row["groups"]],
                "invited_organisations": [organisations[code] for code in row["invited"]],
                "present_organisations": [organisations[code] for code in row["present"]],
            },
        )
        if is_new:
            for theme, raised_by, description, answer in row["concerns"]:
                concern = Concern(
                    activity=activity,
                    theme=theme,
                    raised_by=groups[raised_by] if raised_by else None,
                    description=description,
                    answer=answer,
                )
                _save_new(concern, created)

    for row in CAMPAIGNS:
        campaign, is_new = ensure(
            Campaign,
            {"programme": programmes[row["programme"]], "title": row["title"]},
            {
                "description": row["description"],
                "channels": row["channels"],
                "languages": list(row["languages"]),
                "responsible": organisations[row["responsible"]],
                "start_date": row["start_date"],
                "end_date": row["end_date"],
            },
            {"target_groups": [groups[code] for code in row["target_groups"]]},
        )
        if is_new:
            for position, (label, channel, amount) in enumerate(row["lines"], start=1):
                line = BudgetLine(
                    campaign=campaign, position=position, label=label, channel=channel, planned_amount=amount
                )
                _save_new(line, created)

    for title, version, published_on, programme, where, languages in DOCUMENTS:
        ensure(
            DisclosedDocument,
            {"title": title, "version": version},
            {
                "published_on": published_on,
                "programme": programmes[programme] if programme else None,
                "where": where,
                "languages": list(languages),
            },
        )

    for number, title, components, mitigation in RISKS:
        ensure(Risk, {"number": number}, {"title": title, "components": components, "mitigation": mitigation})

    return created


def _save_new(obj, created: dict[str, int]) -> None:
    """Validate and save a new row with the seed's history reason, and count it."""
    # A protected FSM field (a risk's state) refuses the re-assignment `clean_fields` makes.
    protected = [f.name for f in obj._meta.concrete_fields if getattr(f, "protected", False)]
    obj._change_reason = CHANGE_REASON
    obj.full_clean(exclude=protected)
    obj.save()
    name = type(obj).__name__
    created[name] = created.get(name, 0) + 1
