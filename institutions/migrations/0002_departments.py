"""The four county bureaus the flows route to by code, as the first county named them.

The values are frozen here as they were when this migration was written: the runtime
takes the bureaus' names from the county's departments.csv (``manage.py load_county``),
which updates these rows by code.
"""

from django.db import migrations

DEPARTMENTS = [
    # code, full name, short name, document-number prefix (发文代字)
    ("health", "磐安县卫生健康局", "县卫健局", "磐卫"),
    ("civil_affairs", "磐安县民政局", "县民政局", "磐民"),
    ("finance", "磐安县财政局", "县财政局", "磐财"),
    ("medical_insurance", "磐安县医疗保障局", "县医保局", "磐医保"),
]


def create(apps, schema_editor):
    department_model = apps.get_model("institutions", "Department")
    for code, name, short_name, prefix in DEPARTMENTS:
        department_model.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short_name, "doc_prefix": prefix}
        )


class Migration(migrations.Migration):
    dependencies = [("institutions", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
