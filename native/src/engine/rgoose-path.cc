#include "rgoose-path.h"

#include <cstring>

#include "engine-tables.h"
#include "recent-frames.h"

namespace gb {

namespace {

constexpr uint16_t kSvType = 0x88ba;

int DropFor(rgoose::Result r) {
  switch (r) {
    case rgoose::Result::kUnknownKey: return kUnknownKey;
    case rgoose::Result::kUnsigned: return kUnsigned;
    case rgoose::Result::kBadSignature:
    case rgoose::Result::kCryptoError: return kBadSignature;
    default: return kMalformedSpdu;
  }
}

}  // namespace

uint64_t MessageFingerprint(const rgoose::View& v) {
  uint64_t stream = uint64_t{v.isSv} << 16 | v.appid;
  return FrameFingerprint(v.apdu, v.apduLen) ^ (stream + 1) * 0x9e3779b97f4a7c15ull;
}

long RgooseEncapsulate(rgoose::KeySlot* key, const FrameHeader& h, const uint8_t* frame, size_t len, uint32_t spduNumber,
                         const uint8_t* iv, uint8_t* out, size_t cap) {
  const size_t iec = h.tagged ? 18 : 14;  // APPID, Length, Reserved1, Reserved2 follow
  const size_t apduLen = static_cast<size_t>(frame[iec + 2] << 8 | frame[iec + 3]) - 8;
  if (iec + 8 + apduLen > len) return 0;  // the filter checked Length; never read past the frame
  size_t need = rgoose::kFixedHeaderBytes + rgoose::kElementHeaderBytes + apduLen;
  if (key != nullptr) need += (key->encrypts() ? rgoose::kGcmIvBytes : 0) + key->trailerBytes();
  if (need > cap) return -1;
  rgoose::EncodeParams p;
  p.spduNumber = spduNumber;
  p.appid = h.appId;
  // Reserved1's top bit is the Edition 2 simulation flag.
  p.simulation = (frame[iec + 4] & 0x80) != 0;
  p.isSv = h.etherType == kSvType;
  p.iv = iv;
  return static_cast<long>(rgoose::Encode(key, p, frame + iec + 8, apduLen, out, cap));
}

int RgooseDecapsulate(rgoose::Keyring& ring, const L2Map& map, uint8_t* d, size_t len, rgoose::View* v, uint8_t* frame,
                      size_t cap, size_t* frameLen) {
  rgoose::Result r = rgoose::Open(ring, d, len, v);
  if (r != rgoose::Result::kOk) return DropFor(r);
  auto it = map.find(v->appid);
  L2Target t;
  if (it != map.end()) {
    t = it->second;
  } else {
    const uint8_t def[6] = {0x01, 0x0c, 0xcd, static_cast<uint8_t>(v->isSv ? 0x04 : 0x01), static_cast<uint8_t>(v->appid >> 8),
                            static_cast<uint8_t>(v->appid)};
    memcpy(t.mac, def, 6);
  }
  size_t hdr = t.vid >= 0 ? 18 : 14;
  if (hdr + 8 + v->apduLen > cap || 8 + v->apduLen > 0xffff) return kBadLength;
  uint8_t* p = frame;
  memcpy(p, t.mac, 6);
  memcpy(p + 6, kRebuiltSource, 6);
  p += 12;
  if (t.vid >= 0) {
    uint16_t tci = static_cast<uint16_t>(t.priority << 13 | (t.vid & 0x0fff));
    *p++ = 0x81, *p++ = 0x00, *p++ = static_cast<uint8_t>(tci >> 8), *p++ = static_cast<uint8_t>(tci);
  }
  uint16_t type = v->isSv ? kSvType : 0x88b8;
  uint16_t length = static_cast<uint16_t>(8 + v->apduLen);
  const uint8_t iecHeader[10] = {static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type), static_cast<uint8_t>(v->appid >> 8),
                                 static_cast<uint8_t>(v->appid), static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length),
                                 static_cast<uint8_t>(v->simulation ? 0x80 : 0), 0, 0, 0};
  memcpy(p, iecHeader, 10);
  memcpy(p + 10, v->apdu, v->apduLen);
  *frameLen = hdr + 8 + v->apduLen;
  return kForward;
}

}  // namespace gb
