/*
 * odk.c -- RSA and AES of the ODK encryption specification on OpenSSL (see odk.h for the protocol).
 *
 * Why by hand around OpenSSL: nothing packaged in Debian implements the ODK submission format; the
 * primitives themselves are all OpenSSL's (EVP), with the two OAEP digests set to SHA-256 explicitly (ODK
 * Collect's "OAEPWithSHA256AndMGF1Padding" under Bouncy Castle; OpenSSL's default MGF1 would be SHA-1).
 * The PKCS#7 padding is removed here rather than by EVP because EVP pads only block modes, not CFB.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "crypto/odk.h"

struct cb_odk_key {
	EVP_PKEY *pkey;
};

static const char seal_ad[] = "casebank odk rsa key v1";

static void key_subkey(const uint8_t master[CB_KEY_BYTES], uint8_t out[CB_KEY_BYTES])
{
	cb_subkey(master, 1, "odkrsakv", out);
}

int cb_odk_key_generate(struct cb_odk_key **out)
{
	struct cb_odk_key *k = calloc(1, sizeof *k);
	if (!k)
		return CB_ENOMEM;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
	if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, CB_ODK_RSA_BITS) <= 0 ||
	    EVP_PKEY_keygen(ctx, &k->pkey) <= 0) {
		EVP_PKEY_CTX_free(ctx);
		free(k);
		return CB_ENOMEM;
	}
	EVP_PKEY_CTX_free(ctx);
	*out = k;
	return CB_OK;
}

int cb_odk_key_seal(const struct cb_odk_key *k, const uint8_t master[CB_KEY_BYTES], uint8_t **blob, size_t *n)
{
	int rc = CB_ENOMEM;
	unsigned char *der = NULL;
	uint8_t *sub = cb_secret_alloc(CB_KEY_BYTES);
	*blob = NULL;
	int len = i2d_PrivateKey(k->pkey, &der);
	if (!sub || len <= 0)
		goto out;
	if (!(*blob = malloc((size_t)len + CB_SEAL_OVERHEAD)))
		goto out;
	key_subkey(master, sub);
	cb_seal(sub, (const uint8_t *)seal_ad, sizeof seal_ad - 1, der, (size_t)len, *blob);
	*n = (size_t)len + CB_SEAL_OVERHEAD;
	rc = CB_OK;
out:
	if (der) {
		cb_wipe(der, len > 0 ? (size_t)len : 0);
		OPENSSL_free(der);
	}
	cb_secret_free(sub);
	return rc;
}

int cb_odk_key_open(const uint8_t master[CB_KEY_BYTES], const uint8_t *blob, size_t n, struct cb_odk_key **out)
{
	int rc = CB_ECORRUPT;
	uint8_t *sub = cb_secret_alloc(CB_KEY_BYTES);
	uint8_t *der = n > CB_SEAL_OVERHEAD ? cb_secret_alloc(n - CB_SEAL_OVERHEAD) : NULL;
	struct cb_odk_key *k = NULL;
	if (!sub || !der)
		goto out;
	key_subkey(master, sub);
	if (cb_unseal(sub, (const uint8_t *)seal_ad, sizeof seal_ad - 1, blob, n, der) != CB_OK)
		goto out;
	const unsigned char *p = der;
	if (!(k = calloc(1, sizeof *k)) ||
	    !(k->pkey = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, (long)(n - CB_SEAL_OVERHEAD))))
		goto out;
	*out = k;
	k = NULL;
	rc = CB_OK;
out:
	free(k);
	cb_secret_free(der);
	cb_secret_free(sub);
	return rc;
}

int cb_odk_key_public_b64(const struct cb_odk_key *k, char **out)
{
	unsigned char *der = NULL;
	int len = i2d_PUBKEY(k->pkey, &der);
	if (len <= 0)
		return CB_ENOMEM;
	size_t cap = sodium_base64_encoded_len((size_t)len, sodium_base64_VARIANT_ORIGINAL);
	if ((*out = malloc(cap)))
		sodium_bin2base64(*out, cap, der, (size_t)len, sodium_base64_VARIANT_ORIGINAL);
	OPENSSL_free(der);
	return *out ? CB_OK : CB_ENOMEM;
}

void cb_odk_key_free(struct cb_odk_key **k)
{
	if (!k || !*k)
		return;
	EVP_PKEY_free((*k)->pkey); /* OpenSSL clears private key material when it frees it */
	free(*k);
	*k = NULL;
}

int cb_odk_b64_decode(const char *b64, uint8_t **out, size_t *n)
{
	size_t len = strlen(b64);
	*out = malloc(len / 4 * 3 + 3);
	if (!*out)
		return CB_ENOMEM;
	const char *end;
	if (sodium_base642bin(*out, len / 4 * 3 + 3, b64, len, " \t\r\n", n, &end, sodium_base64_VARIANT_ORIGINAL) ||
	    *end) {
		free(*out);
		*out = NULL;
		return CB_EINVAL;
	}
	return CB_OK;
}

/* An OAEP context with SHA-256 as both digests: decrypt (private) or encrypt (public). */
static EVP_PKEY_CTX *oaep_ctx(const struct cb_odk_key *k, bool decrypt)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
	if (!ctx || (decrypt ? EVP_PKEY_decrypt_init(ctx) : EVP_PKEY_encrypt_init(ctx)) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) <= 0 || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) <= 0) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* RSA-OAEP decryption of base64 text into out (exactly want bytes). */
static int rsa_decrypt_b64(const struct cb_odk_key *k, const char *b64, uint8_t *out, size_t want)
{
	uint8_t *ct = NULL, plain[CB_ODK_RSA_BITS / 8];
	size_t ctn, pn = sizeof plain;
	int rc = cb_odk_b64_decode(b64, &ct, &ctn);
	if (rc != CB_OK)
		return rc;
	EVP_PKEY_CTX *ctx = NULL;
	if (ctn != CB_ODK_RSA_BITS / 8) {
		rc = CB_EINVAL;
	} else if (!(ctx = oaep_ctx(k, true))) {
		rc = CB_ENOMEM;
	} else if (EVP_PKEY_decrypt(ctx, plain, &pn, ct, ctn) <= 0 || pn != want) {
		rc = CB_ECORRUPT;
	} else {
		memcpy(out, plain, want);
	}
	sodium_memzero(plain, sizeof plain);
	EVP_PKEY_CTX_free(ctx);
	free(ct);
	return rc;
}

int cb_odk_unwrap(const struct cb_odk_key *k, const char *b64, uint8_t key[CB_ODK_AES_BYTES])
{
	return rsa_decrypt_b64(k, b64, key, CB_ODK_AES_BYTES);
}

int cb_odk_rsa_encrypt_b64(const struct cb_odk_key *k, const uint8_t *in, size_t n, char **out)
{
	uint8_t ct[CB_ODK_RSA_BITS / 8];
	size_t ctn = sizeof ct;
	EVP_PKEY_CTX *ctx = oaep_ctx(k, false);
	int rc = CB_ENOMEM;
	*out = NULL;
	if (!ctx || EVP_PKEY_encrypt(ctx, ct, &ctn, in, n) <= 0)
		goto out;
	size_t cap = sodium_base64_encoded_len(ctn, sodium_base64_VARIANT_ORIGINAL);
	if (!(*out = malloc(cap)))
		goto out;
	sodium_bin2base64(*out, cap, ct, ctn, sodium_base64_VARIANT_ORIGINAL);
	rc = CB_OK;
out:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

void cb_odk_iv(const char *instance_id, const uint8_t key[CB_ODK_AES_BYTES], int index, uint8_t iv[16])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned len = 16;
	EVP_DigestInit_ex(md, EVP_md5(), NULL);
	EVP_DigestUpdate(md, instance_id, strlen(instance_id));
	EVP_DigestUpdate(md, key, CB_ODK_AES_BYTES);
	EVP_DigestFinal_ex(md, iv, &len);
	EVP_MD_CTX_free(md);
	for (int i = 0; i <= index; i++)
		iv[i % 16]++;
}

void cb_odk_md5_hex(const void *data, size_t n, char out[33])
{
	uint8_t d[16];
	unsigned len = 16;
	EVP_Digest(data, n, d, &len, EVP_md5(), NULL);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static int aes_cfb(bool enc, const uint8_t key[CB_ODK_AES_BYTES], const uint8_t iv[16], const uint8_t *in, size_t n,
		   uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0, rc = CB_ENOMEM;
	if (c && EVP_CipherInit_ex(c, EVP_aes_256_cfb128(), NULL, key, iv, enc) > 0 &&
	    EVP_CipherUpdate(c, out, &l1, in, (int)n) > 0 && EVP_CipherFinal_ex(c, out + l1, &l2) > 0 &&
	    (size_t)(l1 + l2) == n)
		rc = CB_OK;
	EVP_CIPHER_CTX_free(c);
	return rc;
}

#define FILE_MAX (64u << 20) /* a sanity bound for one file: EVP takes int lengths */

int cb_odk_decrypt_file(const uint8_t key[CB_ODK_AES_BYTES], const uint8_t iv[16], const uint8_t *in, size_t n,
			uint8_t **out, size_t *outn)
{
	*out = NULL;
	if (n == 0 || n % 16 || n > FILE_MAX)
		return CB_ECORRUPT;
	uint8_t *p = malloc(n);
	if (!p)
		return CB_ENOMEM;
	int rc = aes_cfb(false, key, iv, in, n, p);
	if (rc == CB_OK) {
		/* PKCS#7: the last byte says how many bytes of that value pad the end (1..16) */
		uint8_t pad = p[n - 1];
		unsigned bad = pad == 0 || pad > 16;
		for (size_t i = 0; !bad && i < pad; i++)
			bad |= p[n - 1 - i] != pad;
		if (bad)
			rc = CB_ECORRUPT;
		else
			*outn = n - pad;
	}
	if (rc != CB_OK) {
		sodium_memzero(p, n);
		free(p);
		return rc;
	}
	*out = p;
	return CB_OK;
}

int cb_odk_encrypt_file(const uint8_t key[CB_ODK_AES_BYTES], const uint8_t iv[16], const uint8_t *in, size_t n,
			uint8_t **out, size_t *outn)
{
	size_t pad = 16 - n % 16, total = n + pad;
	uint8_t *plain = malloc(total), *p = malloc(total);
	int rc = CB_ENOMEM;
	if (!plain || !p || total > FILE_MAX)
		goto out;
	memcpy(plain, in, n);
	memset(plain + n, (int)pad, pad);
	if ((rc = aes_cfb(true, key, iv, plain, total, p)) == CB_OK) {
		*out = p;
		*outn = total;
		p = NULL;
	}
out:
	if (plain) {
		sodium_memzero(plain, total);
		free(plain);
	}
	free(p);
	return rc;
}

int cb_odk_signature_check(const struct cb_odk_key *k, const char *b64sig, const char *source, size_t n)
{
	uint8_t got[16], want[16];
	unsigned len = 16;
	int rc = rsa_decrypt_b64(k, b64sig, got, sizeof got);
	if (rc != CB_OK)
		return CB_ECORRUPT;
	EVP_Digest(source, n, want, &len, EVP_md5(), NULL);
	return sodium_memcmp(got, want, sizeof got) ? CB_ECORRUPT : CB_OK;
}
