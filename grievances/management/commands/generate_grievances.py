"""Generate grievance data sets through the replay service (see `grievances.generator`)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

from grievances import generator
from grievances.models import Grievance
from grievances.services import bulk
from grievances.services.replay import ReplayError, grievances_replay

PROFILES = {"tayssir-q1-2023": "Réclamations Tayssir du 1er trimestre 2023 (PMPP §6.2.6)"}


class Command(BaseCommand):
    help = (
        "Génère des réclamations (états, engagements, historique) : --count N réclamations réalistes, "
        "ou --profile tayssir-q1-2023 pour les chiffres du rapport Tayssir (§6.2.6). "
        "Refusé si DEBUG est désactivé, sauf --force."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--count", type=int, help="Nombre de réclamations à générer.")
        group.add_argument("--profile", choices=sorted(PROFILES), help="Jeu de données d'un rapport du PMPP.")
        parser.add_argument("--seed", type=int, default=None, help="Graine du tirage (données reproductibles).")
        parser.add_argument("--batch-size", type=int, default=5000, help="Réclamations par transaction.")
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Processus en parallèle pour --count (chacun sa connexion et sa part des réclamations).",
        )
        parser.add_argument(
            "--templates",
            type=int,
            default=bulk.TEMPLATE_COUNT,
            help="Sur PostgreSQL : réclamations vérifiées étape par étape, puis clonées en masse pour le reste.",
        )
        parser.add_argument(
            "--one-by-one",
            action="store_true",
            help="Vérifier chaque réclamation étape par étape, sans clonage (lent : environ 1 600/s).",
        )
        parser.add_argument("--force", action="store_true", help="Autoriser l'exécution avec DEBUG désactivé.")

    def handle(
        self,
        *args,
        count=None,
        profile=None,
        seed=None,
        batch_size=5000,
        workers=1,
        templates=bulk.TEMPLATE_COUNT,
        one_by_one=False,
        force=False,
        **options,
    ):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusé : DEBUG est désactivé, ce serveur ressemble à une production. "
                "Relancez avec --force s'il s'agit bien d'une base de test ou de mesure."
            )
        if batch_size < 1:
            raise CommandError("--batch-size doit être au moins 1.")
        if workers < 1 or (workers > 1 and profile):
            raise CommandError("--workers : un nombre positif, et seulement avec --count.")
        if templates < 1:
            raise CommandError("--templates doit être au moins 1.")
        if profile == "tayssir-q1-2023":
            spec = generator.TAYSSIR_Q1_2023
            if Grievance.objects.filter(
                programme__code="tayssir",
                received_at__date__gte=spec["first_day"],
                received_at__date__lte=spec["last_day"],
            ).exists():
                raise CommandError(
                    "Des réclamations Tayssir du 1er trimestre 2023 existent déjà : "
                    "le jeu de données n'est pas recréé (les chiffres seraient comptés deux fois)."
                )
            stories = generator.tayssir_q1_2023(seed=2023 if seed is None else seed)
            total = sum(spec["web"]["by_type"].values()) + sum(spec["other"]["by_category"].values())
        else:
            if count is None or count < 1:
                raise CommandError("--count doit être un nombre positif.")
            stories = generator.realistic(count=count, seed=1 if seed is None else seed)
            total = count

        started = time.perf_counter()

        def progress(done: int) -> None:
            elapsed = time.perf_counter() - started
            self.stdout.write(f"  {done:>10,} / {total:,} réclamations ({done / elapsed:,.0f}/s)".replace(",", " "))

        cloned = (
            count is not None and count > templates and not one_by_one and workers == 1
            and connection.vendor == "postgresql"
        )  # fmt: skip
        try:
            if cloned:
                self.stdout.write(
                    f"{templates} réclamations vérifiées étape par étape puis clonées jusqu'à {count:,} :".replace(
                        ",", "\u202f"
                    )
                )
                made = bulk.grievances_clone(
                    generator.realistic(count=templates, seed=1 if seed is None else seed),
                    count=count,
                    names=generator.full_names(),
                    seed=1 if seed is None else seed,
                    progress=self.stdout.write,
                )
            elif workers > 1:
                made = self._in_parallel(
                    count=count, seed=1 if seed is None else seed, workers=workers, batch_size=batch_size
                )
            else:
                made = grievances_replay(stories, batch_size=batch_size, progress=progress)
        except ReplayError as error:
            raise CommandError(" ".join(error.messages)) from error
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{made:,} réclamations créées en {elapsed:.1f} s ({made / elapsed:,.0f}/s).".replace(",", " ")
            )
        )

    def _in_parallel(self, *, count: int, seed: int, workers: int, batch_size: int) -> int:
        """Split the count between processes; each draws its own share (seed + its number)."""
        import multiprocessing

        generator.ensure_generator_accounts()  # once, before the workers race to create them
        _drop_connections()  # a forked process must not share its parent's connections
        shares = [count // workers + (1 if number < count % workers else 0) for number in range(workers)]
        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            made = pool.starmap(
                _generate_share, [(share, seed + number, batch_size) for number, share in enumerate(shares)]
            )
        return sum(made)


def _drop_connections() -> None:
    # With PostgreSQL's connection pool, closing only returns the connection to a pool the
    # child would share: the pool itself is closed, and each process opens its own.
    for each in connections.all():
        each.close()
        if hasattr(each, "close_pool"):
            each.close_pool()


def _generate_share(count: int, seed: int, batch_size: int) -> int:
    _drop_connections()
    try:
        return grievances_replay(generator.realistic(count=count, seed=seed), batch_size=batch_size)
    finally:
        _drop_connections()
