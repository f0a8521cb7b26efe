// IEC 61850-90-5 session layer (R-GOOSE / R-SV) for the forwarding engine: SPDU encoding,
// signature (HMAC-SHA256 truncated to 80/128/256 bits), AES-GCM encryption, and parsing with
// authentication. Self-contained C++: no Node-API, no globals, no allocation per datagram in
// this code (OpenSSL contexts are made once per key, when the key is added to a Keyring; only
// OpenSSL's own HMAC re-initialisation duplicates a digest context inside OpenSSL).
//
// Wire layout written by Encode (all integers big-endian; docs/rgoose.md explains where
// Wireshark 4.0 and libiec61850 read it differently):
//
//   01 40                 CLTP unit-data header
//   A1 | A2               session identifier: GOOSE | SV
//   LI                    session header length (= 2 + common header length)
//   80 LI                 common session header tag and length (= 21 + IV length)
//   u32 SPDU length       bytes after this field to the end of the payload, trailer excluded
//   u32 SPDU number       per sender, group and key, from 1, never wraps (replay-numbering.h)
//   u16 version           2
//   u32 time of current key, u16 time to next key     (from the key; 0 when not set)
//   u32 key id            0 = unsigned SPDU
//   u8 IV length, IV      12 bytes with AES-GCM, else 0
//   u32 user-data length  6 + APDU length
//   81 | 82, u8 simulation, u16 APPID, u16 APDU length, APDU     (exactly one element)
//   [85 10 GCM tag]       with AES-GCM: AAD = bytes [0, start of the element), the element is
//                         the ciphertext
//   [85 LI MAC]           with HMAC: HMAC-SHA256 over every byte before the 85, truncated to
//                         10 / 16 / 32 bytes (with AES-GCM too: encrypt-then-MAC)
//
// Open reads more than Encode writes, as Wireshark 4.0 reads other implementations' SPDUs
// (docs/rgoose.md, "Which reading we followed"): header and SPDU lengths are not used, an IV
// of any length with a key that does not encrypt, the APDU length + 2, and a bare (untagged)
// GCM tag and MAC, or 85 10 before a 32-byte MAC.
//
// Threading: a Keyring (its OpenSSL contexts are scratch state), a ReplayWindow and a
// ReplayGuard belong to one thread at a time. Give each data-plane thread its own Keyring built from the
// same key list.
#pragma once

#include <cstddef>
#include <cstdint>

// OpenSSL types, kept out of the header so users need not include OpenSSL.
typedef struct evp_mac_ctx_st EVP_MAC_CTX;
typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace gb::rgoose {

// ---- Algorithms --------------------------------------------------------------------------

// X(enumerator, label used in key files, MAC bytes on the wire)
#define RGOOSE_SIG_ALGS(X)          \
  X(kNone, "none", 0)               \
  X(kHmacSha256_80, "hmac-sha256-80", 10)   \
  X(kHmacSha256_128, "hmac-sha256-128", 16) \
  X(kHmacSha256_256, "hmac-sha256-256", 32)

// X(enumerator, label used in key files, AES key bytes)
#define RGOOSE_ENC_ALGS(X)        \
  X(kNone, "none", 0)             \
  X(kAes128Gcm, "aes-128-gcm", 16) \
  X(kAes256Gcm, "aes-256-gcm", 32)

enum class SigAlg : uint8_t {
#define X(e, label, bytes) e,
  RGOOSE_SIG_ALGS(X)
#undef X
};
enum class EncAlg : uint8_t {
#define X(e, label, bytes) e,
  RGOOSE_ENC_ALGS(X)
#undef X
};

const char* SigAlgLabel(SigAlg a);
const char* EncAlgLabel(EncAlg a);
size_t SigAlgMacBytes(SigAlg a);
size_t EncAlgKeyBytes(EncAlg a);
// Key-file labels to enumerators; false for an unknown label.
bool ParseSigAlg(const char* label, SigAlg* out);
bool ParseEncAlg(const char* label, EncAlg* out);

constexpr size_t kGcmIvBytes = 12;
constexpr size_t kGcmTagBytes = 16;
constexpr size_t kMinHmacKeyBytes = 16;
constexpr size_t kMaxHmacKeyBytes = 32;
constexpr size_t kMaxKeyBytes = 64;  // AES-256 key followed by a 32-byte HMAC key

// ---- Result codes (one table: enumerator, stable label for counters and logs) -----------

#define RGOOSE_RESULTS(X)                                                                    \
  X(kOk, "ok")                                                                               \
  X(kMalformedShort, "malformed-short")           /* shorter than a session header */       \
  X(kMalformedCltp, "malformed-cltp")             /* does not start 01 40 */                \
  X(kMalformedSessionId, "malformed-session-id")  /* not A1 (GOOSE) or A2 (SV) */           \
  X(kMalformedHeader, "malformed-header")         /* common header tag not 80 */            \
  X(kMalformedVersion, "malformed-version")       /* version other than 2 */                \
  X(kMalformedIv, "malformed-iv")                 /* IV not 12 bytes for a GCM key */       \
  X(kMalformedLength, "malformed-length")         /* user data runs past the datagram */    \
  X(kMalformedTrailer, "malformed-trailer")       /* bytes after the payload are not the    \
                                                     key's tag/MAC, framed or bare */        \
  X(kMalformedPayload, "malformed-payload")       /* element tag, APDU length */             \
  X(kUnknownKey, "unknown-key")                   /* key id not in the keyring */           \
  X(kUnsigned, "unsigned")                        /* key id 0 while keys are configured */  \
  X(kBadSignature, "bad-signature")               /* HMAC or GCM tag does not verify */     \
  X(kCryptoError, "crypto-error")                 /* OpenSSL failed (should not happen) */

enum class Result : uint8_t {
#define X(e, label) e,
  RGOOSE_RESULTS(X)
#undef X
      kCount  // number of codes: sizes a counter array indexed by Result
};
const char* ResultLabel(Result r);

// ---- Crypto primitives (used by the codec; exposed for known-answer tests) --------------

// HMAC-SHA256 with the key set once; Mac() re-initialises the context without reallocating.
class HmacSha256 {
 public:
  HmacSha256() = default;
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  bool Init(const uint8_t* key, size_t keyLen);  // any key length (RFC 2104)
  // Writes the first macLen (≤ 32) bytes of HMAC-SHA256(key, data) to out.
  bool Mac(const uint8_t* data, size_t len, uint8_t* out, size_t macLen);

 private:
  EVP_MAC_CTX* ctx_ = nullptr;
};

// AES-GCM (128 or 256 by key length) with 96-bit IVs and 128-bit tags; in place allowed.
class AesGcm {
 public:
  AesGcm() = default;
  ~AesGcm();
  AesGcm(const AesGcm&) = delete;
  AesGcm& operator=(const AesGcm&) = delete;

  bool Init(const uint8_t* key, size_t keyLen);  // 16 or 32 bytes
  bool Seal(const uint8_t iv[kGcmIvBytes], const uint8_t* aad, size_t aadLen, const uint8_t* in,
            size_t len, uint8_t* out, uint8_t tag[kGcmTagBytes]);
  // False when the tag does not verify; out then holds unauthenticated bytes: discard them.
  bool Open(const uint8_t iv[kGcmIvBytes], const uint8_t* aad, size_t aadLen, const uint8_t* in,
            size_t len, uint8_t* out, const uint8_t tag[kGcmTagBytes]);

 private:
  EVP_CIPHER_CTX* enc_ = nullptr;
  EVP_CIPHER_CTX* dec_ = nullptr;
};

// ---- Keys -----------------------------------------------------------------------------

// Key material as configured. With both encryption and a signature, key = AES key followed
// by the HMAC key (e.g. 16 + 32 bytes for aes-128-gcm + hmac-sha256-128).
struct RgooseKey {
  uint32_t id = 0;  // 1 … 2^32-1 (0 marks an unsigned SPDU on the wire)
  SigAlg sig = SigAlg::kNone;
  EncAlg enc = EncAlg::kNone;
  uint8_t key[kMaxKeyBytes] = {};
  size_t keyLen = 0;
  uint32_t timeOfCurrentKey = 0;  // copied into the header; informational
  uint16_t timeToNextKey = 0;
};

// Why a key was refused by Keyring::Add (one table).
#define RGOOSE_KEY_ERRORS(X)                                                   \
  X(kOk, "ok")                                                                 \
  X(kZeroId, "key id 0 is reserved for unsigned SPDUs")                        \
  X(kDuplicateId, "key id listed twice")                                       \
  X(kNoProtection, "a key must sign, encrypt or both")                         \
  X(kBadLength, "key length does not match the algorithms")                    \
  X(kFull, "keyring full")                                                     \
  X(kCrypto, "OpenSSL refused the key")

enum class KeyError : uint8_t {
#define X(e, label) e,
  RGOOSE_KEY_ERRORS(X)
#undef X
};
const char* KeyErrorLabel(KeyError e);
// Checks id, algorithms and length without touching OpenSSL.
KeyError ValidateKey(const RgooseKey& k);

// A key with its OpenSSL contexts, ready for the data plane.
class KeySlot {
 public:
  KeySlot() = default;
  ~KeySlot();
  KeySlot(const KeySlot&) = delete;
  KeySlot& operator=(const KeySlot&) = delete;

  KeyError Load(const RgooseKey& k);
  const RgooseKey& key() const { return key_; }
  size_t macBytes() const { return SigAlgMacBytes(key_.sig); }
  bool encrypts() const { return key_.enc != EncAlg::kNone; }
  // Bytes after the payload element: GCM tag element and/or MAC element.
  size_t trailerBytes() const;

  HmacSha256 hmac;
  AesGcm gcm;

 private:
  RgooseKey key_;
};

// Fixed-capacity set of keys; receivers accept any, senders use the active one. Empty means
// "no keys configured": only unsigned SPDUs are accepted and sent.
class Keyring {
 public:
  static constexpr size_t kCapacity = 16;

  KeyError Add(const RgooseKey& k);
  bool SetActive(uint32_t id);            // false if no such key
  KeySlot* Find(uint32_t id);             // nullptr if absent
  KeySlot* Active();                      // nullptr when empty
  size_t size() const { return count_; }
  bool RequiresAuth() const { return count_ > 0; }

 private:
  KeySlot slots_[kCapacity];
  size_t count_ = 0;
  size_t active_ = 0;
};

// ---- SPDU codec -------------------------------------------------------------------------

struct EncodeParams {
  uint32_t spduNumber = 0;
  uint16_t appid = 0;
  bool simulation = false;
  bool isSv = false;                   // A2/82 instead of A1/81
  const uint8_t* iv = nullptr;         // kGcmIvBytes, required when the key encrypts
};

// Largest header + trailer: sizes an output buffer as apduLen + kMaxOverheadBytes.
constexpr size_t kFixedHeaderBytes = 2 + 2 + 2 + 21 + 4;   // without IV
constexpr size_t kElementHeaderBytes = 6;
constexpr size_t kMaxOverheadBytes = kFixedHeaderBytes + kGcmIvBytes + kElementHeaderBytes +
                                     2 + kGcmTagBytes + 2 + 32;

// Writes one SPDU carrying `apdu` to out; key nullptr = unsigned (key id 0). Returns its
// length, or 0 when it does not fit in cap, the APDU exceeds 65535 bytes, the key encrypts
// and no IV was given, or OpenSSL failed. The IV must never repeat under one key (GCM).
// apdu must not overlap out.
size_t Encode(KeySlot* key, const EncodeParams& p, const uint8_t* apdu, size_t apduLen,
              uint8_t* out, size_t cap);

struct View {
  uint8_t sessionId = 0;  // 0xA1 / 0xA2
  bool isSv = false;
  uint8_t sessionHeaderLength = 0, commonHeaderLength = 0;  // as sent; not used for parsing
  uint32_t spduLength = 0;                                  // as sent; not used for parsing
  uint32_t spduNumber = 0;
  uint16_t version = 0;
  uint32_t timeOfCurrentKey = 0;
  uint16_t timeToNextKey = 0;
  uint32_t keyId = 0;
  const uint8_t* iv = nullptr;
  uint8_t ivLen = 0;
  uint32_t userDataLength = 0;
  bool simulation = false;
  uint8_t simulationByte = 0;
  uint16_t appid = 0;
  const uint8_t* apdu = nullptr;  // into the datagram (decrypted in place when encrypted)
  size_t apduLen = 0;
  SigAlg sig = SigAlg::kNone;  // of the key that verified it
  EncAlg enc = EncAlg::kNone;
};

// Parses, authenticates and (when encrypted) decrypts in place one datagram. Fills `out`
// as far as parsing got. Only kOk means the SPDU is authentic (or, with an empty keyring,
// well-formed and unsigned). Changes nothing but buf and the keyring's scratch contexts;
// replay checks come after. When a GCM tag fails, the payload bytes of buf are clobbered
// (OpenSSL decrypts before it verifies): drop the datagram.
Result Open(Keyring& ring, uint8_t* buf, size_t len, View* out);

// A GCM IV that never repeats under one key: 4-byte salt (random per process start) then a
// 64-bit counter incremented per SPDU.
inline void MakeGcmIv(const uint8_t salt[4], uint64_t counter, uint8_t iv[kGcmIvBytes]) {
  for (int i = 0; i < 4; i++) iv[i] = salt[i];
  for (int i = 0; i < 8; i++) iv[4 + i] = static_cast<uint8_t>(counter >> (56 - 8 * i));
}

}  // namespace gb::rgoose
