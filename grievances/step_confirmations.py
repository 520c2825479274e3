"""What closing a case freezes, said before it is done (issue 20).

The closing officer's « Valider l'étape » opens a confirmation naming what will no longer
change; `grievance_close` refuses without it (see pmpp.confirmation).
"""

from django.utils.translation import gettext as _

from grievances.models import Grievance
from pmpp.confirmation import Confirmation


def close_confirmation(grievance: Grievance) -> Confirmation:
    if grievance.appeal_count:
        # The appeal's own closure: there is no second appeal before the programme.
        return Confirmation(
            title=_("Clôturer définitivement le recours du dossier %(reference)s ?")
            % {"reference": grievance.reference},
            frozen=[
                _("la synthèse du recours ;"),
                _("la conclusion du réexamen et la réponse envoyée au réclamant ;"),
                _("la date de clôture du recours, qui compte dans les délais et les rapports."),
            ],
            after=_(
                "Aucun autre recours n'est possible auprès du programme : le réclamant ne pourra plus saisir que "
                "le Médiateur du Royaume ou la justice."
            ),
            button=_("Clôturer définitivement"),
        )
    return Confirmation(
        title=_("Clôturer définitivement le dossier %(reference)s ?") % {"reference": grievance.reference},
        frozen=[
            _("la synthèse finale du traitement ;"),
            _("le résultat du traitement et la réponse envoyée au réclamant ;"),
            _("la date de clôture effective, qui compte dans les délais de traitement et les rapports."),
        ],
        after=_(
            "Le dossier quittera les files de travail ; seul un recours du réclamant pourra le rouvrir, pour un "
            "réexamen qui laissera cette clôture telle quelle."
        ),
        button=_("Clôturer définitivement"),
    )
