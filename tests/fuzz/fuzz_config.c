/*
 * fuzz_config - the configuration parser (GKeyFile + key table + env-free
 * validation) on arbitrary bytes: it must return 0 or RW_ECONFIG, never
 * crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <glib.h>

#include "common/rw_config.h"
#include "common/rw_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = g_strndup((const char *)data, size);
	struct rw_config *cfg = NULL;
	int rc = rw_config_load_data(&cfg, "fuzz.conf", text);

	if (rc != 0 && rc != RW_ECONFIG)
		abort();
	if (rc == 0) {
		char **inst = rw_config_instances(cfg, "snds");

		for (int i = 0; inst[i] != NULL; i++) {
			char *sec = g_strconcat("snds.", inst[i], NULL);
			char *m = rw_mask_url(rw_config_get(cfg, sec, "data_url"));

			g_free(m);
			g_free(sec);
		}
		g_strfreev(inst);
	}
	rw_config_free(cfg);
	rw_error_clear();
	g_free(text);
	return 0;
}
