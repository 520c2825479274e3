"""Write the grievance workflow's transition table, generated from the model itself."""

from pathlib import Path

from django.core.management.base import BaseCommand

from grievances.models import Grievance
from grievances.workflow import transition_rows
from pmpp import roles

HEADER = """# Grievance workflow — transition table

Generated from `grievances/models.py` by `manage.py transition_table --write`; a test fails
when this file and the code disagree. Operations refer to the PMPP §6.3.6 (CRM operations
1–4), the partner path to §6.2.5, the appeal to §6.1. A grievance is created in « Reçue » by
the intake service (`grievances.services.intake.grievance_register`); a sensitive allegation at
intake creates only a `SensitiveCase`.

| step | from | to | permission | roles | rule |
|---|---|---|---|---|---|
"""


def _roles_holding(permission: str) -> str:
    names = [role.group_name for role in roles.ROLES if permission in role.permissions]
    return ", ".join(names) or "—"


def render() -> str:
    labels = dict(Grievance.Status.choices)
    lines = [HEADER]
    for row in transition_rows():
        sources = ", ".join(str(labels[source]) for source in row["sources"])
        rules = []
        if row["four_eyes"]:
            rules.append(f"four eyes: not the user in `{row['four_eyes']}`")
        rules += [f"condition `{c}`" for c in row["conditions"]]
        lines.append(
            f"| {row['label']} (`{row['name']}`) | {sources} | {labels[row['target']]} "
            f"| `{row['permission']}` | {_roles_holding(row['permission'])} | {'; '.join(rules) or '—'} |\n"
        )
    return "".join(lines)


class Command(BaseCommand):
    help = "Affiche (ou écrit dans docs/transitions.md) la table des transitions du workflow des réclamations."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="Écrire docs/transitions.md.")

    def handle(self, *args, write: bool = False, **options):
        text = render()
        if write:
            path = Path(__file__).resolve().parents[3] / "docs" / "transitions.md"
            path.write_text(text, encoding="utf-8")
            self.stdout.write(f"Écrit : {path}")
        else:
            self.stdout.write(text, ending="")
