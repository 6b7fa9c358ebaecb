/*
 * arf_provider - which feedback loop sent a report, from its User-Agent,
 * the report's From address and provider-specific fields (reference
 * section 8). Returns a short lower-case name, or NULL when unknown.
 */
#ifndef ARF_PROVIDER_H
#define ARF_PROVIDER_H

#include <stdbool.h>

struct arf_provider_hints {
	const char *user_agent;   /* report field */
	const char *source_field; /* ReturnPathFBL "Source:" */
	const char *report_from;  /* address of the report's From */
	bool mru_header;          /* X-Mru-AbusefHost present */
	bool jmrp_legacy;
};

char *arf_provider_guess(const struct arf_provider_hints *h);

#endif
