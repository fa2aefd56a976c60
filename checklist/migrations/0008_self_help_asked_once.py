"""Self-help institutions were asked twice on the Institutions step: as a kind ("listed /
none / don't know", field `self_help`) and as 5e's direct question (`self_help_finance`).
They are now asked once, as 5e's question, whose answer stands for the kind's (no = none).

Stored answers are merged into `self_help_finance` before the column goes:
- a direct answer given (yes / no) is kept: it is the question that names the fact;
- no direct answer, kind "none": "no" (the officer said there are none);
- no direct answer, kind "listed" or blank: stays blank. "Listed" with no credit-union row
  read as unknown before, and blank reads so now; with a row, the row counts either way.
So every stored draft scores as before, except one that contradicted itself (kind "none"
with 5e "yes", or "listed" with "no"): there the direct answer now decides 1c and 2b too.

The mapping is written out here, not imported, so this migration keeps meaning what it meant.
"""

import django.db.models.deletion
from django.db import migrations, models


def merge_self_help(apps, schema_editor):
    Assessment = apps.get_model("checklist", "Assessment")
    Assessment.objects.filter(self_help_finance="", self_help="none").update(
        self_help_finance="no"
    )


def split_self_help(apps, schema_editor):
    # Back to two fields: the kind's answer from the direct one.
    Assessment = apps.get_model("checklist", "Assessment")
    Assessment.objects.filter(self_help_finance="no").update(self_help="none")
    Assessment.objects.filter(self_help_finance="yes").update(self_help="listed")


class Migration(migrations.Migration):
    dependencies = [
        ("checklist", "0007_api_token"),
    ]

    operations = [
        migrations.RunPython(merge_self_help, split_self_help),
        migrations.RemoveField(
            model_name="assessment",
            name="self_help",
        ),
        migrations.AlterField(
            model_name="assessmenttie",
            name="institution",
            field=models.ForeignKey(
                blank=True,
                help_text="When one end is an institution: which of those listed on the "
                "Institutions step (the step before this one).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="ties",
                to="checklist.assessmentinstitution",
            ),
        ),
    ]
