from django.db import migrations, models


def build_rollups(apps, schema_editor):
    """Nothing any more: the live rollup code writes the home hospital
    column (0007), which does not exist yet here; 0007_expert_rollups_home
    fills both rollups."""


class Migration(migrations.Migration):

    dependencies = [
        ('deployments', '0005_team_name_zh'),
    ]

    operations = [
        # Derived data: the old table (by province alone) goes, the keyed
        # one is filled from the rotations.
        migrations.DeleteModel(name='ExpertMonth'),
        migrations.CreateModel(
            name='ExpertMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('region', models.CharField(blank=True, default='', max_length=6, verbose_name='recipient region')),
                ('donor', models.CharField(blank=True, default='', max_length=6, verbose_name='donor region')),
                ('specialty', models.CharField(blank=True, default='', max_length=32, verbose_name='specialty')),
                ('month', models.DateField(verbose_name='month (first day)')),
                ('experts', models.IntegerField(verbose_name='experts')),
                ('days', models.IntegerField(verbose_name='expert-days')),
            ],
            options={
                'verbose_name': 'experts on site in a month',
                'verbose_name_plural': 'experts on site per month',
                'constraints': [models.UniqueConstraint(fields=('donor', 'specialty', 'region', 'month'), name='expertmonth_key_unique')],
                'indexes': [models.Index(fields=['region', 'specialty', 'donor', 'month'], name='expertmonth_region_idx')],
            },
        ),
        migrations.CreateModel(
            name='ExpertSpanMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('region', models.CharField(blank=True, default='', max_length=6, verbose_name='recipient region')),
                ('donor', models.CharField(blank=True, default='', max_length=6, verbose_name='donor region')),
                ('specialty', models.CharField(blank=True, default='', max_length=32, verbose_name='specialty')),
                ('first_month', models.DateField(verbose_name='first month')),
                ('last_month', models.DateField(verbose_name='last month')),
                ('n', models.IntegerField(verbose_name='count')),
            ],
            options={
                'verbose_name': 'expert spans of a month',
                'verbose_name_plural': 'expert spans per month',
                'constraints': [models.UniqueConstraint(fields=('donor', 'specialty', 'region', 'first_month', 'last_month'), name='expertspan_key_unique')],
                'indexes': [models.Index(fields=['region', 'specialty', 'donor', 'first_month'], name='expertspan_region_idx')],
            },
        ),
        migrations.RunPython(build_rollups, migrations.RunPython.noop),
    ]
