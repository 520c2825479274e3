"""Demo answer templates, in French and in the formal Arabic of Moroccan administrative letters.

Made through the service, as the E&S focal point (a manager of every programme), so that
their history reads as production data would. Called by `manage.py load_demo`.
"""

from pmpp.models import ComplaintCategory, Programme, User

_CLOSING_FR = "Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées."
_CLOSING_AR = "وتقبلوا فائق عبارات التقدير والاحترام."

# (name, programme code or None, category code or None, outcome, French text, Arabic text)
DEMO_TEMPLATES = [
    (
        "Suivi en cours (SMS)",
        None,
        None,
        "",
        "PMPP : votre réclamation {reference} est en cours de traitement. Réponse au plus tard le "
        "{date_echeance}. Suivi : code {code_suivi}.",
        "تتم حاليا معالجة شكايتكم رقم {reference}، وسيتم الرد عليها في أجل أقصاه {date_echeance}. "
        "رمز التتبع: {code_suivi}.",
    ),
    (
        "Réclamation fondée, engagement de traitement",
        None,
        None,
        "founded",
        "Madame, Monsieur,\nNous vous informons que votre réclamation n° {reference}, reçue le {date_reception}, "
        "a été jugée fondée. Les services concernés se sont engagés à la traiter au plus tard le "
        "{date_engagement}. Vous pouvez en suivre l'avancement avec le code {code_suivi}.\n" + _CLOSING_FR,
        "السيد(ة) المحترم(ة)،\nنحيطكم علما بأن شكايتكم رقم {reference}، الواردة بتاريخ {date_reception}، "
        "قد اعتُبرت مؤسَّسة، وقد التزمت المصالح المعنية بمعالجتها في أجل أقصاه {date_engagement}. "
        "ويمكنكم تتبع مآلها باستعمال رمز التتبع {code_suivi}.\n" + _CLOSING_AR,
    ),
    (
        "Réclamation non fondée",
        None,
        None,
        "unfounded",
        "Madame, Monsieur,\nAprès examen de votre réclamation n° {reference} relative au programme {programme}, "
        "il ressort qu'elle n'est pas fondée, pour les motifs précisés ci-après. Si vous contestez cette "
        "décision, vous pouvez introduire un recours avec le code de suivi {code_suivi}.\n" + _CLOSING_FR,
        "السيد(ة) المحترم(ة)،\nبعد دراسة شكايتكم رقم {reference} المتعلقة ببرنامج {programme}، تبيّن أنها "
        "غير مؤسَّسة للأسباب المبيّنة أدناه. وفي حال عدم اقتناعكم بهذا القرار، يمكنكم تقديم طلب إعادة "
        "النظر باستعمال رمز التتبع {code_suivi}.\n" + _CLOSING_AR,
    ),
    (
        "Tayssir : paiement régularisé",
        "tayssir",
        "paiement-non-recu",
        "founded",
        "Madame, Monsieur,\nSuite à votre réclamation n° {reference} concernant le non-versement de la bourse "
        "Tayssir, nous vous informons que le paiement a été régularisé. Le montant sera à votre disposition "
        "auprès de votre agence de paiement à partir du {date_engagement}.\n" + _CLOSING_FR,
        "السيد(ة) المحترم(ة)،\nعلى إثر شكايتكم رقم {reference} بشأن عدم التوصل بمنحة برنامج تيسير، نخبركم "
        "بأنه قد تمت تسوية وضعية الأداء، وسيكون المبلغ رهن إشارتكم لدى وكالة الأداء ابتداءً من "
        "{date_engagement}.\n" + _CLOSING_AR,
    ),
]


def load_demo_answer_templates(*, actor_username: str = "pointfocal") -> int:
    """Create the demo templates that do not exist yet; return how many were made."""
    from answers.models import AnswerTemplate
    from answers.services import answer_template_create

    actor = User.objects.get(username=actor_username)
    made = 0
    for name, programme_code, category_code, outcome, text_fr, text_ar in DEMO_TEMPLATES:
        programme = Programme.objects.get(code=programme_code) if programme_code else None
        if AnswerTemplate.objects.filter(name=name, programme=programme).exists():
            continue
        category = ComplaintCategory.objects.get(programme=programme, code=category_code) if category_code else None
        answer_template_create(
            actor=actor,
            name=name,
            programme=programme,
            category=category,
            outcome=outcome,
            text_fr=text_fr,
            text_ar=text_ar,
        )
        made += 1
    return made
