/*
 * odk_client.h -- what ODK Collect does before it sends a form, for the C tests and bench/odk: encrypts a
 * submission instance by the ODK encryption specification with OpenSSL directly (not casebank's
 * crypto/odk.c, whose decryption it checks) and builds the multipart/form-data body of the OpenRosa
 * Form Submission API.  Header-only, like cb_test.h.  (The browser tests have an independent Node builder,
 * tests/odk/encrypt.mjs.)
 */
#ifndef CB_ODK_CLIENT_H
#define CB_ODK_CLIENT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#define ODKC_BOUNDARY "odkclientBoundary7d3f"

/* The public key of a form: its base64RsaPublicKey attribute. */
static inline EVP_PKEY *odkc_pubkey(const char *form_xml)
{
	const char *p = strstr(form_xml, "base64RsaPublicKey=\"");
	if (!p)
		return NULL;
	p += 20;
	size_t n = strcspn(p, "\"");
	unsigned char *der = malloc(n);
	int len = EVP_DecodeBlock(der, (const unsigned char *)p, (int)n);
	while (len > 0 && p[n - 1] == '=') /* DecodeBlock counts the padding as zero bytes */
		len--, n--;
	const unsigned char *q = der;
	EVP_PKEY *k = d2i_PUBKEY(NULL, &q, len);
	free(der);
	return k;
}

static inline char *odkc_b64(const unsigned char *in, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	return out;
}

static inline char *odkc_oaep(EVP_PKEY *k, const unsigned char *in, size_t n)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
	unsigned char out[512];
	size_t on = sizeof out;
	EVP_PKEY_encrypt_init(c);
	EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING);
	EVP_PKEY_CTX_set_rsa_oaep_md(c, EVP_sha256());
	EVP_PKEY_CTX_set_rsa_mgf1_md(c, EVP_sha256());
	int ok = EVP_PKEY_encrypt(c, out, &on, in, n) > 0;
	EVP_PKEY_CTX_free(c);
	return ok ? odkc_b64(out, on) : NULL;
}

static inline void odkc_md5hex(const void *d, size_t n, char out[33])
{
	unsigned char h[16];
	unsigned hl;
	EVP_Digest(d, n, h, &hl, EVP_md5(), NULL);
	for (int i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", h[i]);
}

/* AES-256-CFB with PKCS#7 padding. */
static inline unsigned char *odkc_aes(const unsigned char key[32], const unsigned char iv[16], const void *in, size_t n,
				      size_t *outn)
{
	size_t pad = 16 - n % 16;
	unsigned char *p = malloc(n + pad), *out = malloc(n + pad);
	memcpy(p, in, n);
	memset(p + n, (int)pad, pad);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int l1, l2;
	EVP_EncryptInit_ex(c, EVP_aes_256_cfb128(), NULL, key, iv);
	EVP_EncryptUpdate(c, out, &l1, p, (int)(n + pad));
	EVP_EncryptFinal_ex(c, out + l1, &l2);
	EVP_CIPHER_CTX_free(c);
	free(p);
	*outn = n + pad;
	return out;
}

/* One part of a multipart body. */
static inline void odkc_part(FILE *f, const char *name, const char *filename, const char *ctype, const void *d, size_t n)
{
	fprintf(f, "--" ODKC_BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\"", name);
	if (filename)
		fprintf(f, "; filename=\"%s\"", filename);
	fprintf(f, "\r\nContent-Type: %s\r\n\r\n", ctype);
	fwrite(d, 1, n, f);
	fputs("\r\n", f);
}

/* The multipart body of a plain (unencrypted) submission. */
static inline char *odkc_plain_body(const char *instance, size_t *len)
{
	char *body = NULL;
	FILE *f = open_memstream(&body, len);
	odkc_part(f, "xml_submission_file", "submission.xml", "text/xml", instance, strlen(instance));
	fputs("--" ODKC_BOUNDARY "--\r\n", f);
	fclose(f);
	return body;
}

/* The multipart body of an encrypted submission of `instance` (form form_id, version, instanceID iid) with
 * one optional media file.  tamper: 0 none; 1 flips a byte of the encrypted XML; 2 cuts its last block;
 * 3 signs something else. */
static inline char *odkc_encrypted_body(EVP_PKEY *pub, const char *form_id, const char *version, const char *iid,
					const char *instance, const char *media_name, const char *media, int tamper,
					size_t *len)
{
	unsigned char key[32], iv[16];
	unsigned hl;
	RAND_bytes(key, sizeof key);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(md, EVP_md5(), NULL);
	EVP_DigestUpdate(md, iid, strlen(iid));
	EVP_DigestUpdate(md, key, sizeof key);
	EVP_DigestFinal_ex(md, iv, &hl);
	EVP_MD_CTX_free(md);
	char *enc_key = odkc_oaep(pub, key, sizeof key);
	char *src = NULL, md5[33];
	size_t srclen;
	FILE *s = open_memstream(&src, &srclen);
	fprintf(s, "%s\n%s\n%s\n%s\n", form_id, version, enc_key, iid);
	unsigned char *enc_media = NULL;
	size_t enc_media_n = 0;
	int idx = 0;
	if (media_name) {
		iv[idx % 16]++, idx++;
		enc_media = odkc_aes(key, iv, media, strlen(media), &enc_media_n);
		odkc_md5hex(media, strlen(media), md5);
		fprintf(s, "%s::%s\n", media_name, md5);
	}
	iv[idx % 16]++, idx++;
	size_t enc_n;
	unsigned char *enc = odkc_aes(key, iv, instance, strlen(instance), &enc_n);
	odkc_md5hex(instance, strlen(instance), md5);
	fprintf(s, "submission.xml::%s\n", tamper == 3 ? "00000000000000000000000000000000" : md5);
	fclose(s);
	unsigned char digest[16];
	EVP_Digest(src, srclen, digest, &hl, EVP_md5(), NULL);
	char *sig = odkc_oaep(pub, digest, sizeof digest);
	if (tamper == 1)
		enc[enc_n / 2] ^= 0x40;
	if (tamper == 2)
		enc_n -= 16;
	char *manifest = NULL;
	size_t mlen;
	FILE *m = open_memstream(&manifest, &mlen);
	fprintf(m, "<?xml version=\"1.0\"?>\n<data xmlns=\"http://opendatakit.org/submissions\" id=\"%s\" "
		   "encrypted=\"yes\" version=\"%s\">\n<base64EncryptedKey>%s</base64EncryptedKey>\n"
		   "<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>\n",
		form_id, version, enc_key);
	if (media_name)
		fprintf(m, "<media><file>%s.enc</file></media>\n", media_name);
	fprintf(m, "<base64EncryptedElementSignature>%s</base64EncryptedElementSignature>\n"
		   "<meta xmlns=\"http://openrosa.org/xforms\"><instanceID>%s</instanceID></meta>\n</data>\n",
		sig, iid);
	fclose(m);
	char *body = NULL;
	FILE *f = open_memstream(&body, len);
	odkc_part(f, "xml_submission_file", "submission.xml", "text/xml", manifest, mlen);
	odkc_part(f, "submission.xml.enc", "submission.xml.enc", "application/octet-stream", enc, enc_n);
	if (media_name) {
		char fn[256];
		snprintf(fn, sizeof fn, "%s.enc", media_name);
		odkc_part(f, fn, fn, "application/octet-stream", enc_media, enc_media_n);
	}
	fputs("--" ODKC_BOUNDARY "--\r\n", f);
	fclose(f);
	free(enc_key);
	free(sig);
	free(src);
	free(enc);
	free(enc_media);
	free(manifest);
	return body;
}

#endif
