#!/usr/bin/env python3
"""mta_band REPORT.html - the MTA bands of an HTML report as text, to
compare with SQL. For each incident section (h3 with an id) that has a band
(svg class "mta"), one line per day with MTA data:

    SUBJECT DAY ATTEMPTS DELIVERED THROTTLED BLOCKED CODE CLASS

CODE is "-" without a block answer; CLASS is the day cell's class (none,
throttled, blocked). Then, on stderr-free summary lines starting with "#":
charts, bands, cells per band. A cell whose visible counts differ from its
tooltip, or a band without one cell per chart day, prints a "BAD" line."""
import re
import sys
import xml.etree.ElementTree as ET

XH = '{http://www.w3.org/1999/xhtml}'
SVG = '{http://www.w3.org/2000/svg}'
DAYS = 60
TITLE = re.compile(r'^(\d{4}-\d\d-\d\d): (?:no MTA data|(\d+) attempts, '
                   r'(\d+) delivered, (\d+) throttled, (\d+) blocked'
                   r'(?: \((\S+)\))?)$')


def short(v):
    """the cell's visible count, as out_html_mta.c's short_count"""
    if v < 100000:
        return str(v)
    if v < 10000000:
        return '%dk' % (v // 1000)
    return '%dM' % (v // 1000000)


def main(path):
    body = ET.parse(path).getroot().find(XH + 'body')
    subject, charts, bands, out = None, 0, [], []
    for el in body:
        if el.tag == XH + 'h3' and el.get('id'):
            subject = el.text.split()[1]
        elif el.tag == SVG + 'svg' and el.get('class') == 'chart':
            charts += 1
        elif el.tag == SVG + 'svg' and el.get('class') == 'mta':
            cells = el.findall(SVG + 'g')
            bands.append('%s:%d' % (subject, len(cells)))
            if len(cells) != DAYS:
                out.append('BAD %s: %d cells' % (subject, len(cells)))
            for g in cells:
                m = TITLE.match(g.find(SVG + 'title').text)
                cls = g.get('class').split()
                if not m or cls[0] != 'mta-day':
                    out.append('BAD %s: cell %r' % (subject, cls))
                    continue
                if m.group(2) is None:
                    if cls[1] != 'nodata':
                        out.append('BAD %s %s: %s without data'
                                   % (subject, m.group(1), cls[1]))
                    continue
                n = [int(x) for x in m.group(2, 3, 4, 5)]
                texts = [t.text for t in g.findall(SVG + 'text')]
                shown = [short(v) for v in n[2:] if v > 0]
                if texts != shown:
                    out.append('BAD %s %s: shows %s, tooltip %s'
                               % (subject, m.group(1), texts, shown))
                out.append(' '.join([subject, m.group(1)] + [str(x) for x in n]
                                    + [m.group(6) or '-', cls[1]]))
    for line in out:
        print(line)
    print('# charts %d' % charts)
    print('# bands %d %s' % (len(bands), ' '.join(bands)))


if __name__ == '__main__':
    main(sys.argv[1])
