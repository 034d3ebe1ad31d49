"""Action items to Jira: plan, push once, sync back, or export CSV for the import wizard.

>>> from insights.jira.ledger import fingerprint_label
>>> fingerprint_label("0123456789abcdef")
'insights-0123456789abcdef'

Modules: :mod:`.client` (the real ``jira`` client with deterministic retries and no
secrets in messages), :mod:`.ledger` (fingerprint -> issue key), :mod:`.push` (planning
and the idempotent create loop), :mod:`.sync`, :mod:`.csv_export`, :mod:`.people`.
"""
