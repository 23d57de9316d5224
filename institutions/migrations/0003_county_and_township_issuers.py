"""The county as a row (one per installation), and each township's own issuing name and 代字."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("institutions", "0002_departments")]

    operations = [
        migrations.CreateModel(
            name="County",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="县（市、区）全称，用于页面标题、文书和证书。", max_length=40, verbose_name="名称"
                    ),
                ),
                (
                    "abbreviation",
                    models.CharField(
                        help_text="发文代字的首字；新增乡镇（街道）的发文代字由它和乡镇名组成。",
                        max_length=4,
                        verbose_name="简称",
                    ),
                ),
                (
                    "division_code",
                    models.CharField(
                        help_text="用于备案编号；修改只影响此后的编号。",
                        max_length=6,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[1-9]\\d{5}$", "行政区划代码应为6位数字，首位不为0。"
                            )
                        ],
                        verbose_name="行政区划代码",
                    ),
                ),
                (
                    "case_prefix",
                    models.CharField(
                        help_text="办件编号的开头（2至4个大写字母），其后是年份、事项代码和序号；修改只影响此后的编号。",
                        max_length=4,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Z]{2,4}$", "办件编号前缀应为2至4个大写英文字母。"
                            )
                        ],
                        verbose_name="办件编号前缀",
                    ),
                ),
                (
                    "province",
                    models.CharField(
                        help_text="用于电子签章的签署地点和证书。", max_length=20, verbose_name="所属省份"
                    ),
                ),
                (
                    "government",
                    models.CharField(help_text="根证书的签发单位。", max_length=60, verbose_name="本级人民政府"),
                ),
            ],
            options={
                "verbose_name": "本县信息",
                "verbose_name_plural": "本县信息",
                "constraints": [models.CheckConstraint(condition=models.Q(("id", 1)), name="county_single_row")],
            },
        ),
        # Existing rows get their values from the next migration; new ones from the county's files.
        migrations.AddField(
            model_name="township",
            name="official_name",
            field=models.CharField(
                default="",
                help_text="文书落款和电子签章上的名称，如某某县某某镇人民政府。",
                max_length=60,
                verbose_name="发文机关全称",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="township",
            name="doc_prefix",
            field=models.CharField(
                default="", help_text="本乡镇（街道）文书编号的开头。", max_length=10, verbose_name="发文代字"
            ),
            preserve_default=False,
        ),
    ]
