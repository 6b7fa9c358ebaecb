/*
 * fuzz_arf - the ARF/JMRP parser (arf_parse) on arbitrary messages, then
 * everything a caller reads from the record: JSON, getters, lists, fields.
 * Never fails on bad data: the verdict is in the record. Small limits make
 * the depth and header ceilings reachable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "arf/arf_json.h"
#include "arf/arf_parse.h"
#include "common/rw_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
read_back(const struct arf_record *r)
{
	char *json = arf_json_line(r);
	char t[21];
	gint64 when;

	JsonParser *jp = json_parser_new();

	/* valid UTF-8 and valid JSON: consumers (jq, PostgreSQL) parse it */
	if (json == NULL || !g_utf8_validate(json, -1, NULL) ||
	    !json_parser_load_from_data(jp, json, -1, NULL))
		abort();
	g_object_unref(jp);
	g_free(json);
	for (int k = 0; k < ARF_K_COUNT_; k++) {
		const char *v = arf_record_get(r, (enum arf_key)k);

		if (v != NULL && strlen(v) > (size_t)16 * 1024 * 1024)
			abort();
	}
	for (int l = 0; l < ARF_L_COUNT_; l++) {
		const char *const *list = arf_record_list(r, (enum arf_list)l);
		guint n = 0;

		while (list != NULL && list[n] != NULL)
			n++;
		if (list == NULL || n != arf_record_list_len(r, (enum arf_list)l))
			abort();
	}
	for (int i = 0; i < ARF_T_COUNT_; i++)
		if (arf_record_time(r, (enum arf_time)i, &when))
			arf_format_time(t, when);
	for (guint i = 0; i < arf_record_field_count(r); i++) {
		const char *n, *v;

		arf_record_field_at(r, i, &n, &v);
		if (n == NULL)
			abort();
	}
	(void)arf_record_is_complaint(r);
	(void)arf_format_name(arf_record_format(r));
	(void)arf_ip_origin_name(arf_record_ip_origin(r));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char xmid[] = "X-Mailer-Id", lid[] = "List-Id";
	static char *trace[] = {xmid, lid, NULL};
	struct arf_limits lim;
	struct arf_record *r = NULL;

	arf_limits_default(&lim);
	lim.max_bytes = 256 * 1024;
	lim.max_depth = 8;
	lim.max_headers = 200;
	lim.trace_headers = trace;
	/* the size picks the keep mode and DMARC */
	lim.keep = size % 3 == 0 ? ARF_KEEP_HEADERS :
	    size % 3 == 1 ? ARF_KEEP_FULL : ARF_KEEP_NONE;
	lim.accept_dmarc = size % 2 == 0;
	if (arf_parse(&r, (const char *)data, size, "fuzz", &lim) != 0)
		abort(); /* documented: never fails on bad data */
	read_back(r);
	arf_record_free(r);
	rw_error_clear();
	return 0;
}
