/*
 * rw_seal - small secrets sealed with a local key (see rw_seal.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/rw_error.h"
#include "common/rw_seal.h"
#include "common/rw_util.h"

#define KEY_LEN 32
#define NONCE_LEN 12
#define TAG_LEN 16
#define KEYFILE_MAX 256
#define SEALED_MAX (64 * 1024)

char *
rw_seal_key_path(const char *state_dir)
{
	return g_build_filename(state_dir, "tokens", "seal.key", NULL);
}

bool
rw_is_sealed(const char *text)
{
	return text != NULL && g_str_has_prefix(text, RW_SEAL_PREFIX);
}

static int
key_read(unsigned char key[static KEY_LEN], const char *path)
{
	char *text = NULL;
	guchar *raw = NULL;
	gsize n = 0;
	int rc = rw_check_private(path, "seal key file");

	if (rc == 0)
		rc = rw_read_file(&text, NULL, path, KEYFILE_MAX);
	if (rc == 0) {
		raw = g_base64_decode(g_strstrip(text), &n);
		if (n == KEY_LEN)
			memcpy(key, raw, KEY_LEN);
		else
			rc = rw_error_set(RW_ECONFIG, "seal key file \"%s\" is "
			    "damaged", path);
	}
	if (raw != NULL)
		OPENSSL_cleanse(raw, n);
	if (text != NULL)
		OPENSSL_cleanse(text, strlen(text));
	g_free(raw);
	g_free(text);
	return rc;
}

/*
 * A new key is written to a temporary file and linked into place: link()
 * fails when another process made the key first, and then that one is
 * used, so two first runs never seal with different keys.
 */
static int
key_create(const char *path)
{
	unsigned char key[KEY_LEN];
	char *dir = g_path_get_dirname(path);
	char *tmp = g_strdup_printf("%s.new.%d", path, (int)getpid());
	char *text = NULL;
	int rc = rw_mkdir_p(dir, 0700);

	if (rc == 0 && RAND_bytes(key, KEY_LEN) != 1)
		rc = rw_error_set(RW_ESOFTWARE, "cannot create the seal key: "
		    "no random bytes");
	if (rc == 0) {
		text = g_base64_encode(key, KEY_LEN);
		rc = rw_write_atomic(tmp, text, strlen(text), 0600);
	}
	if (rc == 0 && link(tmp, path) != 0 && errno != EEXIST)
		rc = rw_error_set(RW_EIO, "cannot create seal key file \"%s\": "
		    "%s", path, g_strerror(errno));
	if (text != NULL) {
		unlink(tmp);
		OPENSSL_cleanse(text, strlen(text));
	}
	OPENSSL_cleanse(key, KEY_LEN);
	g_free(text);
	g_free(tmp);
	g_free(dir);
	return rc;
}

static int
key_get(unsigned char key[static KEY_LEN], const char *path, bool create)
{
	int rc;

	if (create && !g_file_test(path, G_FILE_TEST_EXISTS) &&
	    (rc = key_create(path)) != 0)
		return rc;
	return key_read(key, path);
}

/* AES-256-GCM over IN with AAD: nonce | ciphertext | tag into OUT */
static bool
encrypt(guchar *out, const unsigned char *key, const char *aad,
    const char *in, size_t len)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0;
	bool ok = ctx != NULL && RAND_bytes(out, NONCE_LEN) == 1 &&
	    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, out) == 1 &&
	    EVP_EncryptUpdate(ctx, NULL, &n, (const guchar *)aad,
	    (int)strlen(aad)) == 1 &&
	    EVP_EncryptUpdate(ctx, out + NONCE_LEN, &n, (const guchar *)in,
	    (int)len) == 1 &&
	    EVP_EncryptFinal_ex(ctx, out + NONCE_LEN + n, &n) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN,
	    out + NONCE_LEN + len) == 1;

	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

/* the reverse of encrypt; false when the key, AAD or text do not match */
static bool
decrypt(char *out, const unsigned char *key, const char *aad,
    const guchar *in, size_t len)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	size_t clen = len - NONCE_LEN - TAG_LEN;
	unsigned char tag[TAG_LEN];
	int n = 0;
	bool ok;

	memcpy(tag, in + NONCE_LEN + clen, TAG_LEN);
	ok = ctx != NULL &&
	    EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, in) == 1 &&
	    EVP_DecryptUpdate(ctx, NULL, &n, (const guchar *)aad,
	    (int)strlen(aad)) == 1 &&
	    EVP_DecryptUpdate(ctx, (guchar *)out, &n, in + NONCE_LEN,
	    (int)clen) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1 &&
	    EVP_DecryptFinal_ex(ctx, (guchar *)out + n, &n) == 1;

	EVP_CIPHER_CTX_free(ctx);
	out[clen] = '\0';
	return ok;
}

int
rw_seal(char **out, const char *keyfile, const char *aad, const char *plain)
{
	unsigned char key[KEY_LEN];
	size_t len = strlen(plain);
	guchar *buf = g_malloc(NONCE_LEN + len + TAG_LEN);
	char *b64;
	int rc = key_get(key, keyfile, true);

	*out = NULL;
	if (rc == 0 && !encrypt(buf, key, aad, plain, len))
		rc = rw_error_set(RW_ESOFTWARE, "cannot seal %s: encryption "
		    "failed", aad);
	if (rc == 0) {
		b64 = g_base64_encode(buf, NONCE_LEN + len + TAG_LEN);
		*out = g_strconcat(RW_SEAL_PREFIX, b64, NULL);
		g_free(b64);
	}
	OPENSSL_cleanse(key, KEY_LEN);
	OPENSSL_cleanse(buf, NONCE_LEN + len + TAG_LEN);
	g_free(buf);
	return rc;
}

static int
unseal_failed(const char *aad, const char *keyfile)
{
	rw_error_set(RW_ECONFIG, "cannot open the sealed %s", aad);
	rw_error_detail("It was altered, or sealed with another key than the "
	    "one in \"%s\".", keyfile);
	return RW_ECONFIG;
}

int
rw_unseal(char **out, const char *keyfile, const char *aad,
    const char *sealed)
{
	unsigned char key[KEY_LEN];
	const char *b64 = sealed + strlen(RW_SEAL_PREFIX);
	guchar *raw = NULL;
	gsize n = 0;
	int rc;

	*out = NULL;
	if (!rw_is_sealed(sealed) || strlen(sealed) > SEALED_MAX)
		return unseal_failed(aad, keyfile);
	rc = key_get(key, keyfile, false);
	if (rc != 0)
		return rc;
	raw = g_base64_decode(b64, &n);
	*out = g_malloc(n + 1);
	if (n < NONCE_LEN + TAG_LEN || !decrypt(*out, key, aad, raw, n)) {
		OPENSSL_cleanse(*out, n + 1);
		g_free(*out);
		*out = NULL;
		rc = unseal_failed(aad, keyfile);
	}
	OPENSSL_cleanse(key, KEY_LEN);
	g_free(raw);
	return rc;
}
