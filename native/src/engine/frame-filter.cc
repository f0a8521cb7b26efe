#include "frame-filter.h"

namespace gb {

namespace {
constexpr uint16_t kGoose = 0x88b8, kGse = 0x88b9, kSv = 0x88ba, kVlan = 0x8100, kQinQ = 0x88a8;
constexpr uint16_t kArpType = 0x0806, kIpv4Type = 0x0800, kIpv6Type = 0x86dd, kLldpType = 0x88cc;
// Ethernet minimum frame without FCS: padding after the IEC Length is legitimate up to this.
constexpr size_t kEthMinFrame = 60;

inline uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

int NotIec(uint16_t t) {
  switch (t) {
    case kArpType: return kArp;
    case kIpv4Type: return kIpv4;
    case kIpv6Type: return kIpv6;
    case kLldpType: return kLldp;
    default: return kOtherEthertype;
  }
}
}  // namespace

int CheckFrame(const FilterOptions& o, const uint8_t* f, size_t len, FrameHeader* h) {
  if (len < 14) return kRunt;
  size_t p = 12;
  uint16_t type = Be16(f + p);
  h->tagged = false;
  h->hasAppId = false;
  if (type == kVlan) {
    if (len < 18) return kRunt;
    p += 4;
    type = Be16(f + p);
    h->tagged = true;
    if (type == kVlan || type == kQinQ) return kVlanStacked;
  } else if (type == kQinQ) {
    return kVlanStacked;
  }
  h->etherType = type;
  uint16_t lo, hi;
  if (type == kGoose) {
    lo = 0x0000, hi = 0x3fff;
  } else if (type == kSv) {
    if (!o.enableSv) return kSvDisabled;
    lo = 0x4000, hi = 0x7fff;
  } else if (type == kGse) {
    if (!o.enableGse) return kGseDisabled;
    lo = 0x0000, hi = 0x3fff;
  } else {
    return NotIec(type);
  }
  size_t afterType = p + 2;
  size_t present = len - afterType;
  if (present < 8) return kRunt;
  uint16_t appId = Be16(f + afterType);
  uint16_t length = Be16(f + afterType + 2);
  h->appId = appId;
  h->hasAppId = true;
  if (length < 8 || length > present) return kLengthField;
  if (length < present && len > kEthMinFrame + (h->tagged ? 4 : 0)) return kTrailingBytes;
  if (o.checkAppIdRange && (appId < lo || appId > hi)) return kAppidRange;
  if (!o.allow.empty() && o.allow[appId] != 1) return kAppidNotAllowed;
  return kForward;
}

}  // namespace gb
