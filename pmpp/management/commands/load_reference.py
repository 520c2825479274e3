from django.core.management.base import BaseCommand

from pmpp.hooks import app_hooks
from pmpp.reference_data import load_reference_data
from pmpp.roles import sync_roles


class Command(BaseCommand):
    help = (
        "Crée les référentiels manquants (programmes, organisations, régions, canaux, catégories, "
        "motifs, délais) et les rôles. Idempotent : ne modifie jamais une ligne existante."
    )

    def handle(self, *args, **options):
        sync_roles()
        created = load_reference_data()
        for load in app_hooks("load_reference"):
            created.update(load())
        if not created:
            self.stdout.write("Référentiels déjà à jour : rien à créer.")
        for model_name, count in sorted(created.items()):
            self.stdout.write(f"{model_name} : {count} créé(s)")
