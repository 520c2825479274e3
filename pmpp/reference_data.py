"""Reference data seeded at install, from the PMPP (seed document sections in brackets).

`load_reference_data()` creates what is missing and never overwrites a row that exists:
an administrator's correction in the admin survives every later `migrate` or
`manage.py load_reference`. Running it twice creates nothing the second time.

One exception: an existing row whose Arabic name is blank gets the seed's Arabic name (with
history), so that installations seeded before a name was translated show it in Arabic too.
A non-blank Arabic name, the seed's or an administrator's, is never replaced.
"""

from datetime import date

from django.db import transaction

# (code, acronym, name, name_ar, kind) — §5.2, §3.2, §4.3
ORGANISATIONS = [
    (
        "mef-db",
        "MEF-DB",
        "Ministère de l'Économie et des Finances — Direction du Budget",
        "وزارة الاقتصاد والمالية - مديرية الميزانية",
        "ministry",
    ),
    (
        "menps",
        "MENPS",
        "Ministère de l'Éducation Nationale, du Préscolaire et des Sports",
        "وزارة التربية الوطنية والتعليم الأولي والرياضة",
        "ministry",
    ),
    (
        "msisf",
        "MSISF",
        "Ministère de la Solidarité, de l'Insertion Sociale et de la Famille",
        "وزارة التضامن والإدماج الاجتماعي والأسرة",
        "ministry",
    ),
    ("mi", "MI", "Ministère de l'Intérieur", "وزارة الداخلية", "ministry"),
    (
        "msps",
        "MSPS",
        "Ministère de la Santé et de la Protection Sociale",
        "وزارة الصحة والحماية الاجتماعية",
        "ministry",
    ),
    ("cnss", "CNSS", "Caisse Nationale de Sécurité Sociale", "الصندوق الوطني للضمان الاجتماعي", "operator"),
    (
        "cdg-cnra",
        "CDG Prévoyance / CNRA",
        "CDG Prévoyance — Caisse Nationale de Retraites et d'Assurances",
        "صندوق الإيداع والتدبير للاحتياط - الصندوق الوطني للتقاعد والتأمين",
        "operator",
    ),
    ("banque-mondiale", "BM", "Banque Mondiale", "البنك الدولي", "international"),
    ("unicef", "UNICEF", "Fonds des Nations unies pour l'enfance", "منظمة الأمم المتحدة للطفولة", "international"),
    ("amh", "AMH", "Amicale Marocaine des Handicapés", "الودادية المغربية للمعاقين", "ngo"),
    ("hi-maroc", "HI", "Handicap International Maroc", "الإعاقة الدولية - المغرب", "ngo"),
    ("edp", "EDP", "Établissements de paiement (Edps)", "مؤسسات الأداء", "payment"),
    ("mediateur", "Médiateur", "Institution du Médiateur du Royaume", "مؤسسة وسيط المملكة", "other"),
    ("medias", "Médias", "Médias (presse, radio, télévision)", "وسائل الإعلام", "media"),
]

# (code, prefix, component, name, name_ar, supervising, managing) — §2.1, §5.2
PROGRAMMES = [
    ("tadamon-covid", "TAD", 1, "Opération TADAMON COVID", "عملية تضامن كوفيد", "mef-db", "mef-db"),
    ("tayssir", "TAY", 2, "Tayssir", "تيسير", "menps", "cdg-cnra"),
    ("daam", "DAA", 2, "DAAM", "دعم", "msisf", "cdg-cnra"),
    ("allocations-familiales", "ALF", 3, "Allocations Familiales", "التعويضات العائلية", "mef-db", "mef-db"),
    ("amo-tadamon", "AMO", 4, "AMO TADAMON", "أمو تضامن", "mi", "cnss"),
]

# (code, name, name_ar) — the 12 regions (§4.3)
REGIONS = [
    ("01", "Tanger-Tétouan-Al Hoceïma", "طنجة تطوان الحسيمة"),
    ("02", "Oriental", "الشرق"),
    ("03", "Fès-Meknès", "فاس مكناس"),
    ("04", "Rabat-Salé-Kénitra", "الرباط سلا القنيطرة"),
    ("05", "Béni Mellal-Khénifra", "بني ملال خنيفرة"),
    ("06", "Casablanca-Settat", "الدار البيضاء سطات"),
    ("07", "Marrakech-Safi", "مراكش آسفي"),
    ("08", "Drâa-Tafilalet", "درعة تافيلالت"),
    ("09", "Souss-Massa", "سوس ماسة"),
    ("10", "Guelmim-Oued Noun", "كلميم واد نون"),
    ("11", "Laâyoune-Sakia El Hamra", "العيون الساقية الحمراء"),
    ("12", "Dakhla-Oued Ed-Dahab", "الداخلة وادي الذهب"),
]

# Prefectures (P) and provinces of each region, after the 2015 territorial division (75):
# (name, name_ar), written like the regions above, without « Préfecture » / « عمالة » or
# « Province » / « إقليم » (the row's kind says which it is).
PROVINCES = {
    "01": [
        ("P:Tanger-Assilah", "طنجة أصيلة"),
        ("P:M'diq-Fnideq", "المضيق الفنيدق"),
        ("Tétouan", "تطوان"),
        ("Fahs-Anjra", "الفحص أنجرة"),
        ("Larache", "العرائش"),
        ("Al Hoceïma", "الحسيمة"),
        ("Chefchaouen", "شفشاون"),
        ("Ouezzane", "وزان"),
    ],
    "02": [
        ("P:Oujda-Angad", "وجدة أنكاد"),
        ("Nador", "الناظور"),
        ("Driouch", "الدريوش"),
        ("Jerada", "جرادة"),
        ("Berkane", "بركان"),
        ("Taourirt", "تاوريرت"),
        ("Guercif", "جرسيف"),
        ("Figuig", "فجيج"),
    ],
    "03": [
        ("P:Fès", "فاس"),
        ("P:Meknès", "مكناس"),
        ("El Hajeb", "الحاجب"),
        ("Ifrane", "إفران"),
        ("Moulay Yacoub", "مولاي يعقوب"),
        ("Sefrou", "صفرو"),
        ("Boulemane", "بولمان"),
        ("Taounate", "تاونات"),
        ("Taza", "تازة"),
    ],
    "04": [
        ("P:Rabat", "الرباط"),
        ("P:Salé", "سلا"),
        ("P:Skhirate-Témara", "الصخيرات تمارة"),
        ("Kénitra", "القنيطرة"),
        ("Khémisset", "الخميسات"),
        ("Sidi Kacem", "سيدي قاسم"),
        ("Sidi Slimane", "سيدي سليمان"),
    ],
    "05": [
        ("Béni Mellal", "بني ملال"),
        ("Azilal", "أزيلال"),
        ("Fquih Ben Salah", "الفقيه بن صالح"),
        ("Khénifra", "خنيفرة"),
        ("Khouribga", "خريبكة"),
    ],
    "06": [
        ("P:Casablanca", "الدار البيضاء"),
        ("P:Mohammédia", "المحمدية"),
        ("El Jadida", "الجديدة"),
        ("Nouaceur", "النواصر"),
        ("Médiouna", "مديونة"),
        ("Benslimane", "بنسليمان"),
        ("Berrechid", "برشيد"),
        ("Settat", "سطات"),
        ("Sidi Bennour", "سيدي بنور"),
    ],
    "07": [
        ("P:Marrakech", "مراكش"),
        ("Chichaoua", "شيشاوة"),
        ("Al Haouz", "الحوز"),
        ("El Kelâa des Sraghna", "قلعة السراغنة"),
        ("Essaouira", "الصويرة"),
        ("Rehamna", "الرحامنة"),
        ("Safi", "آسفي"),
        ("Youssoufia", "اليوسفية"),
    ],
    "08": [
        ("Errachidia", "الرشيدية"),
        ("Ouarzazate", "ورزازات"),
        ("Midelt", "ميدلت"),
        ("Tinghir", "تنغير"),
        ("Zagora", "زاكورة"),
    ],
    "09": [
        ("P:Agadir Ida-Outanane", "أكادير إداوتنان"),
        ("P:Inezgane-Aït Melloul", "إنزكان أيت ملول"),
        ("Chtouka-Aït Baha", "اشتوكة أيت باها"),
        ("Taroudant", "تارودانت"),
        ("Tiznit", "تيزنيت"),
        ("Tata", "طاطا"),
    ],
    "10": [
        ("Guelmim", "كلميم"),
        ("Assa-Zag", "آسا الزاك"),
        ("Tan-Tan", "طانطان"),
        ("Sidi Ifni", "سيدي إفني"),
    ],
    "11": [
        ("Laâyoune", "العيون"),
        ("Boujdour", "بوجدور"),
        ("Tarfaya", "طرفاية"),
        ("Es-Semara", "السمارة"),
    ],
    "12": [
        ("Oued Ed-Dahab", "وادي الذهب"),
        ("Aousserd", "أوسرد"),
    ],
}

# (code, name, name_ar, kind, is_web, reception-date rule) — §4.1, §6, §6.2, §6.3, §6.3.1
_RULE_WALK_IN = "Date d'initiation de la réclamation dans l'outil par le chargé d'accueil (§6.3.1)."
_RULE_WEB = "Date de soumission de la réclamation par le réclamant (§6.3.1)."
_RULE_POSTAL = "Date d'enregistrement par le Centre d'Acquisition Numérique (CAN) (§6.3.1)."
_RULE_PHONE = "Date d'initiation par le chargé de clientèle ou le téléconseiller (§6.3.1)."
_RULE_PLATFORM = "Date de mise en ligne de la réclamation sur le portail (§6.3.1)."
_RULE_MEDIATEUR = "Date de réception de la saisine transmise par le Médiateur du Royaume."
CHANNELS = [
    (
        "web-portal",
        "Site web du programme / espace Rentier CNRA",
        "الموقع الإلكتروني للبرنامج / فضاء المتقاعد",
        "web",
        True,
        _RULE_WEB,
    ),
    ("mobile-app", "Application mobile (SMART CNRA)", "التطبيق المحمول", "web", True, _RULE_WEB),
    ("email", "Courrier électronique", "البريد الإلكتروني", "web", True, _RULE_WEB),
    # Submitted online (the web reception-date rule), but §6.2.6 counts « messagerie, réseaux
    # sociaux » among the requests received « hors web ».
    ("social-media", "Réseaux sociaux / messagerie", "شبكات التواصل الاجتماعي", "web", False, _RULE_WEB),
    ("call-centre", "Centre d'appel / téléphone (1212)", "مركز النداء / الهاتف", "phone", False, _RULE_PHONE),
    ("walk-in", "Accueil physique (guichet)", "الاستقبال المباشر (الشباك)", "walk_in", False, _RULE_WALK_IN),
    ("postal", "Courrier (Bureau d'Ordre / CAN)", "البريد (مكتب الضبط)", "postal", False, _RULE_POSTAL),
    (
        "chikaya",
        "Portail national des réclamations chikaya.ma",
        "البوابة الوطنية للشكايات chikaya.ma",
        "platform",
        True,
        _RULE_PLATFORM,
    ),
    (
        "health-register",
        "Registre ou boîte à suggestions (établissement de santé)",
        "سجل أو صندوق الاقتراحات (مؤسسة صحية)",
        "walk_in",
        False,
        _RULE_WALK_IN,
    ),
    ("school", "Établissement scolaire (MASSAR)", "المؤسسة التعليمية (مسار)", "walk_in", False, _RULE_WALK_IN),
    ("mediateur", "Médiateur du Royaume", "وسيط المملكة", "mediateur", False, _RULE_MEDIATEUR),
]

# (programme, code, name, name_ar, type_number, partner organisation or None) — §6.2.1
_GENERIC_CATEGORIES = [
    ("eligibilite", "Éligibilité / inscription", "الأهلية / التسجيل", None, None),
    ("paiement", "Paiement non reçu ou incomplet", "أداء غير متوصل به أو ناقص", None, None),
    ("donnees", "Erreur de données personnelles", "خطأ في المعطيات الشخصية", None, None),
    ("technique", "Problème technique", "مشكل تقني", None, None),
    ("autre", "Autre", "أخرى", None, None),
]
CATEGORIES = {
    "tayssir": [
        ("inscription-rejetee", "Inscription rejetée", "رفض التسجيل", 1, None),
        ("paiement-non-recu", "Paiement non reçu", "عدم التوصل بالمنحة", 2, None),
        ("montant-bourse", "Paiement incomplet / montant de la bourse", "أداء ناقص / مبلغ المنحة", 3, None),
        ("erreur-nom-tuteur", "Erreur nom/prénom du tuteur (MASSAR)", "خطأ في اسم الولي (مسار)", None, "menps"),
        (
            "erreur-cnie-tuteur",
            "Erreur CNIE du tuteur (MASSAR)",
            "خطأ في رقم البطاقة الوطنية للولي (مسار)",
            None,
            "menps",
        ),
        ("autre-massar", "Autre erreur de donnée MASSAR", "خطأ آخر في معطيات مسار", None, "menps"),
        ("technique", "Problème technique", "مشكل تقني", None, None),
        ("autre", "Autre", "أخرى", None, None),
    ],
    "tadamon-covid": _GENERIC_CATEGORIES,
    "daam": _GENERIC_CATEGORIES,
    "allocations-familiales": _GENERIC_CATEGORIES,
    "amo-tadamon": _GENERIC_CATEGORIES,
}

# §6.2.3, §6.3.4
UNFOUNDED_REASONS = [
    (
        "meconnaissance-reglementation",
        "Non-connaissance des exigences légales et réglementaires",
        "عدم معرفة المقتضيات القانونية والتنظيمية",
    ),
    (
        "changement-non-declare",
        "Non-respect de l'obligation de déclarer un changement de situation dans les délais",
        "عدم التصريح بتغيير الوضعية داخل الآجال",
    ),
    (
        "fausse-declaration",
        "Droits non conformes suite à une fausse déclaration du réclamant",
        "حقوق غير مطابقة بسبب تصريح كاذب من المشتكي",
    ),
]
NOT_COMPLAINT_KINDS = [
    (
        "recouvrement-indu",
        "Sommes perçues indûment et notifiées au réclamant",
        "مبالغ مستفاد منها بغير حق ومبلغة للمعني",
    ),
    ("demande-service", "Demande de service ou de prestation", "طلب خدمة أو استفادة"),
    ("demande-information", "Demande d'information, de clarification ou d'avis", "طلب معلومة أو توضيح أو رأي"),
]

# Business units that receive routed grievances (operation 3): (organisation, code, name, name_ar)
UNITS = [
    ("cdg-cnra", "cnra-paiements", "CNRA — Service des paiements", "الصندوق الوطني للتقاعد والتأمين - مصلحة الأداءات"),
    (
        "cdg-cnra",
        "cnra-inscriptions",
        "CNRA — Service des inscriptions",
        "الصندوق الوطني للتقاعد والتأمين - مصلحة التسجيل",
    ),
    ("cdg-cnra", "cnra-si", "CNRA — Systèmes d'information", "الصندوق الوطني للتقاعد والتأمين - نظم المعلومات"),
    ("cnss", "cnss-amo", "CNSS — Immatriculation AMO TADAMON", "الصندوق الوطني للضمان الاجتماعي - تسجيل أمو تضامن"),
    (
        "mef-db",
        "mef-tadamon",
        "MEF-DB — Cellule des transferts monétaires",
        "مديرية الميزانية - خلية التحويلات النقدية",
    ),
]
FIRST_HOLIDAY_YEAR = 2020

# §6.2.2, §6.3.3: 10 calendar days by default, 60 days for the Médiateur du Royaume.
DEFAULT_TREATMENT_DAYS = 10
CHANGE_REASON = "Chargement initial des référentiels du PMPP"
ARABIC_NAME_REASON = "Ajout du nom arabe manquant (référentiels du PMPP)"
MEDIATEUR_TREATMENT_DAYS = 60


def _province_code(region_code: str, name: str) -> str:
    from django.utils.text import slugify

    return f"{region_code}-{slugify(name)}"[:40]


@transaction.atomic
def load_reference_data() -> dict[str, int]:
    """Create missing reference rows; return how many of each kind were created."""
    from pmpp.models import (
        Channel,
        ComplaintCategory,
        DeadlinePolicy,
        NotComplaintKind,
        Organisation,
        Programme,
        Province,
        PublicHoliday,
        Region,
        UnfoundedReason,
        Unit,
    )

    created: dict[str, int] = {}

    def ensure(model, lookup: dict, defaults: dict):
        try:
            obj = model.objects.get(**lookup)
        except model.DoesNotExist:
            obj = model(**lookup, **defaults)
            obj._change_reason = CHANGE_REASON
            obj.full_clean()
            obj.save()
            created[model.__name__] = created.get(model.__name__, 0) + 1
            return obj
        fill_blank_arabic_name(obj, defaults.get("name_ar", ""), reason=ARABIC_NAME_REASON)
        return obj

    organisations = {
        code: ensure(Organisation, {"code": code}, {"acronym": acronym, "name": name, "name_ar": name_ar, "kind": kind})
        for code, acronym, name, name_ar, kind in ORGANISATIONS
    }
    programmes = {
        code: ensure(
            Programme,
            {"code": code},
            {
                "reference_prefix": prefix,
                "component": component,
                "name": name,
                "name_ar": name_ar,
                "supervising_organisation": Organisation.objects.get(code=supervising),
                "managing_organisation": Organisation.objects.get(code=managing),
            },
        )
        for code, prefix, component, name, name_ar, supervising, managing in PROGRAMMES
    }
    for code, name, name_ar in REGIONS:
        region = ensure(Region, {"code": code}, {"name": name, "name_ar": name_ar})
        for entry, province_name_ar in PROVINCES[code]:
            is_prefecture = entry.startswith("P:")
            name = entry.removeprefix("P:")
            ensure(
                Province,
                {"code": _province_code(code, name)},
                {
                    "name": name,
                    "name_ar": province_name_ar,
                    "region": region,
                    "kind": "prefecture" if is_prefecture else "province",
                },
            )
    channels = {
        code: ensure(
            Channel,
            {"code": code},
            {"name": name, "name_ar": name_ar, "kind": kind, "is_web": is_web, "reception_date_rule": rule},
        )
        for code, name, name_ar, kind, is_web, rule in CHANNELS
    }
    for programme_code, categories in CATEGORIES.items():
        for position, (code, name, name_ar, type_number, partner) in enumerate(categories):
            ensure(
                ComplaintCategory,
                {"programme": programmes[programme_code], "code": code},
                {
                    "name": name,
                    "name_ar": name_ar,
                    "type_number": type_number,
                    "needs_partner": partner is not None,
                    "partner_organisation": organisations[partner] if partner else None,
                    "position": position,
                },
            )
    for code, name, name_ar in UNFOUNDED_REASONS:
        ensure(UnfoundedReason, {"code": code}, {"name": name, "name_ar": name_ar})
    for code, name, name_ar in NOT_COMPLAINT_KINDS:
        ensure(NotComplaintKind, {"code": code}, {"name": name, "name_ar": name_ar})
    for programme in programmes.values():
        ensure(DeadlinePolicy, {"programme": programme, "channel": None}, {"treatment_days": DEFAULT_TREATMENT_DAYS})
        ensure(
            DeadlinePolicy,
            {"programme": programme, "channel": channels["mediateur"]},
            {"treatment_days": MEDIATEUR_TREATMENT_DAYS},
        )
    for organisation_code, code, name, name_ar in UNITS:
        ensure(
            Unit, {"code": code}, {"organisation": organisations[organisation_code], "name": name, "name_ar": name_ar}
        )
    for day, name in moroccan_holidays(years=range(FIRST_HOLIDAY_YEAR, date.today().year + 3)):
        ensure(PublicHoliday, {"date": day}, {"name": name, "is_estimate": "(estimé)" in name})
    return created


def fill_blank_arabic_name(obj, name_ar: str, *, reason: str) -> bool:
    """Give an existing row the seed's Arabic name if its own is blank; never replace one.

    Only `name_ar` is validated and written (the rest of the row is the administrator's), with a
    history entry carrying `reason`. Returns whether the row was changed.
    """
    if not name_ar or getattr(obj, "name_ar", None) != "":
        return False
    obj.name_ar = obj._meta.get_field("name_ar").clean(name_ar, obj)
    obj._change_reason = reason
    obj.save(update_fields=["name_ar"])
    return True


def moroccan_holidays(*, years: range) -> list[tuple[date, str]]:
    """Moroccan public holidays from the `holidays` package, French names, one row per day."""
    import holidays

    calendar = holidays.country_holidays("MA", years=list(years), language="fr")
    return [(day, "; ".join(calendar.get_list(day))) for day in sorted(calendar)]
