from django.db import migrations, models


def build_rollups(apps, schema_editor):
    """Fill both expert rollups again from the rotations, now with the rows
    keyed by home hospital (set-based)."""
    # The live rollup code, imported when the migration runs (the app
    # registry is ready then), not when migrations are loaded.
    from deployments import rollups

    rollups.rebuild_experts(using=schema_editor.connection.alias)


def drop_home_rows(apps, schema_editor):
    """Backwards: the rows keyed by home hospital go (the others are the
    rollups as they were), so the old unique keys hold again."""
    for name in ("ExpertMonth", "ExpertSpanMonth"):
        apps.get_model("deployments", name).objects.using(schema_editor.connection.alias).exclude(home="").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('deployments', '0006_expert_rollups_keyed'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='expertmonth',
            name='expertmonth_key_unique',
        ),
        migrations.RemoveConstraint(
            model_name='expertspanmonth',
            name='expertspan_key_unique',
        ),
        migrations.RemoveIndex(
            model_name='expertmonth',
            name='expertmonth_region_idx',
        ),
        migrations.RemoveIndex(
            model_name='expertspanmonth',
            name='expertspan_region_idx',
        ),
        migrations.AddField(
            model_name='expertmonth',
            name='home',
            field=models.CharField(blank=True, default='', max_length=32, verbose_name='home hospital'),
        ),
        migrations.AddField(
            model_name='expertspanmonth',
            name='home',
            field=models.CharField(blank=True, default='', max_length=32, verbose_name='home hospital'),
        ),
        # Filled before the new indexes are built: one index build each
        # instead of an index insert per row.
        migrations.RunPython(build_rollups, drop_home_rows),
        migrations.AddIndex(
            model_name='expertmonth',
            index=models.Index(fields=['region', 'specialty', 'home', 'donor', 'month'], name='expertmonth_region_idx'),
        ),
        migrations.AddIndex(
            model_name='expertspanmonth',
            index=models.Index(fields=['region', 'specialty', 'home', 'donor', 'first_month'], name='expertspan_region_idx'),
        ),
        migrations.AddIndex(
            model_name='expertmonth',
            index=models.Index(condition=models.Q(('home__gt', '')), fields=['donor', 'specialty', 'home', 'region', 'month', 'days'], name='expertmonth_home_idx'),
        ),
        migrations.AddIndex(
            model_name='expertspanmonth',
            index=models.Index(condition=models.Q(('home__gt', '')), fields=['donor', 'specialty', 'home', 'region', 'first_month', 'last_month', 'n'], name='expertspan_home_idx'),
        ),
        migrations.AddConstraint(
            model_name='expertmonth',
            constraint=models.UniqueConstraint(fields=('donor', 'specialty', 'home', 'region', 'month'), name='expertmonth_key_unique'),
        ),
        migrations.AddConstraint(
            model_name='expertspanmonth',
            constraint=models.UniqueConstraint(fields=('donor', 'specialty', 'home', 'region', 'first_month', 'last_month'), name='expertspan_key_unique'),
        ),
    ]
