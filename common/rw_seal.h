/*
 * rw_seal - small secrets kept in the database, sealed with a key that
 * stays on this machine.
 *
 * The report links that "snds link set" stores carry their access key in
 * the URL. They are written to the database sealed (AES-256-GCM, a fresh
 * nonce each time, the row's name bound as associated data), so neither
 * a pg_dump nor a reader of the table learns the key. The 256-bit key is
 * created on first use in a 0600 file under state_dir and never leaves it.
 *
 * Sealed text: "sealed:v1:" + base64(nonce[12] | ciphertext | tag[16]).
 */
#ifndef RW_SEAL_H
#define RW_SEAL_H

#include <stdbool.h>

#define RW_SEAL_PREFIX "sealed:v1:"

/* rw_seal_key_path - STATE_DIR/tokens/seal.key, to be g_free'd */
char *rw_seal_key_path(const char *state_dir);

/*
 * rw_seal - seal PLAIN under the key in KEYFILE (created 0600 when absent)
 * with AAD (e.g. "snds_source.data_url:NAME"); *out is g_free'd.
 */
int rw_seal(char **out, const char *keyfile, const char *aad,
    const char *plain);
/*
 * rw_unseal - open what rw_seal wrote; RW_ECONFIG when the key file is
 * missing, not private, or not the key the text was sealed with, or when
 * the text was altered. *out is g_free'd (after clearing it, ideally).
 */
int rw_unseal(char **out, const char *keyfile, const char *aad,
    const char *sealed);
bool rw_is_sealed(const char *text);

#endif
