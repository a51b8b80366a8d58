"""The old SHA-256 chain's columns go once every event is resealed (0005). A migration of its
own: PostgreSQL refuses to alter a table in the transaction that just updated its rows."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0009_audit_mac_seal_chain'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='auditevent',
            name='hash',
        ),
        migrations.RemoveField(
            model_name='auditevent',
            name='prev_hash',
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('seq__isnull', True)), fields=['id'], name='core_audit_unsealed'),
        ),
    ]
