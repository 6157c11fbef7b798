"""One keyed hash chain per organisation (and one for entries without an organisation).

Existing entries are numbered within their chain and re-hashed with HMAC-SHA256 under the
audit key of the keyring (`casework keys init` adds the key to an older keyring first). Run
`casework audit verify` on the previous version before upgrading: re-keying a chain also
re-keys whatever was changed in it before.
"""

import hashlib
import hmac
import json

from django.db import migrations, models

BATCH = 2000
GENESIS_HASH = "0" * 64
INSTALLATION_CHAIN = "installation"


def digest(key, payload):
    """As casework.audit.models.digest, frozen here as this migration wrote it."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def _payload(row, chain, seq, prev):
    return {
        "at": row.at.isoformat(timespec="microseconds"),
        "actor_id": row.actor_id,
        "actor": row.actor,
        "organisation_id": row.organisation_id,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "changed_fields": list(row.changed_fields),
        "request_id": row.request_id,
        "ip": row.ip,
        "subject": row.subject,
        "chain": chain,
        "seq": seq,
        "prev_hash": prev,
    }


def rechain(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    if not AuditEntry.objects.exists():
        return
    from casework.core.crypto import keyring

    key = keyring().audit_key
    heads: dict[str, tuple[int, str]] = {}
    batch = []
    for row in AuditEntry.objects.order_by("id").iterator(chunk_size=BATCH):
        chain = INSTALLATION_CHAIN if row.organisation_id is None else f"org:{row.organisation_id}"
        seq, prev = heads.get(chain, (0, GENESIS_HASH))
        row.chain, row.seq, row.prev_hash = chain, seq + 1, prev
        row.hash = digest(key, _payload(row, chain, seq + 1, prev))
        heads[chain] = (seq + 1, row.hash)
        batch.append(row)
        if len(batch) >= BATCH:
            AuditEntry.objects.bulk_update(batch, ["chain", "seq", "prev_hash", "hash"])
            batch = []
    AuditEntry.objects.bulk_update(batch, ["chain", "seq", "prev_hash", "hash"])


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0005_sign_in_actions"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="subject",
            field=models.CharField(
                blank=True,
                help_text="Codes of the case, person or household the entry is about.",
                max_length=100,
                verbose_name="about",
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.CharField(default="", max_length=32, verbose_name="chain"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(default=0, verbose_name="number in its chain"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("login", "Logged in"),
                    ("login_failed", "Failed login"),
                    ("logout", "Logged out"),
                    ("token_issued", "API token issued"),
                    ("password_changed", "Password changed"),
                    ("switched", "Switched organisation"),
                    ("create", "Created"),
                    ("update", "Changed"),
                    ("delete", "Deleted"),
                    ("read", "Read"),
                    ("export", "Exported"),
                    ("reencrypted", "Re-encrypted under a new key"),
                    ("backed_up", "Backed up"),
                    ("merged", "Merged into another record"),
                    ("search", "Searched by identity"),
                    ("locked_out", "Locked out after failed logins"),
                    ("2fa_enrolled", "Two-factor sign-in set up"),
                    ("2fa_verified", "Second factor confirmed"),
                    ("2fa_failed", "Wrong second-factor code"),
                    ("recovery_code_used", "Recovery code used"),
                    ("2fa_reset", "Two-factor sign-in removed"),
                ],
                max_length=20,
                verbose_name="action",
            ),
        ),
        migrations.RunPython(rechain, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="audit_chain_seq"),
        ),
    ]
