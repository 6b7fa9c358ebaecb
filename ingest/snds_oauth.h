/*
 * snds_oauth - Microsoft OAuth2 for the SNDS REST API: authorization code
 * flow with PKCE (S256) and state for "snds login", refresh-token rotation
 * for every fetch run. The refresh token lives in
 * state_dir/tokens/NAME.json (mode 0600, written to a temporary file and
 * renamed); Microsoft rotates it on every use, so the new one is saved
 * before the access token is used.
 */
#ifndef SNDS_OAUTH_H
#define SNDS_OAUTH_H

#include "common/rw_config.h"
#include "common/rw_db.h"
#include "ingest/snds_source.h"

/* PKCE pieces, exposed for the tests */
char *snds_pkce_verifier(void);
char *snds_pkce_challenge(const char *verifier);

/* snds_token_path - state_dir/tokens/NAME.json */
char *snds_token_path(const char *state_dir, const char *name);

/*
 * snds_oauth_access_token - a fresh access token for source S (g_free it).
 * Records the token state in repwatch.snds_source and, on failure, a fetch
 * log row of kind "token". A missing or refused refresh token is
 * RW_EUNAVAIL with the "login expired; run repwatch snds login NAME"
 * message; network trouble is RW_ETEMP.
 */
int snds_oauth_access_token(char **out, struct rw_db *db,
    const struct snds_source *s, const char *state_dir);

/* the user's side of a login: what to show them */
struct snds_login_ui {
	/* open URL in a browser; its redirect is awaited on REDIRECT_URI */
	void (*prompt)(const char *url, const char *redirect_uri, void *data);
	/* a pasted line was no redirect URL (the error is logged already) */
	void (*bad_paste)(void *data);
	void *data;
};

/*
 * snds_login_run - sign in for API source NAME (OAuth2 with PKCE): the
 * browser's redirect is caught on 127.0.0.1:PORT (0 = any), or the final
 * address is read from standard input; the refresh token is saved and
 * *OUT_PATH gets the token file's path (g_free it).
 */
int snds_login_run(char **out_path, struct rw_db *db,
    const struct rw_config *cfg, const char *name, int port,
    const struct snds_login_ui *ui);

#endif
