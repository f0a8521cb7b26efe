// The data plane: two threads own the whole per-frame path, JavaScript only configures it.
//   tx thread: L2 side (TAP or AF_PACKET) → frame filter → path-MTU guard → group → GB1 → sendmmsg
//   rx thread: recvmmsg on the group sockets → GB1 check → inner filter and receive guards →
//              sender tracking → L2 side
// Resources are opened by the JS thread first (nothing running is touched if that fails) and
// switched in with apply(): the threads pick up the new set at their next wake-up; the old
// one closes when neither holds it any more. Counters live in one block JavaScript reads as a
// BigUint64Array, each slot written by one thread only.
#pragma once

#include <napi.h>
#include <time.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine-tables.h"
#include "frame-filter.h"
#include "gb1.h"
#include "delivered-frames.h"
#include "recent-frames.h"
#include "rgoose-path.h"
#include "sender-table.h"
#include "shared-delivered.h"
#include "shared-recent.h"
#include "site-peers.h"
#include "tap-batch.h"
#include "wan-set.h"
#include "../../bpf/gb1-kernel.h"

namespace gb {

struct EngineConfig {
  FilterOptions filter;  // L2 side → WAN
  FilterOptions inner;   // what may be written to the L2 side (no APPID allow-list)
  // The same for frames rebuilt from authenticated R-GOOSE/R-SV: the SPDU's payload type fixes the
  // EtherType and the signature covers the APPID, so 8-1's L2 APPID ranges are not applied (other
  // 90-5 publishers use SV-range APPIDs for GOOSE, which Wireshark reads as sent).
  FilterOptions rgooseInner;
  struct Rule {
    bool mac;
    uint64_t lo, hi;
    uint32_t group;
  };
  std::vector<Rule> rules;
  std::vector<std::string> groups;  // index 0 = default group
  // Destination MACs allowed into the L2 side besides the IEC 61850 ranges (group-map MAC rules).
  std::vector<std::pair<uint64_t, uint64_t>> destinations;
  size_t maxFrame = 0;     // longest frame sent (path MTU minus headers)
  size_t maxDatagram = 0;  // buffer_size: longest datagram accepted
  size_t l2Mtu = 1500;     // receive guard: carried frame ≤ MTU + Ethernet header (+ tag)
  bool gateway = false;    // L2 side is a shared LAN: loop guard on
  bool tapIoUring = true;  // TAP reads and writes in batches (when this thread has a ring)
  // R-GOOSE/R-SV instead of GB1. Each thread has its own keyring (OpenSSL contexts are scratch
  // state); receivers accept every listed key, senders sign with the active one.
  bool rgoose = false;
  size_t maxPayload = 0;  // longest UDP payload sent (path MTU minus IP and UDP headers)
  L2Map l2Map;
  std::unique_ptr<rgoose::Keyring> txRing, rxRing;
  // Gateway pairs (site-peers.h): 0 = no site. A gateway of a site writes its LAN only after
  // listening for peers for one hold time since the site was configured.
  uint32_t site = 0;
  int64_t siteHoldUs = 0;
  int64_t siteSinceUs = 0;
  // Keys retired (no longer active) and when their grace ends (monotonic µs): SPDUs signed with
  // them are refused from then on as expired-key.
  std::vector<std::pair<uint32_t, int64_t>> keyExpiry;
};

// A verdict besides kForward and the drop codes: a control datagram (heartbeat), not a frame.
constexpr int kControl = -2;

// A slot of the threads' batch arenas, and the scratch an R-GOOSE frame is rebuilt in.
constexpr size_t kSlotBytes = 65536 + 32;

inline int64_t NowUs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

// What the receive thread keeps per group, owned by the engine (survives socket sets).
struct GroupState {
  SenderTable* senders = nullptr;
  RgooseGroupState* rgoose = nullptr;
};

struct L2Endpoint {
  int fd = -1;
  bool packet = false;
  std::string ifname;
  int ifindex = 0;
  std::atomic<bool> dead{false};
  ~L2Endpoint();
};

class ForwardingEngine : public Napi::ObjectWrap<ForwardingEngine> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit ForwardingEngine(const Napi::CallbackInfo& info);
  ~ForwardingEngine() override;

 private:
  struct Plane {
    std::shared_ptr<const EngineConfig> cfg;
    std::shared_ptr<L2Endpoint> l2;
    std::shared_ptr<WanSet> wan;
  };

  Napi::Value Counters(const Napi::CallbackInfo& info);
  Napi::Value AppidCounters(const Napi::CallbackInfo& info);
  Napi::Value OpenTap(const Napi::CallbackInfo& info);
  Napi::Value OpenPacket(const Napi::CallbackInfo& info);
  Napi::Value OpenWan(const Napi::CallbackInfo& info);
  Napi::Value Discard(const Napi::CallbackInfo& info);
  Napi::Value Apply(const Napi::CallbackInfo& info);
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Membership(const Napi::CallbackInfo& info);
  Napi::Value GroupDatagrams(const Napi::CallbackInfo& info);
  Napi::Value SocketDrops(const Napi::CallbackInfo& info);
  Napi::Value Heartbeat(const Napi::CallbackInfo& info);
  Napi::Value TestToWan(const Napi::CallbackInfo& info);
  Napi::Value TestFromWan(const Napi::CallbackInfo& info);
  Napi::Value ReplayState(const Napi::CallbackInfo& info);
  Napi::Value ReplayStateSaved(const Napi::CallbackInfo& info);
  Napi::Value RestoreReplayState(const Napi::CallbackInfo& info);
  Napi::Value PrepareNumbering(const Napi::CallbackInfo& info);
  Napi::Value ShareSequences(const Napi::CallbackInfo& info);
  Napi::Value ShareGuards(const Napi::CallbackInfo& info);

  // The rules, shared by the threads and the test entry points. `path`: the WAN path (uplink)
  // a datagram came by; `wan`: whose addresses are our own (may be null).
  int DecideToWan(const EngineConfig& c, size_t groupCount, const uint8_t* f, size_t n, int64_t nowUs, uint32_t* group,
                  FrameHeader* h);
  // `d` is opened in place (R-GOOSE decrypts); the frame to write ends up in *frame: inside `d`
  // (GB1) or rebuilt in `scratch` (R-GOOSE, kSlotBytes). `source`: sender address and port.
  int DecideRgoose(const EngineConfig& c, GroupState g, uint8_t* d, size_t n, uint64_t source, const WanSet* wan, unsigned path,
                   int64_t nowUs, uint8_t* scratch, const uint8_t** frame, size_t* frameLen, FrameHeader* h);
  int DecideFromWan(const EngineConfig& c, GroupState g, uint8_t* d, size_t n, uint64_t source, const WanSet* wan, unsigned path,
                    int64_t nowUs, uint8_t* scratch, const uint8_t** frame, size_t* frameLen, FrameHeader* h);
  int HearControl(const EngineConfig& c, const uint8_t* d, size_t n, uint64_t source, int64_t nowUs);
  // Duplicate discard by message identity (delivered-frames.h), with the per-path accounting.
  void CountCopy(const DeliveredFrames::Copy& copy, unsigned path, int64_t nowUs);
  void RecordDelivered(uint64_t fp, uint64_t origin, unsigned path, int64_t nowUs);
  bool WritesLan(const EngineConfig& c, int64_t nowUs);
  int CheckCarried(const EngineConfig& c, const FilterOptions& inner, const uint8_t* frame, size_t len, int64_t nowUs, FrameHeader* h,
                   uint64_t* fp) const;
  // Datagram length; 0 when the SPDU could not be built, -1 when it would exceed the path MTU.
  long Encapsulate(const EngineConfig& c, const FrameHeader& h, uint8_t* slot, size_t len, uint32_t seq, uint8_t* out);
  // The group's next SPDU number under the active key; false when none may be used.
  bool TakeSpduNumber(const EngineConfig& c, RgooseGroupState* st, uint32_t* n);
  // The replay state has changed beyond what the state file covers: tells JS once per write.
  void NoteStateDue();
  bool DestinationAllowed(const EngineConfig& c, const uint8_t* frame) const;

  void TxLoop();
  void RxLoop();
  void Flush(const Plane& p, const struct sockaddr_in* const* to, struct iovec* iov, size_t count);
  void FlushPath(const Plane& p, size_t path, const struct sockaddr_in* const* to, struct iovec* iov, size_t count);
  void AddTrackCounts(const TrackCounts& tc);
  void ReceiveDatagram(const Plane& p, WanGroup& g, unsigned path, uint8_t* d, size_t len, uint64_t source, int64_t now, uint8_t* scratch);
  void ReceiveGroup(const Plane& p, WanGroup& g, struct mmsghdr* msgs, uint8_t** bufs, uint8_t* scratch);
  void AttributeDroppedReads(WanGroup& g, uint64_t gapFrames);
  void WriteL2(const Plane& p, const uint8_t* frame, size_t n, uint16_t appId, int64_t nowUs);
  void CountL2Write(uint16_t appId, size_t n, bool written);
  void FlushL2Writes();
  void NoteRingUnavailable(int err);
  void RefreshSendersGauge(const Plane& p);
  bool Snapshot(uint64_t* seen, Plane* p);
  void Emit(const char* kind, int err);
  void SetPriority();
  void Wake();
  void StopThreads();
  SenderTable* TableFor(const std::string& group);
  RgooseGroupState* ReplayFor(const std::string& group);
  uint32_t* SeqFor(const std::string& group);
  uint32_t* DrainedFor(const std::string& group);

  inline void Add(size_t slot, uint64_t n) {
    __atomic_store_n(&slots_[slot], __atomic_load_n(&slots_[slot], __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
  }

  inline void AddPath(unsigned path, int counter, uint64_t n) { Add(kPathBase + path * kPathCounterCount + counter, n); }
  inline void SetGauge(size_t slot, uint64_t v) { __atomic_store_n(&slots_[slot], v, __ATOMIC_RELAXED); }

  inline void AddApp(uint16_t appid, int counter, uint64_t n) {
    uint64_t* p = &appSlots_[size_t{appid} * kAppidCounterCount + counter];
    __atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
    uint64_t* seen = &appSlots_[kAppidSlots + appid / 64];
    uint64_t bit = uint64_t{1} << (appid % 64);
    // Both threads mark: an atomic OR, taken only the first time an APPID is counted.
    if ((__atomic_load_n(seen, __ATOMIC_RELAXED) & bit) == 0) __atomic_fetch_or(seen, bit, __ATOMIC_RELAXED);
  }

  // A frame from the L2 side dropped (reason: a to-WAN drop code) or sent, in the counters: the
  // same accounting for the tx thread and for testToWan.
  inline void CountToWanDrop(int reason, const FrameHeader& h) {
    Add(kToWanBase + reason, 1);
    if (h.hasAppId) AddApp(h.appId, kAppToWanDropped, 1);
  }
  inline void CountToWanSent(uint16_t appId, size_t len) {
    AddApp(appId, kAppToWanFrames, 1);
    AddApp(appId, kAppToWanBytes, len);
  }
  // A datagram from the WAN dropped (reason: a from-WAN drop code), under its carried frame's APPID
  // once that was read: the rx thread and testFromWan.
  inline void CountFromWanDrop(int reason, const FrameHeader& carried) {
    Add(kFromWanBase + reason, 1);
    if (carried.hasAppId) AddApp(carried.appId, kAppFromWanDropped, 1);
  }

  uint64_t* slots_ = nullptr;
  Napi::Reference<Napi::ArrayBuffer> slotsRef_;
  uint64_t* appSlots_ = nullptr;
  Napi::Reference<Napi::ArrayBuffer> appSlotsRef_;
  uint64_t own_ = 0;

  std::mutex mu_;
  Plane plane_;
  std::atomic<uint64_t> generation_{0};
  std::map<int, std::shared_ptr<L2Endpoint>> pendingL2_;
  std::map<int, std::shared_ptr<WanSet>> pendingWan_;
  int nextHandle_ = 1;
  std::map<std::string, std::unique_ptr<uint32_t>> seqs_;
  // GB1 sequence words shared with the kernel tier (its mmapable gb_seq map), by group.
  std::map<std::string, uint32_t*> sharedSeqs_;
  void* sharedSeqMap_ = nullptr;
  size_t sharedSeqMapBytes_ = 0;
  // The kernel tier's gb_drained map (mmapped) and each shared group's row in it.
  std::map<std::string, uint32_t*> drained_;
  void* drainedMap_ = nullptr;
  static constexpr size_t kDrainedMapBytes = size_t{GB_KP_SEQ_SLOTS} * GB_KP_DRAIN_CPUS * 8;
  std::map<std::string, std::unique_ptr<SenderTable>> tables_;
  std::map<std::string, std::unique_ptr<RgooseGroupState>> replays_;
  std::atomic<bool> stateDueNoted_{false};
  uint8_t ivSalt_[4] = {};
  uint64_t ivCounter_ = 0;  // tx thread only: GCM IVs never repeat under a key
  RecentFrames readFromL2_, writtenToL2_;
  DeliveredFrames delivered_;  // rx thread only
  // The kernel tier's copy discard and loop guard, for GB1 while it forwards. R-GOOSE stays in
  // delivered_: the kernel tier never delivers it, so no twin can be there to meet.
  SharedDelivered sharedDelivered_;
  SharedRecent sharedRecent_;
  SitePeers peers_;            // rx thread only
  uint32_t heartbeatSeq_ = 0;  // JS thread only
  TapBatchWriter tapWriter_;  // rx thread only
  std::atomic<bool> ringNoted_{false};

  int txWake_ = -1, rxWake_ = -1;
  std::thread tx_, rx_;
  std::atomic<bool> stopping_{false};
  bool started_ = false, closed_ = false;
  int rtPriority_ = 0;
  napi_threadsafe_function events_ = nullptr;
};

Napi::Value EngineLayout(const Napi::CallbackInfo& info);

}  // namespace gb
