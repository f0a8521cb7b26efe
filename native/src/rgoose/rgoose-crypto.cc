// HMAC-SHA256 and AES-GCM over the OpenSSL that Node itself ships (headers from node-gyp's
// include/node/openssl, symbols exported by the node binary). Contexts are created once per
// key; each datagram only re-initialises them, so the data plane does not allocate.
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/params.h>

#include "rgoose.h"

static_assert(OPENSSL_VERSION_MAJOR >= 3, "EVP_MAC needs OpenSSL 3 (Node 18+ ships it)");

namespace gb::rgoose {

HmacSha256::~HmacSha256() { EVP_MAC_CTX_free(ctx_); }

bool HmacSha256::Init(const uint8_t* key, size_t keyLen) {
  EVP_MAC_CTX_free(ctx_);
  ctx_ = nullptr;
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) return false;
  ctx_ = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);  // the context holds its own reference
  if (ctx_ == nullptr) return false;
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  // An empty key is legal HMAC but EVP_MAC_init treats a null key as "reuse": pass a byte.
  static const uint8_t kEmpty[1] = {0};
  if (EVP_MAC_init(ctx_, keyLen > 0 ? key : kEmpty, keyLen, params) != 1) {
    EVP_MAC_CTX_free(ctx_);
    ctx_ = nullptr;
    return false;
  }
  return true;
}

bool HmacSha256::Mac(const uint8_t* data, size_t len, uint8_t* out, size_t macLen) {
  if (ctx_ == nullptr || macLen > 32) return false;
  uint8_t full[32];
  size_t outLen = 0;
  // A null key re-initialises with the key given to Init (no reallocation).
  bool ok = EVP_MAC_init(ctx_, nullptr, 0, nullptr) == 1 && EVP_MAC_update(ctx_, data, len) == 1 &&
            EVP_MAC_final(ctx_, full, &outLen, sizeof full) == 1 && outLen == 32;
  if (ok) {
    for (size_t i = 0; i < macLen; i++) out[i] = full[i];
  }
  OPENSSL_cleanse(full, sizeof full);
  return ok;
}

AesGcm::~AesGcm() {
  EVP_CIPHER_CTX_free(enc_);
  EVP_CIPHER_CTX_free(dec_);
}

static EVP_CIPHER_CTX* NewGcmContext(const EVP_CIPHER* cipher, const uint8_t* key, bool encrypt) {
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  if (c == nullptr) return nullptr;
  // The key schedule is computed once here; per datagram only the IV is set.
  if (EVP_CipherInit_ex(c, cipher, nullptr, key, nullptr, encrypt ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kGcmIvBytes), nullptr) != 1) {
    EVP_CIPHER_CTX_free(c);
    return nullptr;
  }
  return c;
}

bool AesGcm::Init(const uint8_t* key, size_t keyLen) {
  const EVP_CIPHER* cipher = keyLen == 16 ? EVP_aes_128_gcm() : keyLen == 32 ? EVP_aes_256_gcm() : nullptr;
  if (cipher == nullptr) return false;
  EVP_CIPHER_CTX_free(enc_);
  EVP_CIPHER_CTX_free(dec_);
  enc_ = NewGcmContext(cipher, key, true);
  dec_ = NewGcmContext(cipher, key, false);
  return enc_ != nullptr && dec_ != nullptr;
}

bool AesGcm::Seal(const uint8_t iv[kGcmIvBytes], const uint8_t* aad, size_t aadLen, const uint8_t* in,
                  size_t len, uint8_t* out, uint8_t tag[kGcmTagBytes]) {
  if (enc_ == nullptr || len > 0x7fffffff || aadLen > 0x7fffffff) return false;
  int n = 0;
  if (EVP_EncryptInit_ex(enc_, nullptr, nullptr, nullptr, iv) != 1) return false;
  if (aadLen > 0 && EVP_EncryptUpdate(enc_, nullptr, &n, aad, static_cast<int>(aadLen)) != 1) return false;
  if (len > 0 && EVP_EncryptUpdate(enc_, out, &n, in, static_cast<int>(len)) != 1) return false;
  if (EVP_EncryptFinal_ex(enc_, out + len, &n) != 1) return false;
  return EVP_CIPHER_CTX_ctrl(enc_, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagBytes), tag) == 1;
}

bool AesGcm::Open(const uint8_t iv[kGcmIvBytes], const uint8_t* aad, size_t aadLen, const uint8_t* in,
                  size_t len, uint8_t* out, const uint8_t tag[kGcmTagBytes]) {
  if (dec_ == nullptr || len > 0x7fffffff || aadLen > 0x7fffffff) return false;
  int n = 0;
  if (EVP_DecryptInit_ex(dec_, nullptr, nullptr, nullptr, iv) != 1) return false;
  if (aadLen > 0 && EVP_DecryptUpdate(dec_, nullptr, &n, aad, static_cast<int>(aadLen)) != 1) return false;
  if (len > 0 && EVP_DecryptUpdate(dec_, out, &n, in, static_cast<int>(len)) != 1) return false;
  // OpenSSL compares the tag in constant time inside EVP_DecryptFinal_ex.
  if (EVP_CIPHER_CTX_ctrl(dec_, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTagBytes),
                          const_cast<uint8_t*>(tag)) != 1)
    return false;
  return EVP_DecryptFinal_ex(dec_, out + len, &n) == 1;
}

}  // namespace gb::rgoose
