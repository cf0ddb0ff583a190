#!/usr/bin/env python3
"""Moves every row of an inventory to another tenant key, for the benchmark scripts.

    scripts/rekey.py INVENTORY.sqlite3 HOST:PORT

The inventory is keyed by tenant (the endpoint's host:port). An inventory made by
`cargo bench --bench startup` is keyed `default`; the scripts run the binary against a
local endpoint on a port chosen when they start, so they move a copy's rows to that key
first, or the dashboard would (rightly) show none of them. Works on every schema that keys
by tenant (2 and later); tables without a `tenant` column are left alone.
"""
import sqlite3
import sys

path, tenant = sys.argv[1], sys.argv[2]
db = sqlite3.connect(path)
tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
for table in tables:
    columns = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
    if "tenant" in columns:
        db.execute(f'UPDATE "{table}" SET tenant = ? WHERE tenant IS NOT NULL', (tenant,))
db.commit()
db.close()
