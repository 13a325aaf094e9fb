// Wrappers for the parts of OpenSSL 3 that Swift cannot import directly:
// function-like macros, SSL_OP_* constants built from macros, and variadic functions.
#ifndef PEERSYNC_COPENSSL_SHIM_H
#define PEERSYNC_COPENSSL_SHIM_H

#include <openssl/opensslv.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/rand.h>
#include <openssl/hmac.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/kdf.h>
#include <sys/time.h>

// MARK: SSL_CTX / SSL macros
static inline long CShim_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
static inline long CShim_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int v) { return SSL_CTX_set_min_proto_version(ctx, v); }
static inline long CShim_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int v) { return SSL_CTX_set_max_proto_version(ctx, v); }
static inline long CShim_SSL_CTX_set1_groups_list(SSL_CTX *ctx, const char *list) { return SSL_CTX_set1_groups_list(ctx, list); }
static inline long CShim_SSL_CTX_set_read_ahead(SSL_CTX *ctx, long on) { return SSL_CTX_set_read_ahead(ctx, on); }
static inline long CShim_SSL_set_mtu(SSL *ssl, long mtu) { return SSL_set_mtu(ssl, mtu); }
static inline long CShim_DTLS_set_link_mtu(SSL *ssl, long mtu) { return DTLS_set_link_mtu(ssl, mtu); }
static inline long CShim_DTLSv1_get_timeout(SSL *ssl, struct timeval *tv) { return DTLSv1_get_timeout(ssl, tv); }
static inline long CShim_DTLSv1_handle_timeout(SSL *ssl) { return DTLSv1_handle_timeout(ssl); }
static inline int CShim_SSL_set_tlsext_host_name(SSL *ssl, const char *name) { return (int)SSL_set_tlsext_host_name(ssl, name); }

// MARK: SSL_OP_* constants (built from function-like macros)
static inline uint64_t CShim_SSL_OP_NO_QUERY_MTU(void) { return SSL_OP_NO_QUERY_MTU; }
static inline uint64_t CShim_SSL_OP_NO_TICKET(void) { return SSL_OP_NO_TICKET; }
static inline uint64_t CShim_SSL_OP_CIPHER_SERVER_PREFERENCE(void) { return SSL_OP_CIPHER_SERVER_PREFERENCE; }
static inline uint64_t CShim_SSL_OP_NO_RENEGOTIATION(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline uint64_t CShim_SSL_OP_NO_COMPRESSION(void) { return SSL_OP_NO_COMPRESSION; }
static inline uint64_t CShim_SSL_OP_COOKIE_EXCHANGE(void) { return SSL_OP_COOKIE_EXCHANGE; }

// MARK: BIO macros
static inline long CShim_BIO_get_mem_data(BIO *b, char **pp) { return BIO_get_mem_data(b, pp); }
static inline void CShim_BIO_set_retry_read(BIO *b) { BIO_set_retry_read(b); }
static inline void CShim_BIO_set_retry_write(BIO *b) { BIO_set_retry_write(b); }
static inline void CShim_BIO_clear_retry_flags(BIO *b) { BIO_clear_retry_flags(b); }
static inline long CShim_BIO_set_mem_eof_return(BIO *b, long v) { return BIO_set_mem_eof_return(b, v); }

// MARK: Errors
static inline unsigned long CShim_ERR_GET_REASON(unsigned long e) { return (unsigned long)ERR_GET_REASON(e); }

// MARK: EC key generation without the variadic EVP_PKEY_Q_keygen
static inline EVP_PKEY *CShim_generate_ec_p256(void) {
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (ctx == NULL) return NULL;
    if (EVP_PKEY_keygen_init(ctx) <= 0 ||
        EVP_PKEY_CTX_set_group_name(ctx, "P-256") <= 0 ||
        EVP_PKEY_generate(ctx, &pkey) <= 0) {
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

// MARK: One-shot KDF / MAC / AEAD helpers (OSSL_PARAM arrays are awkward from Swift).
// Each returns 1 on success and 0 on failure.

/// HKDF-SHA256 (RFC 5869) extract-and-expand through EVP_KDF "HKDF".
static inline int CShim_HKDF_SHA256(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt, size_t salt_len,
                                    const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len) {
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    if (kdf == NULL) return 0;
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (ctx == NULL) return 0;
    static const uint8_t empty = 0;
    OSSL_PARAM params[5];
    int n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)(ikm_len ? ikm : &empty), ikm_len);
    if (salt_len > 0) params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)(info_len ? info : &empty), info_len);
    params[n] = OSSL_PARAM_construct_end();
    int ok = EVP_KDF_derive(ctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(ctx);
    return ok;
}

/// scrypt (RFC 7914) through EVP_KDF "SCRYPT".
static inline int CShim_scrypt(const uint8_t *pass, size_t pass_len, const uint8_t *salt, size_t salt_len,
                               uint64_t n_cost, uint32_t r, uint32_t p, uint8_t *out, size_t out_len) {
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
    if (kdf == NULL) return 0;
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (ctx == NULL) return 0;
    static const uint8_t empty = 0;
    OSSL_PARAM params[6];
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)(pass_len ? pass : &empty), pass_len);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)(salt_len ? salt : &empty), salt_len);
    params[2] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n_cost);
    params[3] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
    params[4] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
    params[5] = OSSL_PARAM_construct_end();
    int ok = EVP_KDF_derive(ctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(ctx);
    return ok;
}

/// HMAC-SHA256 into a 32-byte buffer.
static inline int CShim_HMAC_SHA256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t data_len,
                                    uint8_t out[32]) {
    static const uint8_t empty = 0;
    size_t out_len = 0;
    return EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key_len ? key : &empty, key_len,
                     data_len ? data : &empty, data_len, out, 32, &out_len) != NULL && out_len == 32;
}

/// AES-256-GCM encryption: writes `pt_len` ciphertext bytes to `ct` and a 16-byte tag.
static inline int CShim_AES256GCM_seal(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                                       const uint8_t *pt, size_t pt_len, uint8_t *ct, uint8_t tag[16]) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) return 0;
    int len = 0, ok = 1;
    ok = ok && EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce) == 1;
    ok = ok && (aad_len == 0 || EVP_EncryptUpdate(ctx, NULL, &len, aad, (int)aad_len) == 1);
    ok = ok && (pt_len == 0 || EVP_EncryptUpdate(ctx, ct, &len, pt, (int)pt_len) == 1);
    ok = ok && EVP_EncryptFinal_ex(ctx, ct + (pt_len ? len : 0), &len) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/// AES-256-GCM decryption; returns 0 when the tag does not verify.
static inline int CShim_AES256GCM_open(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
                                       const uint8_t *ct, size_t ct_len, const uint8_t tag[16], uint8_t *pt) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) return 0;
    int len = 0, ok = 1;
    ok = ok && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce) == 1;
    ok = ok && (aad_len == 0 || EVP_DecryptUpdate(ctx, NULL, &len, aad, (int)aad_len) == 1);
    ok = ok && (ct_len == 0 || EVP_DecryptUpdate(ctx, pt, &len, ct, (int)ct_len) == 1);
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag) == 1;
    ok = ok && EVP_DecryptFinal_ex(ctx, pt + (ct_len ? len : 0), &len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

// MARK: DTLS 1.2 AEAD records (DTLSRecordProtection)

/// A cipher context keyed once with `key` for `cipher` (an AEAD with a 12-byte nonce:
/// AES-GCM or ChaCha20-Poly1305), encrypting when `encrypt` is 1. Each record then only sets
/// its nonce. Caller frees with EVP_CIPHER_CTX_free.
static inline EVP_CIPHER_CTX *CShim_DTLSAEAD_new(const EVP_CIPHER *cipher, const uint8_t *key, int encrypt) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) return NULL;
    if (EVP_CipherInit_ex(ctx, cipher, NULL, NULL, NULL, encrypt) != 1
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) != 1
        || EVP_CipherInit_ex(ctx, NULL, NULL, key, NULL, encrypt) != 1) {
        EVP_CIPHER_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/// Seals one record body: `len` bytes of `in` encrypted to `out` (may not overlap `in` partly;
/// the same pointer is fine), then the 16-byte tag at `tag`. 1 on success.
static inline int CShim_DTLSAEAD_seal(EVP_CIPHER_CTX *ctx, const uint8_t nonce[12], const uint8_t aad[13],
                                      const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16]) {
    int n = 0, ok = 1;
    ok = ok && EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, 1) == 1;
    ok = ok && EVP_CipherUpdate(ctx, NULL, &n, aad, 13) == 1;
    ok = ok && (len == 0 || EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1);
    ok = ok && EVP_CipherFinal_ex(ctx, out + (len ? n : 0), &n) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1;
    return ok;
}

/// Opens one record body: `len` ciphertext bytes of `in` decrypted to `out` if the 16-byte
/// `tag` verifies over them and `aad`; 0 (and `out` to be discarded) when it does not.
static inline int CShim_DTLSAEAD_open(EVP_CIPHER_CTX *ctx, const uint8_t nonce[12], const uint8_t aad[13],
                                      const uint8_t *in, size_t len, const uint8_t tag[16], uint8_t *out) {
    int n = 0, ok = 1;
    ok = ok && EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, 0) == 1;
    ok = ok && EVP_CipherUpdate(ctx, NULL, &n, aad, 13) == 1;
    ok = ok && (len == 0 || EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1);
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, (void *)tag) == 1;
    ok = ok && EVP_CipherFinal_ex(ctx, out + (len ? n : 0), &n) == 1;
    return ok;
}

/// Puts an AES-GCM context made by CShim_DTLSAEAD_new into the TLS record mode libssl uses
/// (RFC 5288): `iv_len` 12 sets the whole nonce of the next sealed record (the 4-byte salt and
/// the 8-byte explicit nonce, which then counts up by one per record); `iv_len` 4 sets the salt
/// of an opening context (each record brings its explicit nonce). 1 on success.
static inline int CShim_DTLSAEAD_set_record_iv(EVP_CIPHER_CTX *ctx, const uint8_t *iv, int iv_len) {
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IV_FIXED, iv_len == 12 ? -1 : iv_len, (void *)iv) == 1;
}

/// Seals or opens one AES-GCM record body in place, in the TLS record mode set by
/// CShim_DTLSAEAD_set_record_iv: `body` is explicit nonce (8) ‖ text ‖ tag (16), `body_len` its
/// length; `aad` is the record's 13 bytes of additional data whose length field holds
/// `body_len - 16` when sealing (the nonce counts) and `body_len` when opening (OpenSSL
/// corrects it). Sealing writes the explicit nonce and the tag; opening leaves the plaintext
/// at `body + 8`. One parameter set and one cipher call per record (the generic
/// init/update/final/ctrl sequence looks up OSSL_PARAM names four times). Returns `body_len`,
/// or -1 when the tag does not verify or OpenSSL fails.
static inline int CShim_DTLSAEAD_record(EVP_CIPHER_CTX *ctx, const uint8_t aad[13], uint8_t *body, size_t body_len) {
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_AAD, (void *)aad, 13);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_CIPHER_CTX_set_params(ctx, params) != 1) return -1;
    return EVP_Cipher(ctx, body, body, (unsigned int)body_len);
}

/// The TLS 1.2 PRF (RFC 5246 §5) with `md`: `out_len` bytes of P_<md>(secret, seed), where
/// `seed` already starts with the label. 1 on success.
static inline int CShim_TLS12_PRF(const EVP_MD *md, const uint8_t *secret, size_t secret_len,
                                  const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len) {
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    if (kdf == NULL) return 0;
    EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (kctx == NULL) return 0;
    OSSL_PARAM params[4];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)EVP_MD_get0_name(md), 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, secret_len);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)seed, seed_len);
    params[3] = OSSL_PARAM_construct_end();
    int ok = EVP_KDF_derive(kctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(kctx);
    return ok;
}

#endif
