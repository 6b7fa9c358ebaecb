/*
 * test_arf_edge - the sending IP of 2026 JMRP reports whose original was
 * received by a provider: hand-made chains modelled on real Exchange
 * Online, Outlook.com, Gmail and Yahoo mailbox copies (Microsoft's hosts
 * and networks as real chains have them, senders on documentation
 * addresses), with one to five provider hops above the edge, re-entry,
 * each decoy of reference arf.md section 7, IPv6 and mapped IPv4
 * senders, own_networks and user-extended provider tables.
 *
 * On the old logic (first public Received address) every case with a
 * provider hop above the edge got the provider's own address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include <glib.h>

#include "arf/arf_infra.h"
#include "arf/arf_json.h"
#include "arf/arf_parse.h"

/* Microsoft's internal hops above the edge, newest first (1 to 4) */
#define MS_MAILBOX \
	"Received: from CH0PR03CA0278.namprd03.prod.outlook.com " \
	"(2603:10b6:610:e6::13)\n by LV8PR12MB9112.namprd12.prod.outlook.com " \
	"(2603:10b6:408:184::17) with\n Microsoft SMTP Server (version=TLS1_2,\n" \
	" cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8769.19; " \
	"Tue, 3 Jun\n 2025 10:00:03 +0000\n"
#define MS_FRONTEND \
	"Received: from CH3PEPF00000016.namprd21.prod.outlook.com\n" \
	" (2603:10b6:610:e6:cafe::79) by CH0PR03CA0278.outlook.office365.com\n" \
	" (2603:10b6:610:e6::13) with Microsoft SMTP Server (version=TLS1_3,\n" \
	" cipher=TLS_AES_256_GCM_SHA384) id 15.20.8769.19 via Frontend " \
	"Transport; Tue,\n 3 Jun 2025 10:00:02 +0000\n"
#define MS_EUR_HOPS \
	"Received: from AM9PR07MB7345.eurprd07.prod.outlook.com\n" \
	"\t(2603:10a6:20b:2d1::9) by DB9PR07MB8717.eurprd07.prod.outlook.com " \
	"with\n\tHTTPS; Wed, 1 Jul 2026 08:12:10 +0000\n" \
	"Received: from AS4P190CA0016.EURP190.PROD.OUTLOOK.COM " \
	"(2603:10a6:20b:5de::6)\n\tby AM9PR07MB7345.eurprd07.prod.outlook.com " \
	"(2603:10a6:20b:2d1::9) with\n\tMicrosoft SMTP Server " \
	"(version=TLS1_2) id 15.20.7633.23; Wed, 1 Jul\n\t2026 08:12:09 +0000\n" \
	"Received: from AMS0EPF000001A0.eurprd05.prod.outlook.com\n" \
	"\t(2603:10a6:20b:5de:cafe::7b) by AS4P190CA0016.outlook.office365.com\n" \
	"\t(2603:10a6:20b:5de::6) with Microsoft SMTP Server id 15.20.7633.23 " \
	"via\n\tFrontend Transport; Wed, 1 Jul 2026 08:12:09 +0000\n" \
	"Received: from DB8EUR06FT012.eop-eur06.prod.protection.outlook.com " \
	"(10.233.253.6)\n\tby AMS0EPF000001A0.mail.protection.outlook.com " \
	"(10.167.16.70) with\n\tMicrosoft SMTP Server id 15.20.7633.23; Wed, " \
	"1 Jul 2026 08:12:08 +0000\n"
#define MS_WITNESSES(ip) \
	"X-MS-Exchange-Authentication-Results: spf=pass (sender IP is " ip ")\n" \
	" smtp.mailfrom=example.com; dkim=pass (signature was verified)\n" \
	" header.d=example.com;dmarc=pass action=none header.from=example.com;\n" \
	"Received-SPF: Pass (protection.outlook.com: domain of example.com " \
	"designates\n " ip " as permitted sender) " \
	"receiver=protection.outlook.com;\n client-ip=" ip "; " \
	"helo=mta7.example.com; pr=C\n"
#define SENDER_BELOW \
	"Received: from app1.internal.example.com (app1.internal.example.com " \
	"[10.1.2.3])\n\tby mta7.example.com (Postfix) with ESMTP id 4F2C1A\n" \
	"\tfor <someone@outlook.com>; Wed, 1 Jul 2026 08:12:06 +0000 (UTC)\n"
#define ORIG_TAIL \
	"From: Example <news@example.com>\nTo: *****@outlook.com\n" \
	"Subject: News\nDate: Wed, 1 Jul 2026 08:12:00 +0000\n" \
	"Message-ID: <n-1@example.com>\n"
#define BOTTOM_WITNESSES(ip) \
	"X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp:\n" \
	" TenantId=84df9e7f-e9f6-40af-b435-aaaaaaaaaaaa;Ip=[" ip "];" \
	"Helo=[mta7.example.com]\n" \
	"X-Forefront-Antispam-Report:\n CIP:" ip ";CTRY:US;LANG:en;SCL:1;" \
	"SRV:;IPV:NLI;SFV:NSPM;H:mta7.example.com;PTR:mta7.example.com;CAT:NONE;\n" \
	" SFS:(13230040)(82310400026);DIR:INB;\n"

static const struct {
	const char *name;
	const char *orig;     /* the original's header block */
	const char *want_ip;
	const char *want_origin;
	const char *want_warning; /* substring, NULL: no disagreement */
	bool inside;          /* the right IP is the provider's own */
} cases[] = {
	{"one Microsoft hop above the edge",
	    MS_MAILBOX
	    "Received: from mta7.example.com (198.51.100.7) by\n"
	    " CH0PR03CA0278.mail.protection.outlook.com (10.167.244.121) with\n"
	    " Microsoft SMTP Server id 15.20.8769.19; Tue, 3 Jun 2025 "
	    "10:00:01 +0000\n" ORIG_TAIL,
	    "198.51.100.7", "received-edge", NULL, false},
	{"three hops, witnesses above and at the bottom agree",
	    MS_MAILBOX MS_FRONTEND MS_WITNESSES("198.51.100.8")
	    "Received: from mta7.example.com (198.51.100.8) by\n"
	    " CH3PEPF00000016.mail.protection.outlook.com (10.167.244.121) "
	    "with Microsoft\n SMTP Server id 15.20.8769.19 via Frontend "
	    "Transport; Tue, 3 Jun 2025 10:00:01 +0000\n"
	    SENDER_BELOW ORIG_TAIL BOTTOM_WITNESSES("198.51.100.8"),
	    "198.51.100.8", "received-edge", NULL, false},
	{"five hops folded with tabs, 2a01:111:f400 front door",
	    MS_EUR_HOPS
	    "Received: from EUR05-DB8-obe.outbound.protection.outlook.com\n"
	    "\t(2a01:111:f400:7e1a::701) by DB8EUR06FT012.mail.protection."
	    "outlook.com\n\t(10.233.253.6) with Microsoft SMTP Server; Wed, 1 "
	    "Jul 2026 08:12:08 +0000\n"
	    "Received: from mta9.example.com (203.0.113.9) by\n"
	    "\tAM6EUR05FT034.mail.protection.outlook.com (10.233.240.148) with "
	    "Microsoft\n\tSMTP Server id 15.20.7633.23 via Frontend Transport; "
	    "Wed, 1 Jul 2026\n\t08:12:07 +0000\n" SENDER_BELOW ORIG_TAIL,
	    "203.0.113.9", "received-edge", NULL, false},
	{"re-entry: the last entry from outside, nearest the top",
	    MS_MAILBOX MS_WITNESSES("198.51.100.77")
	    "Received: from gw.filter.example.net (198.51.100.77) by\n"
	    " CH3PEPF00000016.mail.protection.outlook.com (10.167.244.121) with "
	    "Microsoft\n SMTP Server id 15.20.8769.19; Tue, 3 Jun 2025 "
	    "10:00:02 +0000\n"
	    "Received: from NAM12-DM6-obe.outbound.protection.outlook.com "
	    "(40.107.243.50)\n by gw.filter.example.net with ESMTPS id 77; "
	    "Tue, 3 Jun 2025 10:00:01 +0000\n"
	    "Received: from mta7.example.com (203.0.113.10) by\n"
	    " BN1PEPF00004681.mail.protection.outlook.com (10.167.243.86) with "
	    "Microsoft\n SMTP Server id 15.20.8769.19; Tue, 3 Jun 2025 "
	    "10:00:00 +0000\n" ORIG_TAIL,
	    "198.51.100.77", "received-edge", NULL, false},
	{"decoys: X-Originating-IP, -Untrusted, CIP 255.255.255.255, "
	    "no client-ip",
	    MS_MAILBOX MS_FRONTEND
	    "Received-SPF: TempError (protection.outlook.com: error in "
	    "processing during\n lookup of example.com: DNS Timeout)\n"
	    "Received: from mta7.example.com (198.51.100.12) by\n"
	    " CH3PEPF00000016.mail.protection.outlook.com (10.167.244.121) "
	    "with Microsoft\n SMTP Server id 15.20.8769.19; Tue, 3 Jun 2025 "
	    "10:00:01 +0000\n"
	    "X-Originating-IP: [192.0.2.200]\n" ORIG_TAIL
	    "X-Forefront-Antispam-Report-Untrusted: CIP:192.0.2.201;CTRY:;"
	    "LANG:en;SCL:1;\n"
	    "X-Forefront-Antispam-Report: CIP:255.255.255.255;CTRY:;LANG:en;"
	    "SCL:1;SRV:;\n",
	    "198.51.100.12", "received-edge", NULL, false},
	{"forwarded through Gmail: Google's SPF and results are not witnesses",
	    MS_MAILBOX
	    "Authentication-Results: spf=pass (sender IP is 209.85.220.41)\n"
	    " smtp.mailfrom=gmail.com; dkim=pass header.d=gmail.com;\n"
	    "Received-SPF: Pass (protection.outlook.com: domain of gmail.com "
	    "designates\n 209.85.220.41 as permitted sender)\n "
	    "receiver=protection.outlook.com; client-ip=209.85.220.41;\n"
	    "Received: from mail-sor-f41.google.com (209.85.220.41) by\n"
	    " CH3PEPF00000016.mail.protection.outlook.com (10.167.244.121) with "
	    "Microsoft\n SMTP Server id 15.20.8769.19; Tue, 3 Jun 2025 "
	    "10:00:01 +0000\n"
	    "Received: by 2002:a05:6a10:a44b:b0:5c3:d1e8:3a4 with SMTP id "
	    "x11csp123;\n        Tue, 3 Jun 2025 03:00:00 -0700 (PDT)\n"
	    "Authentication-Results: mx.google.com;\n       spf=pass "
	    "(google.com: domain of a@example.com designates "
	    "2a01:111:f400:7e88::101 as permitted sender) "
	    "smtp.mailfrom=a@example.com\n"
	    "Received-SPF: pass (google.com: domain of a@example.com designates "
	    "2a01:111:f400:7e88::101 as permitted sender) "
	    "client-ip=2a01:111:f400:7e88::101;\n"
	    "Received: from NAM10-DM6-obe.outbound.protection.outlook.com "
	    "(mail-dm6nam10on2101.outbound.protection.outlook.com. "
	    "[2a01:111:f400:7e88::101])\n        by mx.google.com with ESMTPS "
	    "id m1si; Tue, 3 Jun 2025 02:59:59 -0700 (PDT)\n" ORIG_TAIL,
	    "209.85.220.41", "received-edge", NULL, false},
	{"public sender relays below the edge and a sendmail version string",
	    MS_MAILBOX MS_FRONTEND
	    "Received: from relay.example.com (198.51.100.30) by\n"
	    " CH3PEPF00000016.mail.protection.outlook.com (10.167.244.121) with "
	    "Microsoft\n SMTP Server id 15.20.8769.19; Tue, 3 Jun 2025 "
	    "10:00:01 +0000\n"
	    "Received: from mta.example.com (mta.example.com [203.0.113.30])\n"
	    "\tby relay.example.com (8.16.1.2/8.16.1.2) with ESMTP id "
	    "553A0x7q012345\n\tfor <someone@outlook.com>; Tue, 3 Jun 2025 "
	    "10:00:00 GMT\n"
	    "Received: from [203.0.113.31] (helo=web1.example.com)\n\tby "
	    "mta.example.com with esmtpa (Exim 4.96) id 1u2; Tue, 03 Jun 2025 "
	    "09:59:59 +0000\n" ORIG_TAIL,
	    "198.51.100.30", "received-edge", NULL, false},
	{"IPv6 sender",
	    MS_MAILBOX MS_FRONTEND MS_WITNESSES("2001:db8:5::25")
	    "Received: from mail.example.org (2001:db8:5::25) by\n"
	    " CH3PEPF00000016.mail.protection.outlook.com (2603:10b6:610:e6:"
	    "cafe::79) with\n Microsoft SMTP Server id 15.20.8769.19; Tue, 3 "
	    "Jun 2025 10:00:01 +0000\n" ORIG_TAIL,
	    "2001:db8:5::25", "received-edge", NULL, false},
	{"IPv4-mapped sender and witness",
	    MS_MAILBOX
	    "X-MS-Exchange-Authentication-Results: spf=pass (sender IP is "
	    "::ffff:198.51.100.9)\n smtp.mailfrom=example.com;\n"
	    "Received: from mta.example.com ([IPv6:::ffff:198.51.100.9]) by\n"
	    " CH3PEPF00000016.mail.protection.outlook.com (10.167.244.121) with "
	    "SMTP; Tue,\n 3 Jun 2025 10:00:01 +0000\n" ORIG_TAIL,
	    "198.51.100.9", "received-edge", NULL, false},
	{"witnesses disagree with the hop: the provider's result wins",
	    MS_MAILBOX MS_WITNESSES("198.51.100.41")
	    "Received: from mta7.example.com (198.51.100.40) by\n"
	    " CH3PEPF00000016.mail.protection.outlook.com (10.167.244.121) with "
	    "Microsoft\n SMTP Server id 15.20.8769.19; Tue, 3 Jun 2025 "
	    "10:00:01 +0000\n" ORIG_TAIL,
	    "198.51.100.41", "received-spf",
	    "received-spf says 198.51.100.41, received-edge says 198.51.100.40", false},
	{"a HELO that claims to be Microsoft is caught by the witness",
	    MS_MAILBOX
	    "X-MS-Exchange-Authentication-Results: spf=fail (sender IP is "
	    "203.0.113.66)\n smtp.mailfrom=example.com;\n"
	    "Received: from BN1PR01MB0001.prod.outlook.com (203.0.113.66) by\n"
	    " CH3PEPF00000016.mail.protection.outlook.com (10.167.244.121) with "
	    "SMTP; Tue,\n 3 Jun 2025 10:00:01 +0000\n" ORIG_TAIL,
	    "203.0.113.66", "ms-auth-results", NULL, false},
	{"Outlook.com 2019, Hotmail front door, no Authentication-Results",
	    "Received: from DM6NAM12HT123.eop-nam12.prod.protection.outlook.com"
	    "\n (2603:10b6:5:1b8::47) by MN2PR19MB3021.namprd19.prod.outlook.com"
	    " with\n HTTPS via MN2PR20CA0036.NAMPRD20.PROD.OUTLOOK.COM; Mon, "
	    "4 Nov 2019\n 15:01:02 +0000\n"
	    "Received: from DM6NAM12FT022.eop-nam12.prod.protection.outlook.com\n"
	    " (10.13.178.54) by DM6NAM12HT123.eop-nam12.prod.protection.outlook"
	    ".com\n (10.13.178.239) with Microsoft SMTP Server id 15.20.2430.20;"
	    " Mon, 4 Nov\n 2019 15:01:01 +0000\n"
	    "Received: from mail.example.net (192.0.2.55) by\n"
	    " DM6NAM12FT022.mail.protection.outlook.com (10.13.178.54) with "
	    "Microsoft SMTP\n Server id 15.20.2430.20; Mon, 4 Nov 2019 15:01:00 "
	    "+0000\n" ORIG_TAIL BOTTOM_WITNESSES("192.0.2.55"),
	    "192.0.2.55", "received-edge", NULL, false},
	{"Gmail: internal hop without a from clause",
	    "Received: by 2002:a05:7300:5a8c:b0:15f:2f1a:9e3 with SMTP id "
	    "ag12csp1;\n        Wed, 1 Jul 2026 01:12:09 -0700 (PDT)\n"
	    "Received: from mta7.example.com (mta7.example.com. [203.0.113.81])\n"
	    "        by mx.google.com with ESMTPS id d75a77b69052e-4a1\n"
	    "        for <someone@gmail.com>; Wed, 01 Jul 2026 01:12:08 -0700 "
	    "(PDT)\n"
	    "Received-SPF: pass (google.com: domain of b@example.com designates "
	    "203.0.113.81 as permitted sender) client-ip=203.0.113.81;\n"
	    ORIG_TAIL,
	    "203.0.113.81", "received-edge", NULL, false},
	{"Yahoo: EHLO form",
	    "Received: from 10.197.32.170\n by atlas208.free.mail.ne1.yahoo.com "
	    "with HTTP; Wed, 1 Jul 2026 08:12:10 +0000\n"
	    "Received: from mta7.example.com (EHLO mta7.example.com) "
	    "(203.0.113.80)\n  by 10.197.32.170 with SMTPs; Wed, 01 Jul 2026 "
	    "08:12:09 +0000\n"
	    "Received: from mta7.example.com (EHLO mta7.example.com) "
	    "(203.0.113.80)\n  by mta4003.mail.ne1.yahoo.com with SMTPS; Wed, "
	    "01 Jul 2026 08:12:08 +0000\n" ORIG_TAIL,
	    "203.0.113.80", "received-edge", NULL, false},
	{"a Microsoft-hosted sender: nothing entered from outside, the "
	    "outbound relay's witnesses name the IP",
	    MS_MAILBOX
	    "Authentication-Results: spf=pass (sender IP is 40.107.55.19)\n"
	    " smtp.mailfrom=example.com; dkim=pass header.d=example.com;\n"
	    "Received-SPF: Pass (protection.outlook.com: domain of example.com\n"
	    " designates 40.107.55.19 as permitted sender) receiver=protection."
	    "outlook.com;\n client-ip=40.107.55.19; helo=DX2P273CU003.outbound."
	    "protection.outlook.com;\n"
	    "Received: from DX2P273CU003.outbound.protection.outlook.com "
	    "(40.107.55.19) by\n MWH0EPF000A6733.mail.protection.outlook.com "
	    "(10.167.249.25) with Microsoft\n SMTP Server; Tue, 30 Sep 2025 "
	    "23:07:25 +0000\n"
	    "Received: from AU1P273MB2528.AREP273.PROD.OUTLOOK.COM\n"
	    " ([fe80::2c7f:eb83:7a31:afca]) by AU1P273MB2528.AREP273.PROD.OUTLOOK"
	    ".COM\n ([fe80::2c7f:eb83:7a31:afca%3]) with mapi id 15.20.9160.017;"
	    " Tue, 30 Sep 2025\n 23:07:22 +0000\n"
	    "X-Forefront-Antispam-Report-Untrusted: CIP:255.255.255.255;CTRY:;\n"
	    ORIG_TAIL,
	    "40.107.55.19", "received-spf", NULL, true},
	/* the HELO argument is the client's word, never the connection */
	{"Exim form, HELO literal private: the connecting address",
	    "Received: from [198.51.100.30] (port=45678 helo=[10.0.0.5])\n"
	    "\tby mx123.i.mail.ru with esmtp (envelope-from <x@example.com>)\n"
	    "\tid 1qAbCd-000Xy; Wed, 01 Jul 2026 11:12:07 +0300\n" ORIG_TAIL,
	    "198.51.100.30", "received-edge", NULL, false},
	{"Exim form, HELO literal public and different: the connecting one",
	    "Received: from mta9.example.com ([198.51.100.31]:45678 "
	    "helo=[203.0.113.99])\n\tby mx123.i.mail.ru with esmtp "
	    "(envelope-from <x@example.com>)\n\tid 1qAbCd-000Xy; Wed, 01 Jul "
	    "2026 11:12:07 +0300\n" ORIG_TAIL,
	    "198.51.100.31", "received-edge", NULL, false},
	{"Yahoo/qmail form, EHLO literal after the connecting address",
	    "Received: from 198.51.100.32 (EHLO [10.0.0.5])\n"
	    "  by 10.217.151.75 with SMTP; Wed, 01 Jul 2026 08:12:07 +0000\n"
	    ORIG_TAIL,
	    "198.51.100.32", "received", NULL, false},
	/* Yahoo's inbound MX writes "by 10.197.x.x": still Yahoo's hop */
	{"Yahoo edge by a private address, sent through Google's relay",
	    "Received: from 10.217.151.75\n"
	    " by atlas321.free.mail.bf1.yahoo.com with HTTPS; Wed, 1 Jul 2026 "
	    "08:12:09 +0000\n"
	    "Received: from 209.85.128.50 (EHLO mail-wm1-f50.google.com)\n"
	    " by 10.197.33.12 with SMTPs\n"
	    " (version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256);\n"
	    " Wed, 1 Jul 2026 08:12:08 +0000\n"
	    "Received: by mail-wm1-f50.google.com with SMTP id 5b1f17b1804b1\n"
	    "        for <x@yahoo.com>; Wed, 01 Jul 2026 01:12:07 -0700 (PDT)\n"
	    "Received: from app1.example.com ([198.51.100.77])\n"
	    "        by smtp-relay.gmail.com with ESMTPS id a1;\n"
	    "        Wed, 01 Jul 2026 01:12:06 -0700 (PDT)\n" ORIG_TAIL,
	    "209.85.128.50", "received-edge", NULL, false},
	/* the first entry's SPF lies below the re-entry: no witness of it */
	{"re-entry: SPF of the first entry does not outvote the last edge",
	    MS_MAILBOX
	    "X-MS-Exchange-Authentication-Results: spf=pass (sender IP is "
	    "52.1.2.3)\n smtp.mailfrom=example.com; dkim=pass "
	    "header.d=example.com;\n"
	    "Received: from smtp-us.exclaimer.net (52.1.2.3) by\n"
	    " CH0PR03CA0278.mail.protection.outlook.com (10.167.244.121) with\n"
	    " Microsoft SMTP Server id 15.20.8769.19; Tue, 3 Jun 2025 "
	    "10:00:01 +0000\n"
	    "Received: from NAM12-BN8-obe.outbound.protection.outlook.com "
	    "(40.107.1.2)\n by smtp-us.exclaimer.net with ESMTPS; Tue, 3 Jun "
	    "2025 10:00:00 +0000\n"
	    MS_FRONTEND
	    "Received-SPF: Pass (protection.outlook.com: domain of example.com "
	    "designates\n 198.51.100.60 as permitted sender) "
	    "receiver=protection.outlook.com;\n client-ip=198.51.100.60; "
	    "helo=mta7.example.com; pr=C\n"
	    "Received: from mta7.example.com (198.51.100.60) by\n"
	    " CH3PEPF00000016.mail.protection.outlook.com (10.167.244.121) "
	    "with Microsoft\n SMTP Server id 15.20.8769.19; Tue, 3 Jun 2025 "
	    "09:59:58 +0000\n" ORIG_TAIL,
	    "52.1.2.3", "received-edge", NULL, false},
	{"no provider chain: the first public hop, as before",
	    "Received: from mta7.example.com (mta7.example.com [192.0.2.25])\n"
	    "\tby mx4.example.net with ESMTPS id 7A1B2C3D4E\n"
	    "\tfor <user@example.net>; Tue, 3 Mar 2026 09:59:58 +0000\n"
	    ORIG_TAIL,
	    "192.0.2.25", "received", NULL, false},
};

static char *
wrap_jmrp(const char *orig)
{
	return g_strconcat(
	    "From: <staff@hotmail.com>\nTo: abuse@example.com\n"
	    "Subject: complaint about message\n"
	    "Date: Wed, 1 Jul 2026 09:00:00 +0000\n"
	    "Message-ID: <jmrp-edge@outlook.com>\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=feedback-report;\n"
	    "\tboundary=\"b1\"\n\n--b1\nContent-Type: text/plain\n\n"
	    "This is an email abuse report.\n\n--b1\n"
	    "Content-Type: message/feedback-report\n\nFeedback-Type: abuse\n"
	    "User-Agent: JMRP/1.0\nVersion: 1\n\n--b1\n"
	    "Content-Type: text/rfc822-headers\n\n", orig, "\n--b1--\n", NULL);
}

static struct arf_record *
parse_orig(const char *orig, struct arf_infra *in)
{
	char *msg = wrap_jmrp(orig);
	struct arf_limits lim;
	struct arf_record *r = NULL;

	arf_limits_default(&lim);
	lim.infra = in;
	assert_int_equal(arf_parse(&r, msg, strlen(msg), "edge", &lim), 0);
	g_free(msg);
	return r;
}

static bool
has_warning(const struct arf_record *r, const char *needle)
{
	const char *const *w = arf_record_list(r, ARF_L_WARNINGS);

	for (int i = 0; w[i] != NULL; i++)
		if (strstr(w[i], needle) != NULL)
			return true;
	return false;
}

static bool
warns_disagreement(const struct arf_record *r)
{
	return has_warning(r, "witnesses disagree");
}

static void
test_chains(void **state)
{
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct arf_record *r = parse_orig(cases[i].orig, NULL);
		const char *ip = arf_record_get(r, ARF_K_SOURCE_IP);
		const char *o = arf_ip_origin_name(arf_record_ip_origin(r));
		bool warned = warns_disagreement(r);

		if (g_strcmp0(ip, cases[i].want_ip) != 0 ||
		    g_strcmp0(o, cases[i].want_origin) != 0) {
			print_error("%s: got %s (%s), want %s (%s)\n",
			    cases[i].name, ip ? ip : "none", o ? o : "none",
			    cases[i].want_ip, cases[i].want_origin);
			failed++;
		}
		if (cases[i].want_warning != NULL ?
		    !has_warning(r, cases[i].want_warning) : warned) {
			print_error("%s: disagreement warning: got %s, want "
			    "%s\n", cases[i].name, warned ? "one" : "none",
			    cases[i].want_warning ? cases[i].want_warning :
			    "none");
			failed++;
		}
		if (arf_record_inside_provider(r) != cases[i].inside) {
			print_error("%s: inside_provider: got %d, want %d\n",
			    cases[i].name, arf_record_inside_provider(r),
			    cases[i].inside);
			failed++;
		}
		arf_record_free(r);
	}
	assert_int_equal(failed, 0);
}

/* the audit trail: every witness with its origin, and the agreement */
static void
test_witness_json(void **state)
{
	struct arf_record *r = parse_orig(cases[1].orig, NULL);
	char *json = arf_json_line(r);
	static const char *const want[] = {
		"\"source_ip_witnesses\":[{\"origin\":\"received-spf\","
		"\"ip\":\"198.51.100.8\"},{\"origin\":\"ms-auth-results\","
		"\"ip\":\"198.51.100.8\"},{\"origin\":\"forefront-cip\","
		"\"ip\":\"198.51.100.8\"},{\"origin\":\"crosstenant-ip\","
		"\"ip\":\"198.51.100.8\"},{\"origin\":\"received-edge\","
		"\"ip\":\"198.51.100.8\"}]",
		"\"source_ip_agreement\":\"agree\"",
		"\"inside_provider\":false",
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(want); i++)
		if (strstr(json, want[i]) == NULL)
			fail_msg("got %s, want it to contain %s", json, want[i]);
	g_free(json);
	arf_record_free(r);
}

/* [arf] own_networks: a re-entry from the sender's own gateway is not
 * the edge; provider_hosts / provider_networks: a provider's hop the
 * built-in table does not know is stepped over */
static void
test_configured(void **state)
{
	static char own_text[] = "198.51.100.0/24";
	static char host_text[] = "example-isp.net";
	static char net_text[] = "192.0.2.128/25";
	static char bad_text[] = "10.0.0.0/33";
	char *own_net[] = {own_text, NULL};
	char *isp_hosts[] = {host_text, NULL};
	char *isp_nets[] = {net_text, NULL};
	char *bad[] = {bad_text, NULL};
	static const char *isp_chain =
	    "Received: from relay3.example-isp.net (192.0.2.140)\n"
	    "\tby store1.example-isp.net with LMTP; Wed, 1 Jul 2026 08:12:09 "
	    "+0000\n"
	    "Received: from mta7.example.com (mta7.example.com [203.0.113.44])\n"
	    "\tby relay3.example-isp.net with ESMTPS; Wed, 1 Jul 2026 08:12:08 "
	    "+0000\n" ORIG_TAIL;
	struct arf_infra *in = NULL;
	struct arf_record *r;

	(void)state;
	/* re-entry case: without own_networks the gateway is the edge */
	assert_int_equal(arf_infra_new(&in, NULL, own_net, NULL), 0);
	arf_infra_free(in);
	assert_int_equal(arf_infra_new(&in, NULL, NULL, own_net), 0);
	r = parse_orig(cases[3].orig, in);
	assert_string_equal(arf_record_get(r, ARF_K_SOURCE_IP), "203.0.113.10");
	assert_string_equal(arf_ip_origin_name(arf_record_ip_origin(r)),
	    "received-edge");
	arf_record_free(r);
	arf_infra_free(in);

	/* the ISP's relay is the first public hop without the table entry */
	r = parse_orig(isp_chain, NULL);
	assert_string_equal(arf_record_get(r, ARF_K_SOURCE_IP), "192.0.2.140");
	arf_record_free(r);
	assert_int_equal(arf_infra_new(&in, isp_hosts, NULL, NULL), 0);
	r = parse_orig(isp_chain, in);
	assert_string_equal(arf_record_get(r, ARF_K_SOURCE_IP), "203.0.113.44");
	arf_record_free(r);
	arf_infra_free(in);
	assert_int_equal(arf_infra_new(&in, NULL, isp_nets, NULL), 0);
	r = parse_orig(isp_chain, in);
	assert_string_equal(arf_record_get(r, ARF_K_SOURCE_IP), "203.0.113.44");
	arf_record_free(r);
	arf_infra_free(in);

	/* a bad network is a configuration error */
	assert_int_equal(arf_infra_new(&in, NULL, bad, NULL), -78);
	assert_null(in);
}

/* a reported Microsoft address is flagged inside_provider */
static void
test_inside_provider(void **state)
{
	static const char *const ips[][2] = {
		{"2603:10b6:610:e6::13", "t"},
		{"40.107.243.50", "t"},
		{"::ffff:40.92.1.1", "t"},
		{"198.51.100.1", "f"},
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(ips); i++) {
		char *msg = g_strconcat(
		    "From: <staff@hotmail.com>\nTo: abuse@example.com\n"
		    "Subject: complaint\nMessage-ID: <in-", ips[i][0],
		    "@outlook.com>\nMIME-Version: 1.0\nContent-Type: "
		    "multipart/report; report-type=feedback-report; "
		    "boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nx\n--b\n"
		    "Content-Type: message/feedback-report\n\nFeedback-Type: "
		    "abuse\nUser-Agent: JMRP/1.0\nVersion: 1\nSource-IP: ",
		    ips[i][0], "\n\n--b--\n", NULL);
		struct arf_limits lim;
		struct arf_record *r = NULL;
		bool want = ips[i][1][0] == 't';

		arf_limits_default(&lim);
		arf_parse(&r, msg, strlen(msg), "in", &lim);
		if (arf_record_inside_provider(r) != want)
			fail_msg("%s: inside_provider got %d, want %d",
			    ips[i][0], arf_record_inside_provider(r), want);
		arf_record_free(r);
		g_free(msg);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chains),
		cmocka_unit_test(test_witness_json),
		cmocka_unit_test(test_configured),
		cmocka_unit_test(test_inside_provider),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
