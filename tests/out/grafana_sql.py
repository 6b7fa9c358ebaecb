#!/usr/bin/env python3
"""grafana_sql DASHBOARD DBNAME - run every SQL query of a Grafana dashboard
(panel targets, template variables, annotations) against DBNAME as the role
repwatch_reader, with Grafana's PostgreSQL macros and the template variables
replaced the way Grafana replaces them. Fails when a query errors, leaves a
macro unexpanded, returns no row on the sample data, or a time series lacks
its "time" column."""
import csv
import io
import json
import re
import subprocess
import sys

FROM, TO = '2026-06-16T00:00:00Z', '2026-08-15T00:00:00Z'
VARS = {'ip': "'192.0.2.50','198.51.100.21'",
        'mta_ip': "'192.0.2.50','198.51.100.22'"}
INTERVALS = {'1m': 60, '1h': 3600, '1d': 86400, '7d': 604800}


def args_of(text, start):
    """the balanced argument text of a macro call starting at text[start]"""
    depth, i = 0, start
    while i < len(text):
        if text[i] == '(':
            depth += 1
        elif text[i] == ')':
            depth -= 1
            if depth == 0:
                return text[start + 1:i], i + 1
        i += 1
    raise ValueError('unbalanced macro call')


def split_args(a):
    parts, depth, cur = [], 0, ''
    for ch in a:
        if ch == ',' and depth == 0:
            parts.append(cur.strip())
            cur = ''
            continue
        depth += ch == '('
        depth -= ch == ')'
        cur += ch
    parts.append(cur.strip())
    return parts


def time_group(args, alias):
    col = args[0]
    secs = INTERVALS[args[1].strip("'")]
    out = f'floor(extract(epoch from {col})/{secs})*{secs}'
    return out + (' AS "time"' if alias else '')


def expand(sql):
    macros = {
        '$__timeFilter': lambda a: f"{a[0]} BETWEEN '{FROM}' AND '{TO}'",
        '$__timeFrom': lambda a: f"'{FROM}'",
        '$__timeTo': lambda a: f"'{TO}'",
        '$__timeGroupAlias': lambda a: time_group(a, True),
        '$__timeGroup': lambda a: time_group(a, False),
    }
    for name in sorted(macros, key=len, reverse=True):
        while True:
            i = sql.find(name + '(')
            if i < 0:
                break
            inner, end = args_of(sql, i + len(name))
            sql = sql[:i] + macros[name](split_args(inner)) + sql[end:]
    for var, val in VARS.items():
        sql = re.sub(r'\$\{' + var + r'(:[a-z]+)?\}|\[\[' + var + r'\]\]|\$'
                     + var + r'\b', val, sql)
    if re.search(r'\$__|\$\{?[A-Za-z_]', sql):
        raise ValueError('unexpanded macro or variable')
    return sql


def queries(dash):
    for p in dash.get('panels', []):
        for t in p.get('targets', []):
            yield (f"panel {p['id']} \"{p['title']}\"", p['type'],
                   t.get('format'), t['rawSql'])
    for v in dash.get('templating', {}).get('list', []):
        if isinstance(v.get('query'), str) and v.get('type') == 'query':
            yield f"variable ${v['name']}", 'variable', 'table', v['query']
    for a in dash.get('annotations', {}).get('list', []):
        if 'target' in a:
            yield (f"annotation \"{a['name']}\"", 'annotation', 'table',
                   a['target']['rawSql'])


def run(db, sql):
    r = subprocess.run(['psql', '-X', '-q', '--csv', '-v', 'ON_ERROR_STOP=1',
                        '-d', db, '-c', 'SET ROLE repwatch_reader',
                        '-c', sql], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip())
    rows = list(csv.reader(io.StringIO(r.stdout)))
    return rows[0] if rows else [], rows[1:]


def main(path, db):
    dash = json.load(open(path))
    failed = n = 0
    for what, kind, fmt, sql in queries(dash):
        n += 1
        try:
            head, rows = run(db, expand(sql))
            if not rows:
                raise RuntimeError('no row on the sample data')
            if fmt == 'time_series' and head[:1] != ['time']:
                raise RuntimeError(f'first column {head[:1]}, want time')
            print(f'ok - {what}: {len(rows)} rows')
        except (RuntimeError, ValueError) as e:
            failed += 1
            print(f'FAIL - {what}: {e}')
    print(f'{n - failed} passed, {failed} failed')
    return 1 if failed or n == 0 else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))
