"""A firm row's primary key becomes (table, source_row), with no surrogate id.

Django cannot alter a table's primary key into a composite one, so the rows move: a new table
with the new key is made, the rows copied into it, the old table dropped and the new one
renamed. (Written by hand for that reason; the final state is what makemigrations expects.)
"""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = (
    "table_id, source_row, identifier, name, cluster, \"group\", size_class, employees, "
    "founding_year, output, export_share, buyer_type, memberships, firm_ties, "
    "institution_ties, firm_tie_count, institution_tie_count"
)


class Migration(migrations.Migration):
    dependencies = [
        ("firms", "0003_records_written_in_order"),
    ]

    operations = [
        migrations.CreateModel(
            name="FirmRow",
            fields=[
                ("pk", models.CompositePrimaryKey("table", "source_row", blank=True, editable=False, primary_key=True, serialize=False)),
                ("table", models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="firms.firmtable")),
                ("source_row", models.PositiveIntegerField(help_text="Row of the uploaded file (header = 1).")),
                ("identifier", models.CharField(max_length=100)),
                ("name", models.CharField(blank=True, max_length=200)),
                ("cluster", models.CharField(blank=True, max_length=160)),
                ("group", models.CharField(blank=True, max_length=160)),
                ("size_class", models.CharField(blank=True, max_length=80)),
                ("employees", models.PositiveIntegerField(blank=True, null=True)),
                ("founding_year", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("output", models.DecimalField(blank=True, decimal_places=2, help_text="Output or sales.", max_digits=20, null=True)),
                ("export_share", models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True)),
                ("buyer_type", models.CharField(blank=True, choices=[("domestic_retail", "Domestic retailers or consumers"), ("domestic_firms", "Other domestic firms"), ("local_cluster", "Firms in the same cluster"), ("foreign_buyers", "Foreign buyers or agents"), ("government", "Government"), ("mixed", "No main buyer")], max_length=16)),
                ("memberships", models.TextField(blank=True, help_text="Associations, ';'-separated.")),
                ("firm_ties", models.TextField(blank=True, help_text="Identifiers of firms, ';'-separated.")),
                ("institution_ties", models.TextField(blank=True, help_text="Institutions, ';'-separated.")),
                ("firm_tie_count", models.PositiveIntegerField(default=0)),
                ("institution_tie_count", models.PositiveIntegerField(default=0)),
            ],
            options={
                "ordering": ["table", "source_row"],
            },
        ),
        migrations.RunSQL(
            f"INSERT INTO firms_firmrow ({COLUMNS}) SELECT {COLUMNS} FROM firms_firmrecord",
            reverse_sql=migrations.RunSQL.noop,  # going back: the old table starts empty
        ),
        migrations.DeleteModel(name="FirmRecord"),
        migrations.RenameModel(old_name="FirmRow", new_name="FirmRecord"),
        migrations.AlterField(
            model_name="firmrecord",
            name="table",
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="records", to="firms.firmtable"),
        ),
        migrations.AddConstraint(
            model_name="firmrecord",
            constraint=models.CheckConstraint(condition=models.Q(("export_share__isnull", True), models.Q(("export_share__gte", 0), ("export_share__lte", 100)), _connector="OR"), name="firms_record_export_share_0_100"),
        ),
    ]
