/*
 * test_crypto.c -- tests of src/crypto/crypto.c: the key file (permissions, refusal to overwrite, malformed
 * content), sealing and tamper detection, key wrapping bound to the case id, sub-keys and keyed hashes.
 */
#define _GNU_SOURCE /* memmem */
#include "cb_test.h"

#include <fcntl.h>

#include "crypto/crypto.h"

static void test_keyfile_create_load(void **state)
{
	(void)state;
	struct cb_err err = {0};
	uint8_t k1[CB_KEY_BYTES], k2[CB_KEY_BYTES];
	const char *p = cbt_path("k1.key");
	assert_int_equal(cb_keyfile_create(p, &err), CB_OK);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	size_t len = 0;
	char *text = cbt_read(p, &len);
	assert_non_null(text);
	assert_int_equal(len, strlen("casebank-master-key-v1\n") + 65);
	assert_memory_equal(text, "casebank-master-key-v1\n", 23);
	assert_int_equal(text[len - 1], '\n');
	assert_int_equal(cb_keyfile_load(p, k1, &err), CB_OK);
	assert_int_equal(cb_keyfile_load(p, k2, &err), CB_OK);
	assert_memory_equal(k1, k2, sizeof k1);
	/* refuses to overwrite, and the file is unchanged */
	assert_int_equal(cb_keyfile_create(p, &err), CB_EEXIST);
	char *again = cbt_read(p, NULL);
	assert_string_equal(text, again);
	free(again);
	/* a second key file holds a different key */
	const char *q = cbt_path("k2.key");
	assert_int_equal(cb_keyfile_create(q, &err), CB_OK);
	assert_int_equal(cb_keyfile_load(q, k2, &err), CB_OK);
	assert_memory_not_equal(k1, k2, sizeof k1);
	free(text);
}

static void test_keyfile_permissions(void **state)
{
	(void)state;
	struct cb_err err = {0};
	uint8_t k[CB_KEY_BYTES];
	const char *p = cbt_path("perm.key");
	assert_int_equal(cb_keyfile_create(p, &err), CB_OK);
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(cb_keyfile_load(p, k, &err), CB_EKEY);
	assert_non_null(strstr(err.msg, "group or others"));
	assert_non_null(strstr(err.msg, "chmod 600"));
	assert_int_equal(chmod(p, 0604), 0);
	assert_int_equal(cb_keyfile_load(p, k, &err), CB_EKEY);
	assert_int_equal(chmod(p, 0600), 0);
	assert_int_equal(cb_keyfile_load(p, k, &err), CB_OK);
	assert_int_equal(cb_keyfile_load(cbt_path("missing.key"), k, &err), CB_EKEY);
}

/* Writes text to a mode-0600 file and expects load to refuse it without echoing its content. */
static void expect_malformed(const char *name, const char *text)
{
	struct cb_err err = {0};
	uint8_t k[CB_KEY_BYTES];
	const char *p = cbt_path("%s", name);
	cbt_write(p, text);
	assert_int_equal(chmod(p, 0600), 0);
	assert_int_equal(cb_keyfile_load(p, k, &err), CB_EKEY);
	assert_int_equal(err.code, CB_EKEY);
	assert_null(strstr(err.msg, "0123456789abcdef"));
}

static void test_keyfile_malformed(void **state)
{
	(void)state;
	const char *hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char buf[256];
	expect_malformed("empty.key", "");
	snprintf(buf, sizeof buf, "casebank-master-key-v2\n%s\n", hex64);
	expect_malformed("header.key", buf);
	snprintf(buf, sizeof buf, "casebank-master-key-v1\n%.62s\n", hex64);
	expect_malformed("short.key", buf);
	snprintf(buf, sizeof buf, "casebank-master-key-v1\n%sab\n", hex64);
	expect_malformed("long.key", buf);
	snprintf(buf, sizeof buf, "casebank-master-key-v1\n%.63sg\n", hex64);
	expect_malformed("nothex.key", buf);
	/* well-formed, written by hand: accepted, with or without the final newline */
	struct cb_err err = {0};
	uint8_t k[CB_KEY_BYTES];
	const char *p = cbt_path("hand.key");
	snprintf(buf, sizeof buf, "casebank-master-key-v1\n%s", hex64);
	cbt_write(p, buf);
	assert_int_equal(chmod(p, 0600), 0);
	assert_int_equal(cb_keyfile_load(p, k, &err), CB_OK);
	assert_int_equal(k[0], 0x01);
	assert_int_equal(k[31], 0xef);
}

static void test_seal_unseal_tamper(void **state)
{
	(void)state;
	uint8_t key[CB_KEY_BYTES], other[CB_KEY_BYTES], id[16] = {1, 2, 3}, id2[16] = {1, 2, 4};
	const char msg[] = "Marija Kovalenko +380501234567";
	uint8_t sealed[sizeof msg + CB_SEAL_OVERHEAD], sealed2[sizeof msg + CB_SEAL_OVERHEAD], plain[sizeof msg];
	cb_case_key_new(key);
	cb_case_key_new(other);
	cb_seal(key, id, 16, msg, sizeof msg, sealed);
	assert_null(memmem(sealed, sizeof sealed, "Marija", 6));
	assert_int_equal(cb_unseal(key, id, 16, sealed, sizeof sealed, plain), CB_OK);
	assert_string_equal((char *)plain, msg);
	/* fresh nonce each time */
	cb_seal(key, id, 16, msg, sizeof msg, sealed2);
	assert_memory_not_equal(sealed, sealed2, sizeof sealed);
	/* wrong key, wrong associated data, every flipped byte, truncation */
	assert_int_equal(cb_unseal(other, id, 16, sealed, sizeof sealed, plain), CB_ECORRUPT);
	assert_int_equal(cb_unseal(key, id2, 16, sealed, sizeof sealed, plain), CB_ECORRUPT);
	for (size_t i = 0; i < sizeof sealed; i++) {
		sealed[i] ^= 0x40;
		assert_int_equal(cb_unseal(key, id, 16, sealed, sizeof sealed, plain), CB_ECORRUPT);
		sealed[i] ^= 0x40;
	}
	assert_int_equal(cb_unseal(key, id, 16, sealed, sizeof sealed - 1, plain), CB_ECORRUPT);
	assert_int_equal(cb_unseal(key, id, 16, sealed, CB_SEAL_OVERHEAD - 1, plain), CB_ECORRUPT);
	/* empty message */
	uint8_t empty[CB_SEAL_OVERHEAD];
	cb_seal(key, id, 16, "", 0, empty);
	assert_int_equal(cb_unseal(key, id, 16, empty, sizeof empty, plain), CB_OK);
}

static void test_key_wrap(void **state)
{
	(void)state;
	uint8_t m1[CB_KEY_BYTES], m2[CB_KEY_BYTES], ck[CB_KEY_BYTES], out[CB_KEY_BYTES];
	uint8_t id[16] = {9}, id2[16] = {8}, w[CB_WRAPPED_KEY_BYTES];
	cb_random_bytes(m1, sizeof m1);
	cb_random_bytes(m2, sizeof m2);
	cb_case_key_new(ck);
	cb_key_wrap(m1, id, ck, w);
	assert_null(memmem(w, sizeof w, ck, sizeof ck));
	assert_int_equal(cb_key_unwrap(m1, id, w, out), CB_OK);
	assert_memory_equal(out, ck, sizeof ck);
	assert_int_equal(cb_key_unwrap(m2, id, w, out), CB_ECORRUPT);
	assert_int_equal(cb_key_unwrap(m1, id2, w, out), CB_ECORRUPT);
	w[30] ^= 1;
	assert_int_equal(cb_key_unwrap(m1, id, w, out), CB_ECORRUPT);

	/* with the wrapping key derived once: the same wrapping, interchangeable with the master-key calls */
	uint8_t kek[CB_KEY_BYTES], w2[CB_WRAPPED_KEY_BYTES];
	cb_wrap_key_derive(m1, kek);
	assert_memory_not_equal(kek, m1, sizeof kek);
	cb_key_wrap_with(kek, id, ck, w2);
	assert_null(memmem(w2, sizeof w2, ck, sizeof ck));
	assert_int_equal(cb_key_unwrap(m1, id, w2, out), CB_OK);
	assert_memory_equal(out, ck, sizeof ck);
	cb_key_wrap(m1, id, ck, w);
	assert_int_equal(cb_key_unwrap_with(kek, id, w, out), CB_OK);
	assert_memory_equal(out, ck, sizeof ck);
	assert_int_equal(cb_key_unwrap_with(kek, id2, w, out), CB_ECORRUPT);
	assert_int_equal(cb_key_unwrap_with(m1, id, w, out), CB_ECORRUPT); /* the master key itself wraps nothing */
	for (size_t i = 0; i < sizeof out; i++)
		assert_int_equal(out[i], 0); /* wiped on failure */
}

static void test_check_subkey_hash(void **state)
{
	(void)state;
	uint8_t m1[CB_KEY_BYTES], m2[CB_KEY_BYTES], c1[CB_KEY_CHECK_BYTES], c1b[CB_KEY_CHECK_BYTES],
		c2[CB_KEY_CHECK_BYTES];
	cb_random_bytes(m1, sizeof m1);
	memcpy(m2, m1, sizeof m1);
	m2[0] ^= 1;
	cb_key_check(m1, c1);
	cb_key_check(m1, c1b);
	cb_key_check(m2, c2);
	assert_memory_equal(c1, c1b, sizeof c1);
	assert_memory_not_equal(c1, c2, sizeof c1);
	assert_memory_not_equal(c1, m1, sizeof c1);

	uint8_t s1[CB_KEY_BYTES], s2[CB_KEY_BYTES], s3[CB_KEY_BYTES];
	cb_subkey(m1, 1, "importfp", s1);
	cb_subkey(m1, 2, "importfp", s2);
	cb_subkey(m1, 1, "otherctx", s3);
	assert_memory_not_equal(s1, s2, sizeof s1);
	assert_memory_not_equal(s1, s3, sizeof s1);

	uint8_t h1[16], h2[16], h3[16];
	cb_keyed_hash16(s1, "row", 3, h1);
	cb_keyed_hash16(s1, "row", 3, h2);
	cb_keyed_hash16(s2, "row", 3, h3);
	assert_memory_equal(h1, h2, 16);
	assert_memory_not_equal(h1, h3, 16);
}

static void test_random_and_secret(void **state)
{
	(void)state;
	int seen[10] = {0};
	for (int i = 0; i < 2000; i++) {
		uint32_t r = cb_random_uniform(10);
		assert_true(r < 10);
		seen[r]++;
	}
	for (int i = 0; i < 10; i++)
		assert_true(seen[i] > 100);
	uint8_t *s = cb_secret_alloc(64);
	assert_non_null(s);
	memset(s, 0xaa, 64);
	cb_wipe(s, 64);
	for (int i = 0; i < 64; i++)
		assert_int_equal(s[i], 0);
	cb_secret_free(s);
	cb_secret_free(NULL);
}

/* The small-request pool must not hand a forked child the same bytes as its parent (nonce reuse). */
static void test_random_fork(void **state)
{
	(void)state;
	uint8_t first[16], mine[16], childs[16];
	int fds[2];
	cb_random_bytes(first, sizeof first); /* the pool is filled now */
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		cb_random_bytes(childs, sizeof childs);
		_exit(write(fds[1], childs, sizeof childs) == (ssize_t)sizeof childs ? 0 : 1);
	}
	cb_random_bytes(mine, sizeof mine);
	assert_int_equal(read(fds[0], childs, sizeof childs), (ssize_t)sizeof childs);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	close(fds[0]);
	close(fds[1]);
	assert_memory_not_equal(mine, childs, sizeof mine);
	assert_memory_not_equal(first, mine, sizeof mine);
}

int main(void)
{
	if (cb_crypto_init() != CB_OK)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keyfile_create_load), cmocka_unit_test(test_keyfile_permissions),
		cmocka_unit_test(test_keyfile_malformed),   cmocka_unit_test(test_seal_unseal_tamper),
		cmocka_unit_test(test_key_wrap),            cmocka_unit_test(test_check_subkey_hash),
		cmocka_unit_test(test_random_and_secret),   cmocka_unit_test(test_random_fork),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
