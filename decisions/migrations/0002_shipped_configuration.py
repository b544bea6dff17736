from django.db import migrations

from decisions import shipped


def install(apps, schema_editor):
    shipped.install(apps)


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
