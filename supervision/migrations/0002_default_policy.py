"""Ship the default policy (employer standards 2024) so a new installation judges supervision
from day one. Councils add later versions with their own effective dates."""

import datetime

from django.db import migrations

from supervision.variants import VARIANT_NAMES, VARIANT_RULES

DEFAULT = "employer_standards_2024"


def create_default_policy(apps, schema_editor):
    Policy = apps.get_model("supervision", "SupervisionPolicy")
    Rule = apps.get_model("supervision", "PolicyRule")
    if Policy.objects.exists():
        return
    policy = Policy.objects.create(
        name=VARIANT_NAMES[DEFAULT], variant=DEFAULT, effective_from=datetime.date(2000, 1, 1)
    )
    for row in VARIANT_RULES[DEFAULT]:
        Rule.objects.create(policy=policy, min_minutes=90, **row)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(create_default_policy, migrations.RunPython.noop)]
