"""Give a database that already runs the first county its county row and township issuers.

Before 0003 the county was code: its name, 简称, division code and case prefix were
constants, and township issuers were derived from them. A database with townships was
loaded from that county's files, so it gets exactly those values, frozen here. A new
database has no townships: it gets its county from ``manage.py load_county``.
"""

from django.db import migrations

FIRST_COUNTY = {
    "name": "磐安县",
    "abbreviation": "磐",
    "division_code": "330727",
    "case_prefix": "PA",
    "province": "浙江省",
    "government": "磐安县人民政府",
}


def township_issuer(county: dict, township) -> tuple[str, str]:
    office = "办事处" if township.kind == "街道" else "人民政府"
    short = township.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
    return f"{county['name']}{township.name}{office}", f"{county['abbreviation']}{short}"


def forwards(apps, schema_editor):
    county_model = apps.get_model("institutions", "County")
    township_model = apps.get_model("institutions", "Township")
    if not township_model.objects.exists():
        return
    county_model.objects.get_or_create(pk=1, defaults=FIRST_COUNTY)
    for township in township_model.objects.filter(official_name=""):
        township.official_name, township.doc_prefix = township_issuer(FIRST_COUNTY, township)
        township.save(update_fields=["official_name", "doc_prefix"])


class Migration(migrations.Migration):
    dependencies = [("institutions", "0003_county_and_township_issuers")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
