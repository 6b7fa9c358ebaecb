"""ms_chain - realistic header blocks of mail that Outlook.com / Microsoft 365
received, for the generators (tests/bench/arf_gen.py, data/sample/
generate_maildir.py).

What it models, from the real chains in tests/fixtures/arf/ms-chains
(see SOURCES.md there):

- newest first: one to five Microsoft hops above the edge (the mailbox
  delivery hop "(::1) ... with HTTPS" of Outlook.com copies, mailbox and
  client-access servers such as SA3PR19MB7370.namprd19.prod.outlook.com /
  BN0PR03CA0023.namprd03.prod.outlook.com with 2603:10b6::/32 (NAM) or
  2603:10a6::/32 (EUR) addresses, the frontend *.eop-nam11.prod.protection.
  outlook.com (2603:10b6:...:cafe::xx), an occasional *.prod.exchangelabs.com
  hop and older hops with 10.x addresses);
- the witnesses in the order real mail has them: for an Outlook.com
  (consumer) copy Authentication-Results "sender IP is", Received-SPF
  (client-ip=, or only prose, or none), the edge hop, later X-Sender-IP and
  X-MS-Exchange-CrossTenant-*; for a Microsoft 365 (tenant) copy
  ARC-Seal / ARC-Message-Signature / ARC-Authentication-Results (mx.microsoft
  .com, "sender ip is" folded), X-MS-Exchange-Authentication-Results,
  Received-SPF, the edge, and later X-Forefront-Antispam-Report CIP: and
  X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp;
- the edge: "from HELO (IP) by XXXNAM11FT066.mail.protection.outlook.com
  (10.13.x.x)", where IP is the sender's address (IPv4 or IPv6);
- decoys: sender-side hops below the edge with private and public
  addresses (Postfix, Exim, sendmail with version strings such as
  8.16.1.2/8.16.1.2), X-Originating-IP with a webmail client's address,
  X-Forefront-Antispam-Report-Untrusted: CIP:255.255.255.255 and
  X-Microsoft-Antispam-Untrusted, Received-SPF without client-ip=.

The sending IP to attribute is always `sender_ip`: no decoy equals it.
Everything random comes from the `rnd` passed in, so a caller that needs
its other draws unchanged gives this module its own random.Random.
"""
import datetime as dt

CIPHER = "cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"


def _date(t):
    return t.strftime("%a, %-d %b %Y %H:%M:%S +0000")


def _hexw(rnd):
    return "%x" % rnd.randint(1, 0xfff)


class _Region:
    def __init__(self, rnd):
        self.eur = rnd.random() < 0.3
        self.prefix = "2603:10a6" if self.eur else "2603:10b6"
        self.prd = ("eurprd%02d" if self.eur else "namprd%02d") % rnd.choice(
            [2, 3, 4, 5, 7, 10, 11, 12, 13, 19, 20])
        self.eop = ("eop-eur%02d" if self.eur else "eop-nam%02d") % rnd.randint(1, 12)

    def v6(self, rnd, cafe=False):
        """2603:10b6:408:e6::28, or 2603:10b6:408:e6:cafe::23 (frontend)"""
        mid = "%s:%s" % (_hexw(rnd), _hexw(rnd))
        if cafe:
            return "%s:%s:cafe::%s" % (self.prefix, mid, _hexw(rnd))
        return "%s:%s::%s" % (self.prefix, mid, _hexw(rnd))


def _host(rnd, kind):
    l2 = "".join(rnd.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(2))
    if kind == "MB":
        return "%s%dPR%02dMB%04d" % (l2, rnd.randint(0, 9), rnd.randint(1, 21),
                                      rnd.randint(1000, 9999))
    if kind == "CA":
        return "%s%dPR%02dCA%04d" % (l2, rnd.randint(0, 9), rnd.randint(1, 21),
                                      rnd.randint(1, 999))
    if kind == "PEPF":
        return "%s%dPEPF%08X" % (l2, rnd.randint(1, 9), rnd.randint(0, 0xffffff))
    return "%s%dNAM%02dFT%03d" % (l2, rnd.randint(1, 9), rnd.randint(1, 12),
                                   rnd.randint(1, 120))


def _mstime(rnd):
    return "id 15.20.%d.%d" % (rnd.randint(6000, 9999), rnd.randint(1, 40))


def chain(rnd, sender_ip, helo, domain, when, tenant=False, hops=None,
          decoy_nets=("192.0.2.", "198.51.100.", "203.0.113."), avoid=()):
    """Return (top, bottom): the header lines above and including the edge
    hop and the sender-side hops below it, and the lines the provider adds
    after the sender's own headers. `when` is the edge arrival time (UTC
    datetime); public decoys are drawn from `decoy_nets`, never sender_ip
    nor an address in `avoid` (the caller's other senders)."""
    nets = (tuple(decoy_nets), frozenset(avoid) | {sender_ip})
    reg = _Region(rnd)
    hops = hops or rnd.choices([1, 2, 3, 4, 5], weights=[10, 25, 45, 15, 5])[0]
    pepf = rnd.random() < 0.5
    ft = _host(rnd, "PEPF" if pepf else "FT")
    ft_fqdn = "%s.%s.prod.outlook.com" % (ft, reg.prd) if pepf else \
        "%s.%s.prod.protection.outlook.com" % (ft, reg.eop)
    edge_addr = "10.%d.%d.%d" % (rnd.choice([13, 152, 167, 233]),
                                 rnd.randint(0, 255), rnd.randint(1, 254))
    ca = _host(rnd, "CA")
    ca_v6 = reg.v6(rnd)
    lines = []
    # hops above the edge, oldest (just above the edge) first; reversed below
    above = []
    t = when
    t += dt.timedelta(seconds=rnd.randint(0, 1))
    above.append(
        "Received: from %s\n (%s) by %s.outlook.office365.com\n (%s) with "
        "Microsoft SMTP Server (version=TLS1_2,\n %s) %s via Frontend\n "
        "Transport; %s" % (ft_fqdn, reg.v6(rnd, cafe=True), ca, ca_v6, CIPHER,
                           _mstime(rnd), _date(t)))
    prev, prev_v6 = "%s.%s.prod.outlook.com" % (ca, reg.prd), ca_v6
    for i in range(1, hops):
        t += dt.timedelta(seconds=rnd.randint(0, 2))
        if i == hops - 1 and not tenant and hops >= 3:
            # the Outlook.com mailbox delivery hop
            mbx = "%s.%s.prod.outlook.com" % (_host(rnd, "MB"), reg.prd)
            above.append("Received: from %s (::1) by\n %s with HTTPS; %s"
                         % (prev, mbx, _date(t)))
            break
        if rnd.random() < 0.15:
            nxt = "%s.%s.prod.exchangelabs.com" % (_host(rnd, "CA"), reg.prd)
        elif rnd.random() < 0.1:
            nxt = "%s.%s.prod.outlook.com" % (_host(rnd, "MB"), reg.prd)
            v4 = "10.%d.%d.%d" % (rnd.randint(0, 255), rnd.randint(0, 255),
                                  rnd.randint(1, 254))
            above.append("Received: from %s (%s) by\n %s (10.%d.%d.%d) with "
                         "Microsoft SMTP\n Server (version=TLS1_2, %s) %s; %s"
                         % (prev, v4, nxt, rnd.randint(0, 255),
                            rnd.randint(0, 255), rnd.randint(1, 254), CIPHER,
                            _mstime(rnd), _date(t)))
            prev, prev_v6 = nxt, reg.v6(rnd)
            continue
        else:
            nxt = "%s.%s.prod.outlook.com" % (_host(rnd, "MB"), reg.prd)
        nxt_v6 = reg.v6(rnd)
        above.append("Received: from %s (%s)\n by %s (%s) with\n Microsoft SMTP "
                     "Server (version=TLS1_2,\n %s) %s; %s"
                     % (prev, prev_v6, nxt, nxt_v6, CIPHER, _mstime(rnd),
                        _date(t)))
        prev, prev_v6 = nxt, nxt_v6
    spf_kind = rnd.choices(["pass", "none", "softfail"], weights=[80, 15, 5])[0]
    if tenant:
        lines.append("ARC-Seal: i=1; a=rsa-sha256; s=arcselector10001; "
                     "d=microsoft.com; cv=none;\n b=%s==" % _b64(rnd, 80))
        lines.append("ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; "
                     "d=microsoft.com;\n s=arcselector10001;\n h=From:Date:Subject:"
                     "Message-ID:Content-Type:MIME-Version;\n bh=%s=;\n b=%s=="
                     % (_b64(rnd, 43), _b64(rnd, 80)))
        lines.append("ARC-Authentication-Results: i=1; mx.microsoft.com 1; "
                     "spf=%s (sender ip is\n %s) smtp.rcpttodomain=outlook.com "
                     "smtp.mailfrom=%s;\n dmarc=pass action=none header.from=%s; "
                     "dkim=pass (signature was verified)\n header.d=%s; arc=none"
                     % (spf_kind, sender_ip, domain, domain, domain))
    lines.extend(reversed(above))
    auth = "X-MS-Exchange-Authentication-Results" if tenant else "Authentication-Results"
    lines.append("%s: spf=%s (sender IP is %s)\n smtp.mailfrom=%s; dkim=pass "
                 "(signature was verified)\n header.d=%s;dmarc=pass action=none"
                 "\n header.from=%s;compauth=pass reason=100"
                 % (auth, spf_kind, sender_ip, domain, domain, domain))
    if spf_kind == "pass":
        lines.append("Received-SPF: Pass (protection.outlook.com: domain of %s\n "
                     "designates %s as permitted sender)\n receiver=protection."
                     "outlook.com; client-ip=%s;\n helo=%s; pr=C"
                     % (domain, sender_ip, sender_ip, helo))
    elif spf_kind == "none":
        lines.append("Received-SPF: None (protection.outlook.com: %s does not\n "
                     "designate permitted sender hosts)" % domain)
    else:
        lines.append("Received-SPF: SoftFail (protection.outlook.com: domain of "
                     "transitioning\n %s discourages use of %s as permitted "
                     "sender)" % (domain, sender_ip))
    edge_by = ("%s.mail.protection.outlook.com" % ft)
    lines.append("Received: from %s (%s) by\n %s (%s) with Microsoft SMTP\n "
                 "Server (version=TLS1_2, %s) %s\n via Frontend Transport; %s"
                 % (helo, sender_ip, edge_by, edge_addr, CIPHER, _mstime(rnd),
                    _date(when)))
    if not tenant:
        lines.append("X-IncomingTopHeaderMarker:\n OriginalChecksum:%064X;"
                     "SizeAsReceived:%d;Count:%d"
                     % (rnd.getrandbits(256), rnd.randint(300, 3000),
                        rnd.randint(8, 24)))
    lines.extend(_below_edge(rnd, sender_ip, helo, domain, when, nets))
    bottom = _bottom(rnd, sender_ip, helo, domain, when, ft, ft_fqdn, tenant,
                     nets)
    return "\n".join(lines) + "\n", bottom


def _b64(rnd, n):
    a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return "".join(rnd.choice(a) for _ in range(n))


def _decoy_public(rnd, sender_ip, nets):
    """a public (documentation) address that is neither the sender's nor
    one to avoid; nets is (prefixes, addresses to avoid)"""
    prefixes, avoid = nets
    while True:
        ip = "%s%d" % (rnd.choice(prefixes), rnd.randint(1, 254))
        if ip not in avoid:
            return ip


def _below_edge(rnd, sender_ip, helo, domain, when, nets):
    """sender-side hops below the edge: none, private, public, sendmail"""
    out = []
    t = when - dt.timedelta(seconds=rnd.randint(1, 5))
    shape = rnd.choices(["none", "postfix", "sendmail", "exim", "two"],
                        weights=[25, 30, 20, 10, 15])[0]
    priv = "10.%d.%d.%d" % (rnd.randint(0, 255), rnd.randint(0, 255),
                            rnd.randint(1, 254))
    pub = _decoy_public(rnd, sender_ip, nets)
    if shape in ("postfix", "two"):
        out.append("Received: from app%d.%s (app%d.%s [%s])\n\tby %s (Postfix) "
                   "with ESMTP id 4R%X\n\tfor <*****@outlook.com>; %s"
                   % (rnd.randint(1, 9), domain, rnd.randint(1, 9), domain, priv,
                      helo, rnd.getrandbits(40), _date(t)))
        t -= dt.timedelta(seconds=rnd.randint(1, 30))
    if shape in ("sendmail", "two"):
        ver = rnd.choice(["8.16.1.2/8.16.1.2", "8.15.2/8.15.2",
                          "8.17.1.19/8.17.1.19", "8.14.7/8.14.7"])
        src = pub if rnd.random() < 0.5 else "172.16.%d.%d" % (
            rnd.randint(0, 255), rnd.randint(1, 254))
        out.append("Received: from queue%d.%s (queue%d.%s [%s])\n\tby %s (%s) "
                   "with ESMTP id %X;\n\t%s"
                   % (rnd.randint(1, 4), domain, rnd.randint(1, 4), domain, src,
                      helo if shape == "sendmail" else "app.%s" % domain, ver,
                      rnd.getrandbits(48), _date(t)))
    if shape == "exim":
        out.append("Received: from [%s] (helo=webmail.%s)\n\tby %s with esmtpsa "
                   "(TLS1.3) (Exim 4.96)\n\t(envelope-from <bounce@%s>)\n\tid "
                   "1q%X; %s" % (pub, domain, helo, domain, rnd.getrandbits(32),
                                 _date(t)))
    return out


def _bottom(rnd, sender_ip, helo, domain, when, ft, ft_fqdn, tenant, nets):
    """fields the provider adds after the sender's own headers"""
    out = []
    if rnd.random() < 0.2:
        out.append("X-Originating-IP: [%s]" % _decoy_public(rnd, sender_ip, nets))
    if rnd.random() < 0.15:
        out.append("X-Microsoft-Antispam-Untrusted: BCL:0;")
        out.append("X-Forefront-Antispam-Report-Untrusted: CIP:255.255.255.255;"
                   "CTRY:;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:%s;PTR:;"
                   "CAT:NONE;DIR:OUT;SFP:1101;" % helo)
    arrival = when.strftime("%d %b %Y %H:%M:%S.") + "%04d" % rnd.randint(0, 9999)
    tenant_id = "%08x-%04x-%04x-%04x-%012x" % (
        rnd.getrandbits(32), rnd.getrandbits(16), rnd.getrandbits(16),
        rnd.getrandbits(16), rnd.getrandbits(48))
    if tenant:
        out.append("X-MS-Exchange-AntiSpam-Relay: 0")
        out.append("X-Forefront-Antispam-Report:\n\tCIP:%s;CTRY:US;LANG:en;SCL:1;"
                   "SRV:;IPV:NLI;SFV:NSPM;H:%s;PTR:%s;CAT:NONE;DIR:INB;"
                   % (sender_ip, helo, helo))
        out.append("X-MS-Exchange-CrossTenant-OriginalArrivalTime: %s\n (UTC)"
                   % arrival)
        out.append("X-MS-Exchange-CrossTenant-Id: %s" % tenant_id)
        out.append("X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp: "
                   "TenantId=%s;Ip=[%s];Helo=[%s]" % (tenant_id, sender_ip, helo))
        out.append("X-MS-Exchange-CrossTenant-AuthSource:\n\t%s" % ft_fqdn)
        out.append("X-MS-Exchange-CrossTenant-AuthAs: Anonymous")
        out.append("X-MS-Exchange-CrossTenant-FromEntityHeader: Internet")
    else:
        out.append("X-MS-Exchange-Organization-MessageDirectionality: Incoming")
        out.append("X-MS-Exchange-Organization-AuthSource:\n %s" % ft_fqdn)
        out.append("X-MS-Exchange-Organization-AuthAs: Anonymous")
        out.append("X-MS-Exchange-EOPDirect: true")
        out.append("X-Sender-IP: %s" % sender_ip)
        out.append("X-SID-Result: PASS")
        out.append("X-MS-Exchange-CrossTenant-OriginalArrivalTime: %s\n (UTC)"
                   % arrival)
        out.append("X-MS-Exchange-CrossTenant-Id: 84df9e7f-e9f6-40af-b435-"
                   "aaaaaaaaaaaa")
        out.append("X-MS-Exchange-CrossTenant-AuthSource:\n %s" % ft_fqdn)
        out.append("X-MS-Exchange-CrossTenant-FromEntityHeader: Internet")
        out.append("X-Microsoft-Antispam-Mailbox-Delivery:\n\tucf:0;jmr:0;ex:0;"
                   "auth:1;dest:J;OFR:SpamFilterAuthJ;RF:JunkEmail;")
    return "\n".join(out) + "\n"
