// R-GOOSE / R-SV SPDU encoding and authenticated parsing; layout in rgoose.h.
#include <openssl/crypto.h>

#include <cstring>

#include "rgoose.h"
#include "table-lookup.h"

namespace gb::rgoose {

// ---- Tables (generated from the X-macros in rgoose.h, in enumerator order) ---------------

namespace {
struct AlgInfo {
  const char* label;
  size_t bytes;
};
#define X(e, label, bytes) {label, bytes},
const AlgInfo kSigAlgs[] = {RGOOSE_SIG_ALGS(X)};
const AlgInfo kEncAlgs[] = {RGOOSE_ENC_ALGS(X)};
#undef X
#define X(e, label) label,
const char* const kResultLabels[] = {RGOOSE_RESULTS(X)};
const char* const kKeyErrorLabels[] = {RGOOSE_KEY_ERRORS(X)};
#undef X

template <typename E, size_t N>
bool ParseAlg(const AlgInfo (&table)[N], const char* label, E* out) {
  for (size_t i = 0; i < N; i++) {
    if (std::strcmp(table[i].label, label) == 0) {
      *out = static_cast<E>(i);
      return true;
    }
  }
  return false;
}
}  // namespace

const char* SigAlgLabel(SigAlg a) { return At(kSigAlgs, a) ? At(kSigAlgs, a)->label : "?"; }
size_t SigAlgMacBytes(SigAlg a) { return At(kSigAlgs, a) ? At(kSigAlgs, a)->bytes : 0; }
const char* EncAlgLabel(EncAlg a) { return At(kEncAlgs, a) ? At(kEncAlgs, a)->label : "?"; }
size_t EncAlgKeyBytes(EncAlg a) { return At(kEncAlgs, a) ? At(kEncAlgs, a)->bytes : 0; }
bool ParseSigAlg(const char* label, SigAlg* out) { return ParseAlg(kSigAlgs, label, out); }
bool ParseEncAlg(const char* label, EncAlg* out) { return ParseAlg(kEncAlgs, label, out); }
const char* ResultLabel(Result r) { return LabelAt(kResultLabels, r); }
const char* KeyErrorLabel(KeyError e) { return LabelAt(kKeyErrorLabels, e); }

// ---- Keys -------------------------------------------------------------------------------

KeyError ValidateKey(const RgooseKey& k) {
  if (k.id == 0) return KeyError::kZeroId;
  if (k.sig == SigAlg::kNone && k.enc == EncAlg::kNone) return KeyError::kNoProtection;
  size_t aes = EncAlgKeyBytes(k.enc);
  if (k.keyLen > kMaxKeyBytes || k.keyLen < aes) return KeyError::kBadLength;
  size_t mac = k.keyLen - aes;
  if (k.sig == SigAlg::kNone ? mac != 0 : (mac < kMinHmacKeyBytes || mac > kMaxHmacKeyBytes))
    return KeyError::kBadLength;
  return KeyError::kOk;
}

KeySlot::~KeySlot() { OPENSSL_cleanse(key_.key, sizeof key_.key); }

KeyError KeySlot::Load(const RgooseKey& k) {
  KeyError e = ValidateKey(k);
  if (e != KeyError::kOk) return e;
  size_t aes = EncAlgKeyBytes(k.enc);
  if (aes > 0 && !gcm.Init(k.key, aes)) return KeyError::kCrypto;
  if (k.sig != SigAlg::kNone && !hmac.Init(k.key + aes, k.keyLen - aes)) return KeyError::kCrypto;
  key_ = k;
  return KeyError::kOk;
}

size_t KeySlot::trailerBytes() const {
  return (encrypts() ? 2 + kGcmTagBytes : 0) + (key_.sig != SigAlg::kNone ? 2 + macBytes() : 0);
}

KeyError Keyring::Add(const RgooseKey& k) {
  if (count_ == kCapacity) return KeyError::kFull;
  if (k.id != 0 && Find(k.id) != nullptr) return KeyError::kDuplicateId;
  KeyError e = slots_[count_].Load(k);
  if (e == KeyError::kOk) count_++;
  return e;
}

KeySlot* Keyring::Find(uint32_t id) {
  for (size_t i = 0; i < count_; i++) {
    if (slots_[i].key().id == id) return &slots_[i];
  }
  return nullptr;
}

bool Keyring::SetActive(uint32_t id) {
  for (size_t i = 0; i < count_; i++) {
    if (slots_[i].key().id == id) {
      active_ = i;
      return true;
    }
  }
  return false;
}

KeySlot* Keyring::Active() { return count_ == 0 ? nullptr : &slots_[active_]; }

// ---- Byte helpers -------------------------------------------------------------------------

static inline void Put16(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
static inline void Put32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
static inline uint16_t Get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
static inline uint32_t Get32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 | p[3];
}

constexpr uint8_t kSessionGoose = 0xA1, kSessionSv = 0xA2;
constexpr uint8_t kElementGoose = 0x81, kElementSv = 0x82;
constexpr uint8_t kCommonHeaderTag = 0x80, kSignatureTag = 0x85;
constexpr uint16_t kVersion = 2;
// Common header bytes before the IV: SPDU length, number, version, key times, key id, IV length.
constexpr size_t kCommonFixedBytes = 4 + 4 + 2 + 4 + 2 + 4 + 1;

// ---- Encode -----------------------------------------------------------------------------

size_t Encode(KeySlot* key, const EncodeParams& p, const uint8_t* apdu, size_t apduLen, uint8_t* out, size_t cap) {
  const bool encrypt = key != nullptr && key->encrypts();
  const size_t ivLen = encrypt ? kGcmIvBytes : 0;
  if (apduLen > 0xffff || (encrypt && p.iv == nullptr)) return 0;
  const size_t common = kCommonFixedBytes + ivLen;
  const size_t userData = kElementHeaderBytes + apduLen;
  const size_t payloadStart = 6 + common + 4;
  const size_t payloadEnd = payloadStart + userData;
  const size_t total = payloadEnd + (key != nullptr ? key->trailerBytes() : 0);
  if (total > cap) return 0;

  uint8_t* w = out;
  *w++ = 0x01;
  *w++ = 0x40;
  *w++ = p.isSv ? kSessionSv : kSessionGoose;
  *w++ = static_cast<uint8_t>(2 + common);
  *w++ = kCommonHeaderTag;
  *w++ = static_cast<uint8_t>(common);
  Put32(w, static_cast<uint32_t>(payloadEnd - 10)), w += 4;  // counted from after this field
  Put32(w, p.spduNumber), w += 4;
  Put16(w, kVersion), w += 2;
  Put32(w, key != nullptr ? key->key().timeOfCurrentKey : 0), w += 4;
  Put16(w, key != nullptr ? key->key().timeToNextKey : 0), w += 2;
  Put32(w, key != nullptr ? key->key().id : 0), w += 4;
  *w++ = static_cast<uint8_t>(ivLen);
  if (encrypt) std::memcpy(w, p.iv, ivLen), w += ivLen;
  Put32(w, static_cast<uint32_t>(userData)), w += 4;
  *w++ = p.isSv ? kElementSv : kElementGoose;
  *w++ = p.simulation ? 1 : 0;
  Put16(w, p.appid), w += 2;
  Put16(w, static_cast<uint32_t>(apduLen)), w += 2;
  std::memcpy(w, apdu, apduLen);
  w += apduLen;
  if (key == nullptr) return total;

  if (encrypt) {
    uint8_t* element = out + payloadStart;
    w[0] = kSignatureTag;
    w[1] = static_cast<uint8_t>(kGcmTagBytes);
    if (!key->gcm.Seal(p.iv, out, payloadStart, element, userData, element, w + 2)) return 0;
    w += 2 + kGcmTagBytes;
  }
  if (key->key().sig != SigAlg::kNone) {
    size_t macLen = key->macBytes();
    size_t covered = static_cast<size_t>(w - out);
    w[0] = kSignatureTag;
    w[1] = static_cast<uint8_t>(macLen);
    if (!key->hmac.Mac(out, covered, w + 2, macLen)) return 0;
    w += 2 + macLen;
  }
  return total;
}

// ---- Open -------------------------------------------------------------------------------

// Parses the session header into v; returns the offset of the first payload element in *payloadStart.
static Result ParseHeader(const uint8_t* b, size_t len, View* v, size_t* payloadStart) {
  if (len < 6 + kCommonFixedBytes + 4) return Result::kMalformedShort;
  if (b[0] != 0x01 || b[1] != 0x40) return Result::kMalformedCltp;
  v->sessionId = b[2];
  if (b[2] != kSessionGoose && b[2] != kSessionSv) return Result::kMalformedSessionId;
  v->isSv = b[2] == kSessionSv;
  v->sessionHeaderLength = b[3];
  v->commonHeaderLength = b[5];
  // Header lengths are reported, not trusted for parsing (libiec61850 writes 24/18 whatever the
  // IV); the fields follow at fixed offsets as Wireshark reads them.
  if (b[4] != kCommonHeaderTag) return Result::kMalformedHeader;
  const uint8_t* c = b + 6;
  v->spduLength = Get32(c);
  v->spduNumber = Get32(c + 4);
  v->version = Get16(c + 8);
  v->timeOfCurrentKey = Get32(c + 10);
  v->timeToNextKey = Get16(c + 14);
  v->keyId = Get32(c + 16);
  v->ivLen = c[20];
  if (v->version != kVersion) return Result::kMalformedVersion;
  size_t ivAt = 6 + kCommonFixedBytes;
  if (ivAt + v->ivLen + 4 > len) return Result::kMalformedIv;
  v->iv = b + ivAt;
  size_t udAt = ivAt + v->ivLen;
  v->userDataLength = Get32(b + udAt);
  *payloadStart = udAt + 4;
  if (v->userDataLength > len - *payloadStart) return Result::kMalformedLength;
  return Result::kOk;
}

// Where the GCM tag and the MAC sit in the trailer after the payload (offsets into the datagram).
struct TrailerAt {
  size_t gcmTag = 0;   // first tag byte
  size_t macCover = 0;  // the MAC covers [0, macCover)
  size_t mac = 0;       // first MAC byte
};

// The key's trailer, framed or bare, all of it one way (the two sizes differ, so the datagram
// length decides):
//   framed: [85 10 tag] [85 m MAC] as written here; the MAC element's length byte may also be
//           16 for the 32-byte MAC, as libiec61850 writes it;
//   bare:   [tag] [MAC], as Wireshark reads it ("all bytes after the payload are the HMAC").
// The elements' sizes come from the key, never from the datagram.
static bool LocateTrailer(const KeySlot& key, const uint8_t* b, size_t payloadEnd, size_t len, TrailerAt* t) {
  const size_t tag = key.encrypts() ? kGcmTagBytes : 0;
  const size_t mac = key.key().sig != SigAlg::kNone ? key.macBytes() : 0;
  const size_t elements = (tag > 0) + (mac > 0);
  const size_t bare = tag + mac;
  if (len - payloadEnd == bare) {
    t->gcmTag = payloadEnd;
    t->macCover = t->mac = payloadEnd + tag;
    return true;
  }
  if (len - payloadEnd != bare + 2 * elements) return false;
  size_t at = payloadEnd;
  if (tag > 0) {
    if (b[at] != kSignatureTag || b[at + 1] != kGcmTagBytes) return false;
    t->gcmTag = at + 2;
    at += 2 + tag;
  }
  if (mac > 0) {
    if (b[at] != kSignatureTag || !(b[at + 1] == mac || (mac == 32 && b[at + 1] == 16))) return false;
    t->macCover = at;
    t->mac = at + 2;
  }
  return true;
}

// Byte count of the BER TLV at b (one-byte tag, definite length up to 2 bytes), 0 when it is not one.
static size_t BerTlvBytes(const uint8_t* b, size_t len) {
  if (len < 2) return 0;
  size_t l = b[1], head = 2;
  if (l == 0x81 && len >= 3) l = b[2], head = 3;
  else if (l == 0x82 && len >= 4) l = static_cast<size_t>(Get16(b + 2)), head = 4;
  else if (l >= 0x80) return 0;
  return head + l;
}

static Result ParseElement(const uint8_t* b, size_t len, View* v) {
  if (len < kElementHeaderBytes) return Result::kMalformedPayload;
  if (b[0] != (v->isSv ? kElementSv : kElementGoose)) return Result::kMalformedPayload;
  v->simulationByte = b[1];
  v->simulation = b[1] != 0;
  v->appid = Get16(b + 2);
  const size_t field = Get16(b + 4), apduLen = len - kElementHeaderBytes;
  // Exactly one element filling the payload. Its APDU length is the APDU's byte count, or that
  // count + 2 as libiec61850 writes it (after the 90-5 annex G example), the APDU then being one
  // BER TLV that fills the element exactly (Wireshark reads the APDU by its BER length).
  const bool exact = field == apduLen;
  const bool plusTwo = field == apduLen + 2 && BerTlvBytes(b + kElementHeaderBytes, apduLen) == apduLen;
  if (!exact && !plusTwo) return Result::kMalformedPayload;
  v->apdu = b + kElementHeaderBytes;
  v->apduLen = apduLen;
  return Result::kOk;
}

Result Open(Keyring& ring, uint8_t* buf, size_t len, View* out) {
  View v;
  size_t payloadStart = 0;
  Result r = ParseHeader(buf, len, &v, &payloadStart);
  if (r != Result::kOk) {
    *out = v;
    return r;
  }
  const size_t payloadEnd = payloadStart + v.userDataLength;
  KeySlot* key = nullptr;
  TrailerAt t;
  // An IV is only read by a key that encrypts (12 bytes); any other IV is carried as Wireshark
  // reads it, covered by the MAC when the key signs.
  if (v.keyId == 0) {
    if (ring.RequiresAuth()) r = Result::kUnsigned;
    else if (len != payloadEnd) r = Result::kMalformedTrailer;
  } else {
    key = ring.Find(v.keyId);
    if (key == nullptr) r = Result::kUnknownKey;
    else if (key->encrypts() && v.ivLen != kGcmIvBytes) r = Result::kMalformedIv;
    else if (!LocateTrailer(*key, buf, payloadEnd, len, &t)) r = Result::kMalformedTrailer;
  }
  if (r != Result::kOk) {
    *out = v;
    return r;
  }

  if (key != nullptr) {
    v.sig = key->key().sig;
    v.enc = key->key().enc;
    if (v.sig != SigAlg::kNone) {
      // MAC first (encrypt-then-MAC): a forged SPDU costs one HMAC, never a decryption.
      size_t macLen = key->macBytes();
      uint8_t mac[32];
      if (!key->hmac.Mac(buf, t.macCover, mac, macLen)) r = Result::kCryptoError;
      else if (CRYPTO_memcmp(mac, buf + t.mac, macLen) != 0) r = Result::kBadSignature;
    }
    if (r == Result::kOk && key->encrypts()) {
      uint8_t* element = buf + payloadStart;
      if (!key->gcm.Open(v.iv, buf, payloadStart, element, v.userDataLength, element, buf + t.gcmTag))
        r = Result::kBadSignature;
    }
    if (r != Result::kOk) {
      *out = v;
      return r;
    }
  }
  r = ParseElement(buf + payloadStart, v.userDataLength, &v);
  *out = v;
  return r;
}

}  // namespace gb::rgoose
