/*
 * odk.h -- the server side of the ODK encryption specification (getodk.github.io/xforms-spec/encryption):
 * the RSA key pair whose public half goes into every casebank form, kept sealed by the master key, and the
 * decryption of what ODK Collect, KoboCollect and Enketo send.  OpenSSL does RSA, AES and MD5 (the spec
 * fixes those algorithms; libsodium has none of them).
 *
 * A submission: a random 256-bit AES key, RSA-OAEP encrypted with SHA-256 for both the OAEP digest and MGF1
 * (base64EncryptedKey); each file (media in manifest order, then the submission XML) AES-256-CFB with PKCS#7
 * padding under its own IV: the MD5 of instanceID followed by the key, byte (i mod 16) incremented once per
 * file before it is used; and base64EncryptedElementSignature, the MD5 of a fixed list of lines
 * (cb_odk_signature_source) encrypted like the key.
 */
#ifndef CB_CRYPTO_ODK_H
#define CB_CRYPTO_ODK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

#define CB_ODK_RSA_BITS 2048
#define CB_ODK_AES_BYTES 32

struct cb_odk_key;
/* A new RSA 2048 key pair. */
int cb_odk_key_generate(struct cb_odk_key **out);
/* The private key sealed by a key derived from the master key (PKCS#8 DER inside, never in plain on disk):
 * *blob malloc'd, *n bytes. */
int cb_odk_key_seal(const struct cb_odk_key *k, const uint8_t master[CB_KEY_BYTES], uint8_t **blob, size_t *n);
/* CB_ECORRUPT when the blob fails authentication (another master key, tampering). */
int cb_odk_key_open(const uint8_t master[CB_KEY_BYTES], const uint8_t *blob, size_t n, struct cb_odk_key **out);
/* The public key as the form's base64RsaPublicKey: base64 of the DER SubjectPublicKeyInfo, malloc'd. */
int cb_odk_key_public_b64(const struct cb_odk_key *k, char **out);
void cb_odk_key_free(struct cb_odk_key **k);

/* base64EncryptedKey -> the submission's AES key.  CB_EINVAL when it is not base64 of 256 bytes, CB_ECORRUPT
 * when the OAEP decoding fails (another key, tampering). */
int cb_odk_unwrap(const struct cb_odk_key *k, const char *b64, uint8_t key[CB_ODK_AES_BYTES]);
/* The IV of file number `index` (0: the first media file; the XML is the last). */
void cb_odk_iv(const char *instance_id, const uint8_t key[CB_ODK_AES_BYTES], int index, uint8_t iv[16]);
/* Decrypts one file into *out (malloc'd; the caller wipes and frees it), padding removed.  CB_ECORRUPT for
 * a length that is not whole blocks or a padding that is not PKCS#7 (a truncated or altered file). */
int cb_odk_decrypt_file(const uint8_t key[CB_ODK_AES_BYTES], const uint8_t iv[16], const uint8_t *in, size_t n,
			uint8_t **out, size_t *outn);
/* The client's side (tests, benchmarks, and the same code path backwards): encrypts with padding. */
int cb_odk_encrypt_file(const uint8_t key[CB_ODK_AES_BYTES], const uint8_t iv[16], const uint8_t *in, size_t n,
			uint8_t **out, size_t *outn);
/* RSA-OAEP (SHA-256, MGF1 SHA-256) with the public half, base64 out (malloc'd): what a phone does. */
int cb_odk_rsa_encrypt_b64(const struct cb_odk_key *k, const uint8_t *in, size_t n, char **out);
/* Lowercase hex MD5 of data, as the signature source writes each file's. */
void cb_odk_md5_hex(const void *data, size_t n, char out[33]);
/* Checks base64EncryptedElementSignature against the signature source (the lines formId, version if any,
 * base64EncryptedKey, instanceID, "name::md5" per media file, "submission.xml::md5", each ending in \n).
 * CB_ECORRUPT when it does not match. */
int cb_odk_signature_check(const struct cb_odk_key *k, const char *b64sig, const char *source, size_t n);

/* Strict base64 (RFC 4648, padded, whitespace allowed as in XML text) into *out (malloc'd). */
int cb_odk_b64_decode(const char *b64, uint8_t **out, size_t *n);

#endif
