// The forwarding engine's rules, shared by the threads and the test entry points: what leaves for
// the WAN and in which group, what a datagram from the WAN may write to the L2 side, and how a
// frame is encapsulated (GB1 or R-GOOSE).
#include "forwarding-engine.h"

#include <string.h>

namespace gb {

namespace {

// A frame read from (or written to) the LAN is recognised for this long by the loop guard: far
// longer than any reflection takes, and shorter than a second, after which a 9-2LE stream's
// smpCnt (and a periodic signal's values) repeat, so a legitimate SV frame can recur byte for byte.
constexpr int64_t kLoopWindowUs = 500000;
// A later copy of a delivered frame is discarded for this long (the same bound as the loop
// guard's: far beyond the skew of two WAN paths, shorter than an SV stream's repetition).
constexpr int64_t kCopyWindowUs = 500000;
static_assert(kCopyWindowUs * 1000 == GB_KP_COPY_WINDOW_NS && kLoopWindowUs * 1000 == GB_KP_LOOP_WINDOW_NS, "the kernel tier's windows");

bool IecMulticast(uint64_t mac) {
  // IEC 61850-8-1 / 9-2 destination ranges: 01-0C-CD-01 GOOSE, -02 GSE, -04 SV.
  uint64_t prefix = mac >> 16;
  return prefix == 0x010CCD01 || prefix == 0x010CCD02 || prefix == 0x010CCD04;
}

}  // namespace

bool ForwardingEngine::DestinationAllowed(const EngineConfig& c, const uint8_t* frame) const {
  uint64_t mac = DestinationMac48(frame);
  if (IecMulticast(mac)) return true;
  for (const auto& r : c.destinations)
    if (mac >= r.first && mac <= r.second && (frame[0] & 1)) return true;
  return false;
}

int ForwardingEngine::DecideToWan(const EngineConfig& c, size_t groupCount, const uint8_t* f, size_t n, int64_t nowUs,
                                  uint32_t* group, FrameHeader* hOut) {
  // Every frame read is remembered (a copy returned by another gateway is then recognised), a
  // shared LAN also checks for frames this bridge (or, standing by, a site peer) wrote.
  const uint64_t fp = FrameFingerprint(f, n);
  if (c.gateway && writtenToL2_.Seen(fp, nowUs, kLoopWindowUs)) return kL2Echo;
  // R-GOOSE: a frame rebuilt by a gateway (this one, or a peer of the site that wrote it before
  // this one heard it from the WAN) carries the rebuilt-frame source MAC: never sent again.
  if (c.gateway && c.rgoose && n >= 12 && memcmp(f + 6, kRebuiltSource, 6) == 0) return kL2Echo;
  FrameHeader& h = *hOut;
  int v = CheckFrame(c.filter, f, n, &h);
  if (v != kForward) return v;
  if (c.rgoose && h.etherType == 0x88b9) return kNotRoutable;
  if (n > c.maxFrame) return kOversize;
  uint32_t gi = 0;
  uint64_t mac = DestinationMac48(f);
  for (const auto& r : c.rules) {
    uint64_t x = r.mac ? mac : h.appId;
    if (x >= r.lo && x <= r.hi) {
      gi = r.group;
      break;
    }
  }
  if (gi >= groupCount) return kWanUnavailable;
  *group = gi;
  readFromL2_.Put(fp, nowUs);
  if (sharedRecent_.on()) sharedRecent_.Put(fp, nowUs);
  return kForward;
}

int ForwardingEngine::CheckCarried(const EngineConfig& c, const FilterOptions& inner, const uint8_t* frame, size_t len, int64_t nowUs,
                                   FrameHeader* hp, uint64_t* fpOut) const {
  FrameHeader& h = *hp;
  if (CheckFrame(inner, frame, len, &h) != kForward) return kInnerNotAllowed;
  if (len > c.l2Mtu + 14 + (h.tagged ? 4 : 0)) return kOversizeFrame;
  if (!DestinationAllowed(c, frame)) return kBadDestination;
  const uint64_t fp = *fpOut = FrameFingerprint(frame, len);
  if (readFromL2_.Seen(fp, nowUs, kLoopWindowUs) || (sharedRecent_.on() && sharedRecent_.Seen(fp, nowUs, kLoopWindowUs))) return kLoop;
  if (c.gateway && writtenToL2_.Seen(fp, nowUs, kLoopWindowUs)) return kLoop;
  return kForward;
}

int ForwardingEngine::DecideFromWan(const EngineConfig& c, GroupState g, uint8_t* d, size_t n, uint64_t source, const WanSet* wan,
                                    unsigned path, int64_t nowUs, uint8_t* scratch, const uint8_t** frame, size_t* frameLen,
                                    FrameHeader* h) {
  if (IsGb1Control(d, n)) return HearControl(c, d, n, source, nowUs);
  // Nothing about the sender is believed (tracking, windows, loss counts) before the datagram
  // is authentic (R-GOOSE) or well-formed (GB1) and its carried frame passed every check.
  if (c.rgoose) return DecideRgoose(c, g, d, n, source, wan, path, nowUs, scratch, frame, frameLen, h);
  uint64_t fp = 0;
  Gb1View v;
  int r = Gb1Decapsulate(d, n, c.maxDatagram, &v);
  if (r != kForward) return r;
  *frame = v.frame;
  *frameLen = v.frameLen;
  r = CheckCarried(c, c.inner, v.frame, v.frameLen, nowUs, h, &fp);
  if (r != kForward) return r;
  if (c.site != 0 && peers_.IsPeer(v.sender)) return kSameSite;
  TrackCounts tc;
  TrackVerdict t = g.senders->Accept(own_, v.sender, v.seq, nowUs, &tc);
  AddTrackCounts(tc);
  if (t == kTrackOwn) return kOwnSender;
  if (t == kTrackStale) return kStale;
  // The second path's copy (same sender and sequence), or another gateway's of the far LAN;
  // the same sender's datagram again on a path that carried it already is a duplicate.
  // While the kernel tier delivers too, its table decides for both tiers (shared-delivered.h),
  // behind the engine's own: a copy of a frame the engine delivered costs no call.
  DeliveredFrames::Copy copy;
  const bool dup = t == kTrackDuplicate;
  bool isCopy = delivered_.IsCopy(fp, v.sender, dup, path, nowUs, kCopyWindowUs, &copy) ||
                (sharedDelivered_.on() && sharedDelivered_.IsCopyElseClaim(fp, v.sender, dup, path, nowUs, kCopyWindowUs, &copy));
  if (dup && !(isCopy && copy.pathNew)) return kDuplicate;
  if (isCopy) {
    CountCopy(copy, path, nowUs);
    return kRedundantCopy;
  }
  RecordDelivered(fp, v.sender, path, nowUs);
  return kForward;
}

int ForwardingEngine::DecideRgoose(const EngineConfig& c, GroupState g, uint8_t* d, size_t n, uint64_t source, const WanSet* wan,
                                   unsigned path, int64_t nowUs, uint8_t* scratch, const uint8_t** frame, size_t* frameLen,
                                   FrameHeader* h) {
  if (n > c.maxDatagram) return kBadLength;
  rgoose::View v;
  int r = RgooseDecapsulate(*c.rxRing, c.l2Map, d, n, &v, scratch, kSlotBytes, frameLen);
  if (r != kForward) return r;
  for (const auto& [id, atUs] : c.keyExpiry)
    if (id == v.keyId && nowUs >= atUs) return kExpiredKey;
  *frame = scratch;
  uint64_t fp = 0;
  r = CheckCarried(c, c.rgooseInner, scratch, *frameLen, nowUs, h, &fp);
  if (r != kForward) return r;
  const uint32_t address = static_cast<uint32_t>(source >> 16);
  if (wan != nullptr && wan->IsOwnAddress(address)) return kOwnSender;
  if (c.site != 0 && peers_.IsPeerAddress(address)) return kSameSite;
  // Windows per sender (its address), stream and key; the message identity catches a second
  // copy from another sender and admits redundant senders (replay-guard.h).
  const rgoose::WindowKey key{address, uint32_t{v.isSv} << 16 | v.appid, v.keyId};
  rgoose::Outcome o;
  bool due;
  {
    std::lock_guard<std::mutex> lk(g.rgoose->mu);
    o = g.rgoose->guard.Accept(key, v.spduNumber, MessageFingerprint(v), nowUs);
    due = g.rgoose->guard.table().saveDue();
  }
  if (due) NoteStateDue();
  if (o == rgoose::Outcome::kDeliver || o == rgoose::Outcome::kDuplicateMessage) {
    // WAN loss per sender: SPDU numbers count per sender, group and key, across its APPIDs.
    TrackCounts tc;
    g.senders->TrackLoss(source, v.spduNumber, nowUs, &tc);
    AddTrackCounts(tc);
  }
  switch (o) {
    case rgoose::Outcome::kDeliver:
      RecordDelivered(fp, address, path, nowUs);
      return kForward;
    case rgoose::Outcome::kReplay: return kReplay;
    case rgoose::Outcome::kStale: return kStale;
    case rgoose::Outcome::kDuplicateMessage: {
      // The message again from another sender: the other path's copy, or another gateway's of
      // the same far LAN. Counted on the path it came by.
      DeliveredFrames::Copy copy;
      if (delivered_.IsCopy(fp, address, false, path, nowUs, kCopyWindowUs, &copy)) CountCopy(copy, path, nowUs);
      return kRedundantCopy;
    }
    case rgoose::Outcome::kUnconfirmedSender: return kUnconfirmedSender;
    case rgoose::Outcome::kStateNotSaved: return kStateNotSaved;
    default: return kSendersFull;
  }
}

void ForwardingEngine::NoteStateDue() {
  if (!stateDueNoted_.exchange(true)) Emit("replay-state-due", 0);
}

bool ForwardingEngine::TakeSpduNumber(const EngineConfig& c, RgooseGroupState* st, uint32_t* n) {
  rgoose::KeySlot* key = c.txRing->Active();
  bool ok, due;
  {
    std::lock_guard<std::mutex> lk(st->mu);
    ok = st->numbering.Take(key != nullptr ? key->key().id : 0, n);
    due = st->numbering.saveDue();
  }
  if (due) NoteStateDue();
  return ok;
}

void ForwardingEngine::AddTrackCounts(const TrackCounts& tc) {
  if (tc.gapFrames) Add(kGapFrames, tc.gapFrames);
  if (tc.gapEvents) Add(kGapEvents, tc.gapEvents);
  if (tc.lateFrames) Add(kLateFrames, tc.lateFrames);
  if (tc.sendersSeen) Add(kSendersSeen, tc.sendersSeen);
  if (tc.sendersEvicted) Add(kSendersEvicted, tc.sendersEvicted);
}

long ForwardingEngine::Encapsulate(const EngineConfig& c, const FrameHeader& h, uint8_t* slot, size_t len, uint32_t seq, uint8_t* out) {
  if (!c.rgoose) {
    Gb1WriteHeader(slot, own_, seq);
    return static_cast<long>(kGb1HeaderBytes + len);
  }
  rgoose::KeySlot* key = c.txRing->Active();
  uint8_t iv[rgoose::kGcmIvBytes];
  if (key != nullptr && key->encrypts()) rgoose::MakeGcmIv(ivSalt_, ivCounter_++, iv);
  return RgooseEncapsulate(key, h, slot + kGb1HeaderBytes, len, seq, iv, out, c.maxPayload);
}

}  // namespace gb
