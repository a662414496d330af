"""Looks through a SQLite database as a real client (Python's sqlite3), for the
retention tests (RT-2, ID-6):
- `find TEXT`: prints `found <table>.<column>` for each column holding TEXT in a cell;
- `account N`: prints `found <table>.<column>` for each column naming an account
  (`account_id`, `*_account`, `accounts.id`) that holds the id N;
- `schema`: prints `<table> <column> <column>...` for each table.

Usage: db_scan.py DB ACTION [ARG]
"""
import sqlite3
import sys

db, action = sys.argv[1], sys.argv[2]
arg = sys.argv[3] if len(sys.argv) > 3 else None
c = sqlite3.connect(db)
tables = [r[0] for r in c.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
    "AND name NOT LIKE '_sqlx%' ORDER BY name")]
for table in tables:
    columns = [r[1] for r in c.execute(f'PRAGMA table_info("{table}")')]
    if action == "schema":
        print(table, *columns)
        continue
    for column in columns:
        if action == "find":
            hit = c.execute(
                f'SELECT 1 FROM "{table}" WHERE instr(CAST("{column}" AS TEXT), ?) > 0 LIMIT 1',
                (arg,)).fetchone()
        elif action == "account":
            names_account = (column == "account_id" or column.endswith("_account")
                             or (table == "accounts" and column == "id"))
            hit = names_account and c.execute(
                f'SELECT 1 FROM "{table}" WHERE "{column}" = ? LIMIT 1', (int(arg),)).fetchone()
        else:
            sys.exit(f"unknown action {action}")
        if hit:
            print(f"found {table}.{column}")
