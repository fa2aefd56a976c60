"""Sources: the review paper becomes the first source, and every stored fact cites it.

The source column is added empty, filled with the paper, and made required in 0008 (a separate
migration: PostgreSQL refuses to alter a table with row updates pending in the same
transaction)."""

from pathlib import Path

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

LIBRARY_MODELS = ['actorgroup', 'casestudy', 'cluster', 'conclusion', 'figure', 'firm', 'historyevent', 'institution', 'linkage', 'market', 'policysetting', 'sizeclass']


# As cases.models.PAPER_SOURCE was when this ran (a migration does not follow later code).
PAPER_SOURCE = {
    "slug": "paper",
    "title": "Small and medium enterprises in industrial clusters and networks: "
    "a review of five case studies",
    "short_title": "Review paper",
    "kind": "report",
    "note": "The review paper the library was first built from (fixtures/paper.txt, a text "
    "extraction of a PDF). Its own citations of primary studies stay on each fact.",
}


def paper_as_first_source(apps, schema_editor):
    Source = apps.get_model("cases", "Source")
    paper, _ = Source.objects.get_or_create(
        slug=PAPER_SOURCE["slug"],
        defaults={**PAPER_SOURCE, "text": Path(settings.PAPER_PATH).read_text(encoding="utf-8")},
    )
    for name in LIBRARY_MODELS:
        apps.get_model("cases", name).objects.filter(source__isnull=True).update(source=paper)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_linkage_status_units_value_text"),
    ]

    operations = [
        migrations.CreateModel(
            name='Source',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(unique=True)),
                ('title', models.CharField(max_length=300)),
                ('short_title', models.CharField(help_text="How a fact's citation names the source, e.g. 'Review paper'.", max_length=80)),
                ('authors', models.CharField(blank=True, max_length=300)),
                ('year', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('kind', models.CharField(choices=[('journal_article', 'Journal article'), ('book_chapter', 'Book chapter'), ('report', 'Report'), ('dataset', 'Dataset'), ('survey', 'Survey'), ('field_notes', 'Field notes')], max_length=16)),
                ('publisher', models.CharField(blank=True, help_text='Publisher or journal.', max_length=300)),
                ('doi', models.CharField(blank=True, max_length=200, verbose_name='DOI')),
                ('url', models.URLField(blank=True, max_length=500, verbose_name='URL')),
                ('licence', models.CharField(blank=True, max_length=200)),
                ('text', models.TextField(blank=True, help_text='The full text, one line per line, where it may be stored; cited passages are then checked against it.')),
                ('note', models.TextField(blank=True)),
            ],
            options={
                'ordering': ['id'],
            },
        ),
        migrations.AddField(
            model_name="actorgroup",
            name="source",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.source",
            ),
        ),
        migrations.AddField(
            model_name="casestudy",
            name="source",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.source",
            ),
        ),
        migrations.AddField(
            model_name="cluster",
            name="source",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.source",
            ),
        ),
        migrations.AddField(
            model_name="conclusion",
            name="source",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.source",
            ),
        ),
        migrations.AddField(
            model_name="figure",
            name="source",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.source",
            ),
        ),
        migrations.AddField(
            model_name="firm",
            name="source",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.source",
            ),
        ),
        migrations.AddField(
            model_name="historyevent",
            name="source",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.source",
            ),
        ),
        migrations.AddField(
            model_name="institution",
            name="source",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.source",
            ),
        ),
        migrations.AddField(
            model_name="linkage",
            name="source",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.source",
            ),
        ),
        migrations.AddField(
            model_name="market",
            name="source",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.source",
            ),
        ),
        migrations.AddField(
            model_name="policysetting",
            name="source",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.source",
            ),
        ),
        migrations.AddField(
            model_name="sizeclass",
            name="source",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.source",
            ),
        ),
        migrations.RunPython(paper_as_first_source, migrations.RunPython.noop),
    ]
