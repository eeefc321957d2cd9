/*
 * crypto.c -- the master key file, case keys, sealing identifying details, keyed hashes (see crypto.h).
 *
 * Everything is libsodium:
 *   sealing and key wrapping   XChaCha20-Poly1305 (IETF), combined mode, a fresh random 24-byte nonce per
 *                              message stored in front of it: random nonces are safe at this nonce size.
 *   sub-keys                   crypto_kdf (BLAKE2b) with an 8-character context per purpose, so the master
 *                              key itself never keys two different algorithms.
 *   keyed hashes, key check    crypto_generichash (BLAKE2b) keyed with a sub-key.
 *
 * The key file is two lines: "casebank-master-key-v1" and 64 hex digits.  It is created exclusively
 * (never overwritten: losing the old key would lose every identifying detail) with mode 0600 and written
 * durably; it is refused on load when group or others have any access to it.  No error message ever
 * contains key material or file content.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/crypto.h"

#define KEYFILE_HEADER "casebank-master-key-v1"
/* header + '\n' + 64 hex + '\n' */
#define KEYFILE_LEN (sizeof KEYFILE_HEADER + 2 * CB_KEY_BYTES + 1)

/* Sub-key ids and contexts of the master key's own uses (cb_subkey callers elsewhere pick their own). */
#define WRAP_SUBKEY_ID 1
#define WRAP_CONTEXT "casewrap"
#define CHECK_SUBKEY_ID 1
#define CHECK_CONTEXT "keycheck"

_Static_assert(CB_KEY_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "key size");
_Static_assert(CB_SEAL_OVERHEAD ==
		       crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES,
	       "seal overhead");
_Static_assert(CB_WRAPPED_KEY_BYTES == CB_KEY_BYTES + CB_SEAL_OVERHEAD, "wrapped key size");
_Static_assert(CB_KEY_BYTES == crypto_kdf_KEYBYTES, "kdf key size");

int cb_crypto_init(void)
{
	return sodium_init() < 0 ? CB_EIO : CB_OK;
}

/* ---- key file */

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsync the directory holding path, so that the new directory entry survives a crash. */
static int fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int rc = -1;
	if (!copy)
		return -1;
	int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		rc = fsync(dfd);
		close(dfd);
	}
	free(copy);
	return rc;
}

int cb_keyfile_create(const char *path, struct cb_err *err)
{
	int rc = CB_EIO, fd = -1;
	bool created = false;
	uint8_t key[CB_KEY_BYTES];
	char text[KEYFILE_LEN + 1];

	if (cb_crypto_init() != CB_OK)
		return cb_err_set(err, CB_EIO, "cannot initialise libsodium");
	/* O_EXCL: an existing key file is never replaced; O_NOFOLLOW: nor written through a planted link. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			rc = cb_err_set(err, CB_EEXIST, "%s: the key file already exists; refusing to overwrite it",
					path);
		else
			rc = cb_err_set(err, CB_EIO, "%s: cannot create the key file: %s", path, strerror(errno));
		goto out;
	}
	created = true;
	if (fchmod(fd, 0600) != 0) /* the umask may have taken bits away, never added: be explicit anyway */
		goto fail;
	randombytes_buf(key, sizeof key); /* straight from the OS: this key outlives everything */
	memcpy(text, KEYFILE_HEADER "\n", sizeof KEYFILE_HEADER);
	sodium_bin2hex(text + sizeof KEYFILE_HEADER, 2 * CB_KEY_BYTES + 1, key, sizeof key);
	text[KEYFILE_LEN - 1] = '\n';
	text[KEYFILE_LEN] = 0;
	if (write_all(fd, text, KEYFILE_LEN) != 0 || fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (fsync_dir_of(path) != 0)
		goto fail;
	rc = CB_OK;
	goto out;
fail:
	rc = cb_err_set(err, CB_EIO, "%s: cannot write the key file: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (created)
		unlink(path);
out:
	sodium_memzero(key, sizeof key);
	sodium_memzero(text, sizeof text);
	return rc;
}

int cb_keyfile_load(const char *path, uint8_t key[CB_KEY_BYTES], struct cb_err *err)
{
	int rc = CB_EKEY, fd = -1;
	char text[KEYFILE_LEN + 2];
	size_t len = 0, keylen = 0;
	struct stat st;

	if (cb_crypto_init() != CB_OK)
		return cb_err_set(err, CB_EIO, "cannot initialise libsodium");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = cb_err_set(err, CB_EKEY, "%s: cannot open the key file: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = cb_err_set(err, CB_EKEY, "%s: the key file is not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077) {
		rc = cb_err_set(err, CB_EKEY,
				"%s: the key file is accessible by group or others (mode %04o); "
				"run: chmod 600 %s",
				path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	/* Read at most one byte more than a valid file holds, to tell "too long" from "just right". */
	while (len < sizeof text - 1) {
		ssize_t r = read(fd, text + len, sizeof text - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = cb_err_set(err, CB_EKEY, "%s: cannot read the key file: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	text[len] = 0;
	if (len < sizeof KEYFILE_HEADER || memcmp(text, KEYFILE_HEADER "\n", sizeof KEYFILE_HEADER) != 0) {
		rc = cb_err_set(err, CB_EKEY, "%s: not a casebank key file (expected the first line %s)", path,
				KEYFILE_HEADER);
		goto out;
	}
	const char *hex = text + sizeof KEYFILE_HEADER;
	size_t hexlen = len - sizeof KEYFILE_HEADER;
	if (hexlen > 0 && hex[hexlen - 1] == '\n')
		hexlen--;
	if (hexlen != 2 * CB_KEY_BYTES ||
	    sodium_hex2bin(key, CB_KEY_BYTES, hex, hexlen, NULL, &keylen, NULL) != 0 || keylen != CB_KEY_BYTES) {
		sodium_memzero(key, CB_KEY_BYTES);
		rc = cb_err_set(err, CB_EKEY, "%s: malformed key file (expected %d hexadecimal digits on line 2)",
				path, 2 * CB_KEY_BYTES);
		goto out;
	}
	rc = CB_OK;
out:
	if (fd >= 0)
		close(fd);
	sodium_memzero(text, sizeof text);
	return rc;
}

void cb_key_check(const uint8_t master[CB_KEY_BYTES], uint8_t out[CB_KEY_CHECK_BYTES])
{
	static const char msg[] = "casebank key check v1";
	uint8_t sub[CB_KEY_BYTES];
	cb_subkey(master, CHECK_SUBKEY_ID, CHECK_CONTEXT, sub);
	crypto_generichash(out, CB_KEY_CHECK_BYTES, (const uint8_t *)msg, sizeof msg - 1, sub, sizeof sub);
	sodium_memzero(sub, sizeof sub);
}

/* ---- randomness
 *
 * The operating system's generator costs a system call (about a microsecond) per request, and adding a case
 * needs several small draws (id, record key, case key, two nonces).  So small requests are served from a
 * per-thread pool of 4 KiB; every byte handed out is wiped from the pool, and a forked child discards its
 * copy so parent and child never hand out the same bytes (nonce reuse).  The pool is the ChaCha20 stream of
 * a fresh 256-bit seed from the OS (libsodium's randombytes_buf_deterministic): one system call per refill,
 * where asking the OS for 4 KiB itself costs sixteen (libsodium reads getrandom 256 bytes at a time). */

#define POOL_BYTES 4096
#define POOL_MAX_REQUEST 256
static _Thread_local struct {
	uint8_t buf[POOL_BYTES];
	size_t pos; /* bytes before pos are used (and wiped); 0 with `filled` false means never filled */
	bool filled;
} pool;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void pool_discard(void)
{
	sodium_memzero(pool.buf, sizeof pool.buf);
	pool.filled = false;
}

static void pool_register(void)
{
	pthread_atfork(NULL, NULL, pool_discard);
}

void cb_random_bytes(void *buf, size_t n)
{
	if (n > POOL_MAX_REQUEST) {
		randombytes_buf(buf, n);
		return;
	}
	if (!pool.filled || POOL_BYTES - pool.pos < n) {
		uint8_t seed[randombytes_SEEDBYTES];
		pthread_once(&pool_once, pool_register);
		randombytes_buf(seed, sizeof seed);
		randombytes_buf_deterministic(pool.buf, sizeof pool.buf, seed);
		sodium_memzero(seed, sizeof seed);
		pool.pos = 0;
		pool.filled = true;
	}
	memcpy(buf, pool.buf + pool.pos, n);
	sodium_memzero(pool.buf + pool.pos, n);
	pool.pos += n;
}

uint32_t cb_random_uniform(uint32_t upper_bound)
{
	uint32_t r;
	if (upper_bound < 2)
		return 0;
	/* rejection sampling: drop the low values that would make r % upper_bound biased */
	const uint32_t min = (uint32_t)(-upper_bound) % upper_bound;
	do
		cb_random_bytes(&r, sizeof r);
	while (r < min);
	return r % upper_bound;
}

/* ---- case keys and sealing */

void cb_case_key_new(uint8_t key[CB_KEY_BYTES])
{
	cb_random_bytes(key, CB_KEY_BYTES);
}

void cb_seal(const uint8_t key[CB_KEY_BYTES], const uint8_t *ad, size_t adlen, const void *msg, size_t n,
	     uint8_t *out)
{
	uint8_t *nonce = out;
	cb_random_bytes(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL, msg,
						   n, ad, adlen, NULL, nonce, key);
}

int cb_unseal(const uint8_t key[CB_KEY_BYTES], const uint8_t *ad, size_t adlen, const uint8_t *in, size_t n,
	      uint8_t *out)
{
	if (n < CB_SEAL_OVERHEAD)
		return CB_ECORRUPT;
	const size_t np = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, in + np, n - np, ad, adlen, in, key) != 0)
		return CB_ECORRUPT;
	return CB_OK;
}

void cb_wrap_key_derive(const uint8_t master[CB_KEY_BYTES], uint8_t kek[CB_KEY_BYTES])
{
	cb_subkey(master, WRAP_SUBKEY_ID, WRAP_CONTEXT, kek);
}

void cb_key_wrap_with(const uint8_t kek[CB_KEY_BYTES], const uint8_t id[16], const uint8_t key[CB_KEY_BYTES],
		      uint8_t out[CB_WRAPPED_KEY_BYTES])
{
	cb_seal(kek, id, 16, key, CB_KEY_BYTES, out);
}

int cb_key_unwrap_with(const uint8_t kek[CB_KEY_BYTES], const uint8_t id[16], const uint8_t in[CB_WRAPPED_KEY_BYTES],
		       uint8_t key[CB_KEY_BYTES])
{
	int rc = cb_unseal(kek, id, 16, in, CB_WRAPPED_KEY_BYTES, key);
	if (rc != CB_OK)
		sodium_memzero(key, CB_KEY_BYTES);
	return rc;
}

void cb_key_wrap(const uint8_t master[CB_KEY_BYTES], const uint8_t id[16], const uint8_t key[CB_KEY_BYTES],
		 uint8_t out[CB_WRAPPED_KEY_BYTES])
{
	uint8_t kek[CB_KEY_BYTES];
	cb_wrap_key_derive(master, kek);
	cb_key_wrap_with(kek, id, key, out);
	sodium_memzero(kek, sizeof kek);
}

int cb_key_unwrap(const uint8_t master[CB_KEY_BYTES], const uint8_t id[16], const uint8_t in[CB_WRAPPED_KEY_BYTES],
		  uint8_t key[CB_KEY_BYTES])
{
	uint8_t kek[CB_KEY_BYTES];
	cb_wrap_key_derive(master, kek);
	int rc = cb_key_unwrap_with(kek, id, in, key);
	sodium_memzero(kek, sizeof kek);
	return rc;
}

/* ---- sub-keys and hashes */

void cb_subkey(const uint8_t master[CB_KEY_BYTES], uint64_t id, const char context[8], uint8_t out[CB_KEY_BYTES])
{
	crypto_kdf_derive_from_key(out, CB_KEY_BYTES, id, context, master);
}

void cb_keyed_hash16(const uint8_t key[CB_KEY_BYTES], const void *data, size_t n, uint8_t out[16])
{
	crypto_generichash(out, 16, data, n, key, CB_KEY_BYTES);
}

void cb_fast_hash16(const uint8_t key[CB_KEY_BYTES], const void *data, size_t n, uint8_t out[16])
{
	_Static_assert(crypto_shorthash_siphashx24_KEYBYTES <= CB_KEY_BYTES, "a SipHash key fits in a key");
	_Static_assert(crypto_shorthash_siphashx24_BYTES == 16, "SipHash-128");
	crypto_shorthash_siphashx24(out, data, n, key);
}

/* ---- secret memory */

void *cb_secret_alloc(size_t n)
{
	return sodium_malloc(n);
}

void cb_secret_free(void *p)
{
	sodium_free(p); /* wipes; accepts NULL */
}

void cb_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}
