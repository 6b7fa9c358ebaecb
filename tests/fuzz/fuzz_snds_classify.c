/*
 * fuzz_snds_classify - the SNDS response classifier and HTML detector on
 * arbitrary bodies. The first two bytes pick the HTTP status and the
 * content type; the rest is the body. Outputs must be NUL-terminated
 * within their buffers and the class one of the known ones.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "ingest/snds_classify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const long statuses[] = {
	0, 200, 200, 200, 204, 301, 302, 400, 401, 403, 404, 408, 410, 429,
	500, 503,
};
static const char *const ctypes[] = {
	NULL, "text/csv", "application/octet-stream", "text/html",
	"text/html; charset=utf-8", "TEXT/HTML", "application/json", "",
};
static const char *const urls[] = {
	NULL, "https://sendersupport.olc.protection.outlook.com/snds/data.aspx",
	"https://login.live.com/login.srf?wa=wsignin1.0",
	"https://login.microsoftonline.com/common/oauth2/authorize",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snds_response r;
	struct snds_verdict v;
	char title[128];

	if (size < 2)
		return 0;
	memset(&r, 0, sizeof(r));
	r.status = statuses[data[0] % G_N_ELEMENTS(statuses)];
	r.content_type = ctypes[data[1] % G_N_ELEMENTS(ctypes)];
	r.final_url = urls[(data[0] >> 4) % G_N_ELEMENTS(urls)];
	r.body = (const char *)data + 2;
	r.len = size - 2;
	memset(&v, 0x55, sizeof(v));
	snds_classify(&v, &r);
	if (v.cls > SNDS_CLASS_TEMPORARY || snds_class_name(v.cls) == NULL ||
	    memchr(v.outcome, '\0', sizeof(v.outcome)) == NULL ||
	    memchr(v.title, '\0', sizeof(v.title)) == NULL ||
	    memchr(v.why, '\0', sizeof(v.why)) == NULL)
		abort();
	/* an HTML body is never "ok" (it would be read as zero traffic) */
	memset(title, 0x55, sizeof(title));
	if (snds_is_html(title, sizeof(title), r.content_type, r.body, r.len)) {
		if (memchr(title, '\0', sizeof(title)) == NULL)
			abort();
		if (v.cls == SNDS_CLASS_OK)
			abort();
	}
	return 0;
}
