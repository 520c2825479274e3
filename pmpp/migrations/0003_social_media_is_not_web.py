"""§6.2.6 counts « messagerie, réseaux sociaux » among the requests received outside the web.

Reference data is only ever created, never overwritten, so installations made before this
correction get it here. A channel an administrator has already changed is left alone.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Channel = apps.get_model("pmpp", "Channel")
    Channel.objects.filter(code="social-media", name="Réseaux sociaux / messagerie", is_web=True).update(is_web=False)


class Migration(migrations.Migration):
    dependencies = [("pmpp", "0002_publicholiday_historicalpublicholiday_historicalunit_and_more")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
