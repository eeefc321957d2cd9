/*
 * test_odk.c -- tests of src/crypto/odk.c against OpenSSL used directly as a phone would: the sealed key pair
 * (another master key or a flipped byte does not open it), the public key in the form's format, OAEP with
 * SHA-256 for both digests (a key wrapped with MGF1-SHA-1, as Java's JCE would, is refused: the trap
 * central-backend's oaep.js describes), the spec's IV rule, AES-256-CFB with PKCS#7 padding (truncated or
 * re-padded files refused), and the signature check.
 */
#include "cb_test.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto/odk.h"

static struct cb_odk_key *key;
static EVP_PKEY *pub;

static int setup(void **state)
{
	(void)state;
	char *b64;
	uint8_t *der;
	size_t n;
	if (cb_crypto_init() != CB_OK || cb_odk_key_generate(&key) != CB_OK || cb_odk_key_public_b64(key, &b64) != CB_OK)
		return -1;
	if (cb_odk_b64_decode(b64, &der, &n) != CB_OK)
		return -1;
	const unsigned char *p = der;
	pub = d2i_PUBKEY(NULL, &p, (long)n);
	free(der);
	free(b64);
	return pub ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	cb_odk_key_free(&key);
	EVP_PKEY_free(pub);
	return 0;
}

/* OAEP encryption by OpenSSL with a chosen MGF1 digest, base64 out. */
static char *wrap(const uint8_t *in, size_t n, const EVP_MD *mgf1)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pub, NULL);
	unsigned char out[256];
	size_t on = sizeof out;
	assert_true(EVP_PKEY_encrypt_init(c) > 0);
	EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING);
	EVP_PKEY_CTX_set_rsa_oaep_md(c, EVP_sha256());
	EVP_PKEY_CTX_set_rsa_mgf1_md(c, mgf1);
	assert_true(EVP_PKEY_encrypt(c, out, &on, in, n) > 0);
	EVP_PKEY_CTX_free(c);
	char *b = malloc(400);
	EVP_EncodeBlock((unsigned char *)b, out, (int)on);
	return b;
}

static void test_sealed_key(void **state)
{
	(void)state;
	uint8_t master[CB_KEY_BYTES], other[CB_KEY_BYTES], *blob;
	size_t n;
	struct cb_odk_key *back = NULL;
	cb_random_bytes(master, sizeof master);
	cb_random_bytes(other, sizeof other);
	assert_int_equal(cb_odk_key_seal(key, master, &blob, &n), CB_OK);
	assert_true(n > 1000); /* a PKCS#8 RSA 2048 key, sealed */
	assert_int_equal(cb_odk_key_open(other, blob, n, &back), CB_ECORRUPT);
	blob[n / 2] ^= 1;
	assert_int_equal(cb_odk_key_open(master, blob, n, &back), CB_ECORRUPT);
	blob[n / 2] ^= 1;
	assert_int_equal(cb_odk_key_open(master, blob, n, &back), CB_OK);
	/* the opened key decrypts what the public key wrapped */
	uint8_t aes[32], got[32];
	cb_random_bytes(aes, sizeof aes);
	char *w = wrap(aes, sizeof aes, EVP_sha256());
	assert_int_equal(cb_odk_unwrap(back, w, got), CB_OK);
	assert_memory_equal(aes, got, 32);
	free(w);
	cb_odk_key_free(&back);
	free(blob);
}

static void test_oaep_digests(void **state)
{
	(void)state;
	uint8_t aes[32], got[32];
	cb_random_bytes(aes, sizeof aes);
	char *w = wrap(aes, sizeof aes, EVP_sha1());
	assert_int_equal(cb_odk_unwrap(key, w, got), CB_ECORRUPT);
	free(w);
	w = wrap(aes, 31, EVP_sha256()); /* not an AES-256 key */
	assert_int_equal(cb_odk_unwrap(key, w, got), CB_ECORRUPT);
	free(w);
	assert_int_equal(cb_odk_unwrap(key, "not base64!", got), CB_EINVAL);
	assert_int_equal(cb_odk_unwrap(key, "AAAA", got), CB_EINVAL);
	/* and ours round-trips */
	assert_int_equal(cb_odk_rsa_encrypt_b64(key, aes, sizeof aes, &w), CB_OK);
	assert_int_equal(cb_odk_unwrap(key, w, got), CB_OK);
	assert_memory_equal(aes, got, 32);
	free(w);
}

static void test_iv_rule(void **state)
{
	(void)state;
	uint8_t k[32], seed[16], iv[16];
	unsigned hl;
	for (int i = 0; i < 32; i++)
		k[i] = (uint8_t)i;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(md, EVP_md5(), NULL);
	EVP_DigestUpdate(md, "uuid:abc", 8);
	EVP_DigestUpdate(md, k, 32);
	EVP_DigestFinal_ex(md, seed, &hl);
	EVP_MD_CTX_free(md);
	cb_odk_iv("uuid:abc", k, 0, iv); /* the first file: byte 0 once */
	assert_int_equal(iv[0], (uint8_t)(seed[0] + 1));
	assert_memory_equal(iv + 1, seed + 1, 15);
	cb_odk_iv("uuid:abc", k, 16, iv); /* the 17th: every byte once, byte 0 twice */
	assert_int_equal(iv[0], (uint8_t)(seed[0] + 2));
	for (int i = 1; i < 16; i++)
		assert_int_equal(iv[i], (uint8_t)(seed[i] + 1));
}

static void test_files(void **state)
{
	(void)state;
	uint8_t k[32], iv[16], *enc, *dec;
	size_t en, dn;
	cb_random_bytes(k, sizeof k);
	cb_random_bytes(iv, sizeof iv);
	const char *text = "<data id=\"f\"><x>sixteen bytes!!</x></data>";
	size_t tl = strlen(text);
	assert_int_equal(cb_odk_encrypt_file(k, iv, (const uint8_t *)text, tl, &enc, &en), CB_OK);
	assert_int_equal(en % 16, 0);
	assert_true(en > tl);
	/* OpenSSL's own CFB gives the same bytes: the mode is AES-256-CFB128 */
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t plain[64];
	int l;
	EVP_DecryptInit_ex(c, EVP_aes_256_cfb128(), NULL, k, iv);
	EVP_DecryptUpdate(c, plain, &l, enc, (int)en);
	EVP_CIPHER_CTX_free(c);
	assert_memory_equal(plain, text, tl);
	assert_int_equal(plain[en - 1], en - tl);
	assert_int_equal(cb_odk_decrypt_file(k, iv, enc, en, &dec, &dn), CB_OK);
	assert_int_equal(dn, tl);
	assert_memory_equal(dec, text, tl);
	free(dec);
	assert_int_equal(cb_odk_decrypt_file(k, iv, enc, en - 16, &dec, &dn), CB_ECORRUPT); /* truncated */
	assert_int_equal(cb_odk_decrypt_file(k, iv, enc, en - 1, &dec, &dn), CB_ECORRUPT);  /* not whole blocks */
	enc[en - 1] ^= 0x7f;                                                               /* padding altered */
	assert_int_equal(cb_odk_decrypt_file(k, iv, enc, en, &dec, &dn), CB_ECORRUPT);
	assert_int_equal(cb_odk_decrypt_file(k, iv, enc, 0, &dec, &dn), CB_ECORRUPT);
	free(enc);
}

static void test_signature(void **state)
{
	(void)state;
	const char *src = "casebank_registration\n12\nKEY\nuuid:1\nsubmission.xml::0123\n";
	uint8_t d[16];
	unsigned hl;
	EVP_Digest(src, strlen(src), d, &hl, EVP_md5(), NULL);
	char *sig = wrap(d, sizeof d, EVP_sha256());
	assert_int_equal(cb_odk_signature_check(key, sig, src, strlen(src)), CB_OK);
	assert_int_equal(cb_odk_signature_check(key, sig, src, strlen(src) - 1), CB_ECORRUPT);
	free(sig);
	sig = wrap(d, 15, EVP_sha256());
	assert_int_equal(cb_odk_signature_check(key, sig, src, strlen(src)), CB_ECORRUPT);
	free(sig);
	char md5[33];
	cb_odk_md5_hex("", 0, md5);
	assert_string_equal(md5, "d41d8cd98f00b204e9800998ecf8427e");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sealed_key), cmocka_unit_test(test_oaep_digests), cmocka_unit_test(test_iv_rule),
		cmocka_unit_test(test_files),      cmocka_unit_test(test_signature),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
