#!/usr/bin/env python3
"""test_grafana_provisioning [SRC] - the Grafana provisioning files of
cron/grafana/provisioning against the fields Grafana's provisioning
requires (apiVersion 1; a data source's name, type, access, uid; a
provider's name, type "file" and options.path), with no unknown key (a
misspelt key is silently ignored by Grafana) and no password in clear. The
data source connects as repwatch_reader with the password read from a file
($__file{}); the dashboard provider points where CMake installs
sql/grafana/repwatch.json; every data source reference of that dashboard
(panels, their targets, template variables, annotations) names the
provisioned uid and type; its panels have unique ids and do not overlap
on the 24-column grid. Then each check is shown to fail on a broken copy.
Prints ok/FAIL lines; exit 1 on a failure, 77 without python3-yaml."""
import copy
import json
import os
import re
import sys

try:
    import yaml
except ImportError:
    print('skip - no python3-yaml (scripts/setup.sh installs it)')
    sys.exit(77)

SRC = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('REPWATCH_SRC', '.')
PROV = os.path.join(SRC, 'cron', 'grafana', 'provisioning')
DS_FILE = os.path.join(PROV, 'datasources', 'repwatch.yaml')
DB_FILE = os.path.join(PROV, 'dashboards', 'repwatch.yaml')
DASHBOARD = os.path.join(SRC, 'sql', 'grafana', 'repwatch.json')
PASSWORD_FILE = '/etc/repwatch/grafana-reader.password'

# the keys of Grafana's provisioning file formats (apiVersion 1)
DS_KEYS = {'name', 'type', 'access', 'orgId', 'uid', 'url', 'user',
           'database', 'basicAuth', 'basicAuthUser', 'withCredentials',
           'isDefault', 'jsonData', 'secureJsonData', 'version', 'editable',
           'correlations'}
DS_CLEAR_SECRETS = {'password', 'basicAuthPassword'}
PG_JSON_KEYS = {'database', 'sslmode', 'postgresVersion', 'timescaledb',
                'maxOpenConns', 'maxIdleConns', 'maxIdleConnsAuto',
                'connMaxLifetime', 'tlsAuth', 'tlsAuthWithCACert',
                'tlsConfigurationMethod', 'sslRootCertFile', 'sslCertFile',
                'sslKeyFile', 'timeInterval'}
PROVIDER_KEYS = {'name', 'orgId', 'folder', 'folderUid', 'type',
                 'disableDeletion', 'updateIntervalSeconds',
                 'allowUiUpdates', 'options'}
PROVIDER_OPTION_KEYS = {'path', 'foldersFromFilesStructure'}


def only_entry(doc, key):
    """(the one entry of list KEY of a provisioning document, []) or
    (None, [error])"""
    if not isinstance(doc, dict) or doc.get('apiVersion') != 1:
        return None, [f'{key}: apiVersion must be 1']
    entries = doc.get(key)
    if not isinstance(entries, list) or len(entries) != 1 or \
            not isinstance(entries[0], dict):
        return None, [f'{key}: one entry expected']
    return entries[0], []


def check_datasources(doc):
    """errors of a data source provisioning document"""
    ds, err = only_entry(doc, 'datasources')
    if ds is None:
        return err
    for k in sorted(set(ds) - DS_KEYS - DS_CLEAR_SECRETS):
        err.append(f'datasource: unknown key {k}')
    for k in sorted(set(ds) & DS_CLEAR_SECRETS):
        err.append(f'datasource: {k} in clear text')
    for k in ('name', 'type', 'access', 'uid', 'url', 'user'):
        if not isinstance(ds.get(k), str) or not ds[k]:
            err.append(f'datasource: {k} missing')
    if ds.get('access') not in ('proxy', 'direct'):
        err.append('datasource: access must be proxy or direct')
    if ds.get('type') != 'grafana-postgresql-datasource':
        err.append(f'datasource: type {ds.get("type")!r} is not PostgreSQL')
    if ds.get('user') != 'repwatch_reader':
        err.append(f'datasource: user {ds.get("user")!r}, want repwatch_reader')
    if ds.get('uid') and not re.fullmatch(r'[A-Za-z0-9_-]{1,40}', ds['uid']):
        err.append('datasource: uid must be 1..40 of [A-Za-z0-9_-]')
    jd = ds.get('jsonData')
    if not isinstance(jd, dict) or not jd.get('database'):
        err.append('datasource: jsonData.database missing')
    else:
        for k in sorted(set(jd) - PG_JSON_KEYS):
            err.append(f'datasource: unknown jsonData key {k}')
    sj = ds.get('secureJsonData')
    pw = sj.get('password') if isinstance(sj, dict) else None
    if pw != f'$__file{{{PASSWORD_FILE}}}':
        err.append(f'datasource: secureJsonData.password must be '
                   f'$__file{{{PASSWORD_FILE}}}, is {pw!r}')
    return err


def install_dir():
    """where CMakeLists.txt installs sql/grafana/repwatch.json (prefix /usr)"""
    with open(os.path.join(SRC, 'CMakeLists.txt'), encoding='utf-8') as f:
        text = f.read()
    m = re.search(r'install\(FILES\s+sql/grafana/repwatch\.json\s+'
                  r'DESTINATION\s+\$\{CMAKE_INSTALL_DATADIR\}/(\S+?)\)', text)
    return '/usr/share/' + m.group(1) if m else None


def check_dashboards(doc, want_dir):
    """errors of a dashboard provider document"""
    p, err = only_entry(doc, 'providers')
    if p is None:
        return err
    for k in sorted(set(p) - PROVIDER_KEYS):
        err.append(f'provider: unknown key {k}')
    if not isinstance(p.get('name'), str) or not p['name']:
        err.append('provider: name missing')
    if p.get('type') != 'file':
        err.append('provider: type must be file')
    opts = p.get('options')
    if not isinstance(opts, dict) or not isinstance(opts.get('path'), str):
        return err + ['provider: options.path missing']
    for k in sorted(set(opts) - PROVIDER_OPTION_KEYS):
        err.append(f'provider: unknown options key {k}')
    path = opts['path'].rstrip('/')
    if want_dir is None:
        err.append('CMakeLists.txt installs no sql/grafana/repwatch.json')
    elif path not in (want_dir, want_dir + '/repwatch.json'):
        err.append(f'provider: options.path {path} is not where the '
                   f'dashboard is installed ({want_dir}/repwatch.json)')
    for k, t in (('updateIntervalSeconds', int), ('disableDeletion', bool),
                 ('allowUiUpdates', bool)):
        if k in p and not isinstance(p[k], t):
            err.append(f'provider: {k} must be {t.__name__}')
    return err


def refs(dash):
    """(where, datasource) of every data source reference of a dashboard"""
    out = []

    def panels(ps, where):
        for p in ps or []:
            w = f'{where} panel {p.get("id")} "{p.get("title", "")}"'
            if p.get('type') != 'row' or 'datasource' in p:
                out.append((w, p.get('datasource')))
            for t in p.get('targets') or []:
                out.append((f'{w} target {t.get("refId")}',
                            t.get('datasource', p.get('datasource'))))
            panels(p.get('panels'), w)

    panels(dash.get('panels'), 'dashboard')
    for v in (dash.get('templating') or {}).get('list') or []:
        if v.get('type') == 'query':
            out.append((f'variable {v.get("name")}', v.get('datasource')))
    for a in (dash.get('annotations') or {}).get('list') or []:
        if not a.get('builtIn'):
            out.append((f'annotation {a.get("name")}', a.get('datasource')))
    return out


def check_layout(dash):
    """errors of the panel grid: ids unique, each panel inside the 24
    columns, no two panels overlapping (Grafana would move them)"""
    err, seen, boxes = [], set(), []
    for p in dash.get('panels') or []:
        where = f'panel {p.get("id")} "{p.get("title", "")}"'
        if p.get('id') in seen:
            err.append(f'{where}: id used twice')
        seen.add(p.get('id'))
        g = p.get('gridPos') or {}
        try:
            x, y, w, h = (int(g[k]) for k in 'xywh')
        except (KeyError, TypeError, ValueError):
            err.append(f'{where}: no gridPos')
            continue
        if x < 0 or y < 0 or w <= 0 or h <= 0 or x + w > 24:
            err.append(f'{where}: gridPos {g} outside the 24 columns')
        for other, (ox, oy, ow, oh) in boxes:
            if x < ox + ow and ox < x + w and y < oy + oh and oy < y + h:
                err.append(f'{where}: overlaps {other}')
        boxes.append((where, (x, y, w, h)))
    return err


def check_dashboard(dash, uid, dstype):
    err = check_layout(dash)
    rs = refs(dash)
    if not rs:
        err.append('dashboard: no data source reference at all')
    for where, ds in rs:
        if not isinstance(ds, dict):
            err.append(f'{where}: data source {ds!r} is not a uid reference')
        elif ds.get('uid') != uid or ds.get('type') != dstype:
            err.append(f'{where}: data source {ds.get("type")}/'
                       f'{ds.get("uid")}, want {dstype}/{uid}')
    return err, len(rs)


def main():
    fails = 0

    def report(name, errors):
        nonlocal fails
        if errors:
            fails += 1
            print(f'FAIL - {name}')
            for e in errors:
                print(f'  {e}')
        else:
            print(f'ok - {name}')

    with open(DS_FILE, encoding='utf-8') as f:
        ds_doc = yaml.safe_load(f)
    with open(DB_FILE, encoding='utf-8') as f:
        db_doc = yaml.safe_load(f)
    with open(DASHBOARD, encoding='utf-8') as f:
        dash = json.load(f)
    want_dir = install_dir()

    report('datasources/repwatch.yaml', check_datasources(ds_doc))
    report('dashboards/repwatch.yaml', check_dashboards(db_doc, want_dir))
    try:
        ds = ds_doc['datasources'][0]
        uid, dstype = ds['uid'], ds['type']
    except (KeyError, IndexError, TypeError):
        uid, dstype = None, None
    err, n = check_dashboard(dash, uid, dstype)
    report(f'{n} data source references of repwatch.json name '
           f'{dstype}/{uid}', err)

    # each check must be able to fail: broken copies
    def broken_ds(change):
        d = copy.deepcopy(ds_doc)
        change(d['datasources'][0])
        return check_datasources(d)

    def broken_db(change):
        d = copy.deepcopy(db_doc)
        change(d['providers'][0])
        return check_dashboards(d, want_dir)

    def broken_dash(change):
        d = copy.deepcopy(dash)
        change(d)
        return check_dashboard(d, uid, dstype)[0]

    def first_target(d):
        return next(p for p in d['panels'] if p.get('targets'))['targets'][0]

    cases = [
        ('apiVersion 2', check_datasources(dict(ds_doc, apiVersion=2))),
        ('two providers', check_dashboards(
            dict(db_doc, providers=db_doc['providers'] * 2), want_dir)),
        ('data source without a name', broken_ds(lambda d: d.pop('name'))),
        ('misspelt key', broken_ds(lambda d: d.update(jsonDate={}))),
        ('password in clear', broken_ds(lambda d: d.update(password='x'))),
        ('password not from the file', broken_ds(
            lambda d: d['secureJsonData'].update(password='x'))),
        ('another user', broken_ds(lambda d: d.update(user='postgres'))),
        ('no database', broken_ds(lambda d: d['jsonData'].pop('database'))),
        ('provider of another type', broken_db(lambda p: p.update(type='x'))),
        ('provider path elsewhere', broken_db(
            lambda p: p['options'].update(path='/var/lib/grafana'))),
        ('panel with another uid', broken_dash(
            lambda d: d['panels'][-1]['datasource'].update(uid='other'))),
        ('target with an import variable', broken_dash(
            lambda d: first_target(d)['datasource'].update(
                uid='${DS_REPWATCH}'))),
        ('two panels with one id', broken_dash(
            lambda d: d['panels'][-1].update(id=d['panels'][0]['id']))),
        ('overlapping panels', broken_dash(
            lambda d: d['panels'][-1]['gridPos'].update(
                d['panels'][-2]['gridPos']))),
        ('variable by name', broken_dash(
            lambda d: d['templating']['list'][0].update(
                datasource='repwatch'))),
    ]
    for name, errors in cases:
        if errors:
            print(f'ok - caught: {name} ({errors[0]})')
        else:
            fails += 1
            print(f'FAIL - not caught: {name}')
    print(f'{3 + len(cases) - fails} passed, {fails} failed')
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
