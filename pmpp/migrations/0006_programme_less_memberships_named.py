from django.db import migrations
from django.db.models import Q
from django.utils import timezone

from pmpp import roles

REASON = "Affectation sans programme : portée nationale explicite, ou programmes de l'organisation"


def name_the_programmes(apps, schema_editor):
    """A membership without a programme used to grant every programme of the project.

    Held by a project-wide role, it becomes an explicit « tous les programmes »; held by
    anyone else, it becomes one membership per programme its organisation manages or
    supervises (what « tous ses programmes » meant), each written to history. An
    organisation with no programme keeps a programme-less membership that grants none,
    and `manage.py check` names it.
    """
    Membership = apps.get_model("pmpp", "Membership")
    HistoricalMembership = apps.get_model("pmpp", "HistoricalMembership")
    Programme = apps.get_model("pmpp", "Programme")
    project_wide_groups = {role.group_name for role in roles.ROLES if role.code in roles.PROJECT_WIDE_ROLES}
    now = timezone.now()

    def remember(membership, history_type):
        HistoricalMembership.objects.create(
            id=membership.pk,
            user_id=membership.user_id,
            organisation_id=membership.organisation_id,
            programme_id=membership.programme_id,
            all_programmes=membership.all_programmes,
            history_date=now,
            history_type=history_type,
            history_change_reason=REASON,
        )

    for membership in Membership.objects.filter(programme__isnull=True).select_related("user"):
        user = membership.user
        if user.is_superuser or user.groups.filter(name__in=project_wide_groups).exists():
            membership.all_programmes = True
            membership.save(update_fields=["all_programmes"])
            remember(membership, "~")
            continue
        programmes = Programme.objects.filter(
            Q(managing_organisation_id=membership.organisation_id)
            | Q(supervising_organisation_id=membership.organisation_id)
        )
        if not programmes.exists():
            continue
        for programme in programmes:
            named, created = Membership.objects.get_or_create(
                user_id=user.pk, organisation_id=membership.organisation_id, programme_id=programme.pk
            )
            if created:
                remember(named, "+")
        remember(membership, "-")
        membership.delete()
    if schema_editor.connection.vendor == "sqlite":
        # SQLite rebuilt the history table in 0005 and with it dropped its chain trigger,
        # which post_migrate reinstalls at the end of this run: chain what was written here.
        # (PostgreSQL altered the table in place; its trigger chained the rows.)
        from pmpp.audit_chain import seal_existing_rows

        seal_existing_rows(HistoricalMembership, reason=REASON, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("pmpp", "0005_membership_names_its_programmes"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(name_the_programmes, migrations.RunPython.noop)]
