#!/usr/bin/env python3
"""check_prom FILE - check a Prometheus text-format file line by line:
HELP then TYPE before a family's samples, one family block each,
conventional names (repwatch_ prefix, snake case, counters end in _total,
_seconds/_ratio units), well-formed labels, float values. Exit 1 with the
offending line on the first error."""
import math
import re
import sys

NAME = re.compile(r'^repwatch_[a-z][a-z0-9_]*$')
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r'^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)'
                    r'(?:\{(?P<labels>' + LABEL + r'(?:,' + LABEL + r')*)\})?'
                    r' (?P<value>\S+)$')


def fail(n, line, why):
    print(f"line {n}: {why}: {line!r}")
    sys.exit(1)


def main(path):
    helped, typed, seen_done = {}, {}, set()
    current = None
    samples = 0
    with open(path, encoding='utf-8') as f:
        text = f.read()
    if not text.endswith('\n'):
        fail(0, text[-40:], 'no final newline')
    for n, line in enumerate(text.split('\n')[:-1], 1):
        if line.startswith('# HELP '):
            parts = line.split(' ', 3)
            if len(parts) < 4 or not parts[3].strip():
                fail(n, line, 'HELP without text')
            name = parts[2]
            if not NAME.match(name):
                fail(n, line, 'bad metric name')
            if name in helped:
                fail(n, line, 'family repeated')
            if current is not None:
                seen_done.add(current)
            helped[name] = n
            current = name
        elif line.startswith('# TYPE '):
            parts = line.split(' ')
            if len(parts) != 4 or parts[2] != current:
                fail(n, line, 'TYPE must follow its HELP')
            kind = parts[3]
            if kind not in ('gauge', 'counter'):
                fail(n, line, 'unexpected type')
            if (kind == 'counter') != current.endswith('_total'):
                fail(n, line, 'counters, and only counters, end in _total')
            typed[current] = kind
        elif line.startswith('#') or not line:
            fail(n, line, 'stray comment or blank line')
        else:
            m = SAMPLE.match(line)
            if not m:
                fail(n, line, 'malformed sample')
            name = m.group('name')
            if name != current or name not in typed:
                fail(n, line, 'sample outside its family block')
            try:
                v = float(m.group('value'))
            except ValueError:
                fail(n, line, 'value is not a number')
            if math.isnan(v):
                fail(n, line, 'NaN value')
            if name.endswith('_ratio') and not 0 <= v <= 1:
                fail(n, line, 'ratio outside 0..1')
            if 'timestamp' in name and not name.endswith('_seconds'):
                fail(n, line, 'timestamps are in seconds')
            samples += 1
    print(f"{len(helped)} families, {samples} samples ok")


if __name__ == '__main__':
    main(sys.argv[1])
