/*
 * crypto.h -- keys and authenticated encryption for identifying details (libsodium).
 *
 * Key hierarchy:
 *   master key (32 random bytes, the file DB.key, mode 0600, never in the database)
 *     -> wraps one random case key per case (XChaCha20-Poly1305, associated data = case id)
 *          -> seals that case's identifying details (XChaCha20-Poly1305, associated data = case id)
 *     -> derives sub-keys for keyed hashes (import fingerprints) with crypto_kdf.
 * Destroying a case key makes its details unrecoverable everywhere the ciphertext went, backups included,
 * because case keys live in a separate key store (see store.h) that is never exported.
 *
 * All secret buffers are wiped with sodium_memzero after use.
 */
#ifndef CB_CRYPTO_H
#define CB_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "util/cb.h"

#define CB_KEY_BYTES 32
/* nonce (24) + wrapped key (32) + tag (16) */
#define CB_WRAPPED_KEY_BYTES (24 + 32 + 16)
/* nonce (24) + tag (16) added to every sealed message */
#define CB_SEAL_OVERHEAD (24 + 16)

/* sodium_init; safe to call more than once. */
int cb_crypto_init(void);

/* Creates a new key file with a random master key, mode 0600; refuses to overwrite (CB_EEXIST). */
int cb_keyfile_create(const char *path, struct cb_err *err);
/* Loads a key file; CB_EKEY with a clear message when missing, malformed or readable by others. */
int cb_keyfile_load(const char *path, uint8_t key[CB_KEY_BYTES], struct cb_err *err);

/* A value stored in the database that proves a master key is the right one, without revealing it. */
#define CB_KEY_CHECK_BYTES 32
void cb_key_check(const uint8_t master[CB_KEY_BYTES], uint8_t out[CB_KEY_CHECK_BYTES]);

void cb_random_bytes(void *buf, size_t n);
uint32_t cb_random_uniform(uint32_t upper_bound); /* unbiased, in [0, upper_bound) */

/* Case keys. */
void cb_case_key_new(uint8_t key[CB_KEY_BYTES]);
void cb_key_wrap(const uint8_t master[CB_KEY_BYTES], const uint8_t id[16], const uint8_t key[CB_KEY_BYTES],
		 uint8_t out[CB_WRAPPED_KEY_BYTES]);
/* CB_ECORRUPT when the wrapped key fails authentication (wrong master key, wrong case, tampering). */
int cb_key_unwrap(const uint8_t master[CB_KEY_BYTES], const uint8_t id[16], const uint8_t in[CB_WRAPPED_KEY_BYTES],
		  uint8_t key[CB_KEY_BYTES]);
/* The same with the key-wrapping key derived once (cb_wrap_key_derive; keep it in secret memory) instead of
 * on every call: for many keys in a row. */
void cb_wrap_key_derive(const uint8_t master[CB_KEY_BYTES], uint8_t kek[CB_KEY_BYTES]);
void cb_key_wrap_with(const uint8_t kek[CB_KEY_BYTES], const uint8_t id[16], const uint8_t key[CB_KEY_BYTES],
		      uint8_t out[CB_WRAPPED_KEY_BYTES]);
int cb_key_unwrap_with(const uint8_t kek[CB_KEY_BYTES], const uint8_t id[16], const uint8_t in[CB_WRAPPED_KEY_BYTES],
		       uint8_t key[CB_KEY_BYTES]);

/* Seals n bytes into out (n + CB_SEAL_OVERHEAD bytes, caller-allocated) with a random nonce. */
void cb_seal(const uint8_t key[CB_KEY_BYTES], const uint8_t *ad, size_t adlen, const void *msg, size_t n,
	     uint8_t *out);
/* Opens a sealed message of n bytes into out (n - CB_SEAL_OVERHEAD bytes); CB_ECORRUPT on failure. */
int cb_unseal(const uint8_t key[CB_KEY_BYTES], const uint8_t *ad, size_t adlen, const uint8_t *in, size_t n,
	      uint8_t *out);

/* A sub-key for one purpose; `context` is exactly 8 characters, e.g. "importfp". */
void cb_subkey(const uint8_t master[CB_KEY_BYTES], uint64_t id, const char context[8], uint8_t out[CB_KEY_BYTES]);
/* BLAKE2b keyed hash, 16 bytes out. */
void cb_keyed_hash16(const uint8_t key[CB_KEY_BYTES], const void *data, size_t n, uint8_t out[16]);
/* SipHash-2-4 with a 128-bit output (crypto_shorthash_siphashx24), keyed with the first 16 bytes of key: a
 * PRF like the above at a third of its cost on a row of a few hundred bytes (import fingerprints). */
void cb_fast_hash16(const uint8_t key[CB_KEY_BYTES], const void *data, size_t n, uint8_t out[16]);

/* Memory for secrets: locked, guarded, wiped on free (sodium_malloc). */
void *cb_secret_alloc(size_t n);
void cb_secret_free(void *p);
void cb_wipe(void *p, size_t n);

#endif
