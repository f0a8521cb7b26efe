#include "forwarding-engine.h"
#include "calibration.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/udp.h>
#include <time.h>
#include <unistd.h>

#include "../l2-receive.h"
#include "../openers.h"

namespace gb {

namespace {

constexpr size_t kBatch = 64;
constexpr size_t kSlotBytes = 65536 + 32;

// A batch arena, left uninitialised: a slot holds up to 64 KiB but a GOOSE frame touches only its
// first page, so the kernel backs only what frames use (a zero-filled std::vector would make all
// 4 MiB of each arena resident).
class UntouchedBytes {
 public:
  UntouchedBytes() = default;
  explicit UntouchedBytes(size_t n) : p_(new uint8_t[n]) {}
  uint8_t* data() const { return p_.get(); }

 private:
  std::unique_ptr<uint8_t[]> p_;
};
// A frame read from (or written to) the LAN is recognised for this long by the loop guard: far
// longer than any reflection takes, and shorter than a second, after which a 9-2LE stream's
// smpCnt (and a periodic signal's values) repeat, so a legitimate SV frame can recur byte for byte.
constexpr int64_t kLoopWindowUs = 500000;
// A later copy of a delivered frame is discarded for this long (the same bound as the loop
// guard's: far beyond the skew of two WAN paths, shorter than an SV stream's repetition).
constexpr int64_t kCopyWindowUs = 500000;
// GB1 sequence numbers of a group start at the wall clock in microseconds (mod 2^32) and then
// count by one, so a restarted sender is told apart from a late one (R-GOOSE numbers per key
// instead, from the state file: replay-numbering.h).
uint32_t InitialSequence() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint32_t>(static_cast<uint64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000);
}

int64_t NowUs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

#define GB_LABEL(name, label) label,
const char* const kToWanLabels[] = {GB_TO_WAN_DROPS(GB_LABEL)};
const char* const kFromWanLabels[] = {GB_FROM_WAN_DROPS(GB_LABEL)};
const char* const kCounterLabels[] = {GB_ENGINE_COUNTERS(GB_LABEL)};
const char* const kAppidLabels[] = {GB_APPID_COUNTERS(GB_LABEL)};
const char* const kPathLabels[] = {GB_PATH_COUNTERS(GB_LABEL)};
#undef GB_LABEL

Napi::Array Labels(Napi::Env env, const char* const* labels, size_t n) {
  Napi::Array a = Napi::Array::New(env, n);
  for (size_t i = 0; i < n; i++) a.Set(static_cast<uint32_t>(i), Napi::String::New(env, labels[i]));
  return a;
}

// Kernel refused for lack of room (the datagram is dropped, the socket is healthy).
bool IsBacklog(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS; }

bool IecMulticast(uint64_t mac) {
  // IEC 61850-8-1 / 9-2 destination ranges: 01-0C-CD-01 GOOSE, -02 GSE, -04 SV.
  uint64_t prefix = mac >> 16;
  return prefix == 0x010CCD01 || prefix == 0x010CCD02 || prefix == 0x010CCD04;
}

std::vector<uint8_t> AllowTable(const Napi::Value& v) {
  std::vector<uint8_t> allow;
  if (!v.IsArray()) return allow;
  allow.assign(0x10000, 0);
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Array r = a.Get(i).As<Napi::Array>();
    uint32_t lo = r.Get(0u).As<Napi::Number>().Uint32Value(), hi = r.Get(1u).As<Napi::Number>().Uint32Value();
    for (uint32_t x = lo; x <= hi && x <= 0xffff; x++) allow[x] = 1;
  }
  return allow;
}

uint64_t U64(const Napi::Object& o, const char* key) {
  return static_cast<uint64_t>(o.Get(key).As<Napi::Number>().DoubleValue());
}

// keys: [{ id, signature, encryption, key: Uint8Array }] → a keyring; throws naming the key.
std::unique_ptr<rgoose::Keyring> KeyringFrom(Napi::Env env, const Napi::Value& keys, const Napi::Value& active) {
  auto ring = std::make_unique<rgoose::Keyring>();
  if (!keys.IsArray()) return ring;
  Napi::Array a = keys.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Object o = a.Get(i).As<Napi::Object>();
    rgoose::RgooseKey k;
    k.id = o.Get("id").As<Napi::Number>().Uint32Value();
    std::string sig = o.Get("signature").As<Napi::String>(), enc = o.Get("encryption").As<Napi::String>();
    Napi::Uint8Array material = o.Get("key").As<Napi::Uint8Array>();
    if (!rgoose::ParseSigAlg(sig.c_str(), &k.sig) || !rgoose::ParseEncAlg(enc.c_str(), &k.enc) || material.ByteLength() > rgoose::kMaxKeyBytes) {
      throw CodedError(env, "GB_ERR_CONFIG", "rgoose key " + std::to_string(k.id) + ": unusable algorithm or key length");
    }
    memcpy(k.key, material.Data(), material.ByteLength());
    k.keyLen = material.ByteLength();
    rgoose::KeyError e = ring->Add(k);
    memset(k.key, 0, sizeof k.key);
    if (e != rgoose::KeyError::kOk) throw CodedError(env, "GB_ERR_CONFIG", "rgoose key " + std::to_string(k.id) + ": " + rgoose::KeyErrorLabel(e));
  }
  if (active.IsNumber() && ring->size() > 0 && !ring->SetActive(active.As<Napi::Number>().Uint32Value())) {
    throw CodedError(env, "GB_ERR_CONFIG", "rgoose: the active key id is not among the keys");
  }
  return ring;
}

L2Map L2MapFrom(const Napi::Value& v) {
  L2Map map;
  if (!v.IsArray()) return map;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Object o = a.Get(i).As<Napi::Object>();
    L2Target t;
    Napi::Array mac = o.Get("mac").As<Napi::Array>();
    for (uint32_t j = 0; j < 6; j++) t.mac[j] = static_cast<uint8_t>(mac.Get(j).As<Napi::Number>().Uint32Value());
    t.vid = o.Get("vid").As<Napi::Number>().Int32Value();
    t.priority = o.Get("priority").As<Napi::Number>().Int32Value();
    map[static_cast<uint16_t>(U64(o, "appid"))] = t;
  }
  return map;
}

}  // namespace

L2Endpoint::~L2Endpoint() {
  if (fd >= 0) close(fd);
}

Napi::Value EngineLayout(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("counters", Labels(env, kCounterLabels, kCounterCount));
  o.Set("toWanDrops", Labels(env, kToWanLabels, kToWanDropCount));
  o.Set("fromWanDrops", Labels(env, kFromWanLabels, kFromWanDropCount));
  o.Set("perAppid", Labels(env, kAppidLabels, kAppidCounterCount));
  o.Set("perPath", Labels(env, kPathLabels, kPathCounterCount));
  o.Set("maxPaths", Napi::Number::New(env, static_cast<double>(kMaxPaths)));
  return o;
}

Napi::Function ForwardingEngine::Init(Napi::Env env) {
  return DefineClass(env, "ForwardingEngine",
                     {
                         InstanceMethod("counters", &ForwardingEngine::Counters),
                         InstanceMethod("appidCounters", &ForwardingEngine::AppidCounters),
                         InstanceMethod("openTap", &ForwardingEngine::OpenTap),
                         InstanceMethod("openPacket", &ForwardingEngine::OpenPacket),
                         InstanceMethod("openWan", &ForwardingEngine::OpenWan),
                         InstanceMethod("discard", &ForwardingEngine::Discard),
                         InstanceMethod("apply", &ForwardingEngine::Apply),
                         InstanceMethod("start", &ForwardingEngine::Start),
                         InstanceMethod("close", &ForwardingEngine::Close),
                         InstanceMethod("membership", &ForwardingEngine::Membership),
                         InstanceMethod("groupDatagrams", &ForwardingEngine::GroupDatagrams),
                         InstanceMethod("socketDrops", &ForwardingEngine::SocketDrops),
                         InstanceMethod("heartbeat", &ForwardingEngine::Heartbeat),
                         InstanceMethod("testToWan", &ForwardingEngine::TestToWan),
                         InstanceMethod("testFromWan", &ForwardingEngine::TestFromWan),
                         InstanceMethod("replayState", &ForwardingEngine::ReplayState),
                         InstanceMethod("replayStateSaved", &ForwardingEngine::ReplayStateSaved),
                         InstanceMethod("restoreReplayState", &ForwardingEngine::RestoreReplayState),
                         InstanceMethod("prepareNumbering", &ForwardingEngine::PrepareNumbering),
                     });
}

// new ForwardingEngine(senderIdHi, senderIdLo)
ForwardingEngine::ForwardingEngine(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ForwardingEngine>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber()) throw Napi::TypeError::New(env, "ForwardingEngine(senderIdHi, senderIdLo)");
  own_ = uint64_t{info[0].As<Napi::Number>().Uint32Value()} << 32 | info[1].As<Napi::Number>().Uint32Value();
  if (!delivered_.ok()) throw CodedError(env, "GB_ERR_CONFIG", "duplicate-discard table", ENOMEM);
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, kAllSlots * sizeof(uint64_t));
  slots_ = static_cast<uint64_t*>(ab.Data());
  memset(slots_, 0, kAllSlots * sizeof(uint64_t));
  // The threads write into the buffers: they must live as long as the engine.
  slotsRef_ = Napi::Persistent(ab);
  // Mapped, not allocated, and never scanned whole (see kAppidSeenWords): the 3 MiB per-APPID
  // block is backed only where APPIDs were counted, a page each (no huge pages: 2 MiB at once).
  constexpr size_t kAppBytes = (kAppidSlots + kAppidSeenWords) * sizeof(uint64_t);
  void* block = mmap(nullptr, kAppBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (block == MAP_FAILED) throw CodedError(env, "GB_ERR_CONFIG", "per-APPID counters", errno);
  madvise(block, kAppBytes, MADV_NOHUGEPAGE);
  appSlots_ = static_cast<uint64_t*>(block);
  Napi::ArrayBuffer apps = Napi::ArrayBuffer::New(env, block, kAppBytes, [](Napi::Env, void* data) { munmap(data, kAppBytes); });
  appSlotsRef_ = Napi::Persistent(apps);
  txWake_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  rxWake_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (txWake_ < 0 || rxWake_ < 0) throw CodedError(env, "GB_ERR_SOCKET", "eventfd", errno);
  auto cfg = std::make_shared<EngineConfig>();
  cfg->groups.push_back("");
  plane_.cfg = cfg;
  if (getrandom(ivSalt_, sizeof ivSalt_, 0) != sizeof ivSalt_) throw CodedError(env, "GB_ERR_CONFIG", "getrandom for the GCM IV salt", errno);
}

ForwardingEngine::~ForwardingEngine() {
  StopThreads();
  if (txWake_ >= 0) close(txWake_);
  if (rxWake_ >= 0) close(rxWake_);
}

Napi::Value ForwardingEngine::AppidCounters(const Napi::CallbackInfo& info) {
  Napi::ArrayBuffer ab = appSlotsRef_.Value();
  return Napi::TypedArrayOf<uint64_t>::New(info.Env(), kAppidSlots + kAppidSeenWords, ab, 0, napi_biguint64_array);
}

Napi::Value ForwardingEngine::Counters(const Napi::CallbackInfo& info) {
  Napi::ArrayBuffer ab = slotsRef_.Value();
  return Napi::TypedArrayOf<uint64_t>::New(info.Env(), kAllSlots, ab, 0, napi_biguint64_array);
}

// openTap(name, txQueueLen, persist) -> { handle, ifname, ifindex, existed }
Napi::Value ForwardingEngine::OpenTap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TapOpened t;
  OpenFailure f;
  if (!OpenTapFd(info[0].As<Napi::String>(), true, info[1].As<Napi::Number>().Int32Value(), info[2].ToBoolean(), &t, &f)) throw ToJsError(env, f);
  auto l2 = std::make_shared<L2Endpoint>();
  l2->fd = t.fd;
  l2->ifname = t.ifname;
  l2->ifindex = t.ifindex;
  int h = nextHandle_++;
  pendingL2_[h] = l2;
  Napi::Object o = Napi::Object::New(env);
  o.Set("handle", h);
  o.Set("ifname", t.ifname);
  o.Set("ifindex", t.ifindex);
  o.Set("existed", t.existed);
  return o;
}

// openPacket(ifname, etherTypes[], promiscuous, rcvbufBytes) -> { handle, ifname, ifindex }
Napi::Value ForwardingEngine::OpenPacket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string ifname = info[0].As<Napi::String>();
  std::vector<uint16_t> types;
  Napi::Array a = info[1].As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) types.push_back(static_cast<uint16_t>(a.Get(i).As<Napi::Number>().Uint32Value()));
  PacketOpened p;
  OpenFailure f;
  if (!OpenPacketFd(ifname, types, false, info[3].As<Napi::Number>().Int32Value(), true, info[2].ToBoolean(), &p, &f)) throw ToJsError(env, f);
  auto l2 = std::make_shared<L2Endpoint>();
  l2->fd = p.fd;
  l2->packet = true;
  l2->ifname = ifname;
  l2->ifindex = p.ifindex;
  int h = nextHandle_++;
  pendingL2_[h] = l2;
  Napi::Object o = Napi::Object::New(env);
  o.Set("handle", h);
  o.Set("ifname", ifname);
  o.Set("ifindex", p.ifindex);
  return o;
}

// openWan({ groups, join, port, uplinks: [{ address, ifindex }], ttl, socketBufferBytes }) -> handle
Napi::Value ForwardingEngine::OpenWan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = info[0].As<Napi::Object>();
  WanOptions w;
  Napi::Array groups = o.Get("groups").As<Napi::Array>(), join = o.Get("join").As<Napi::Array>();
  for (uint32_t i = 0; i < groups.Length(); i++) {
    w.groups.push_back(groups.Get(i).As<Napi::String>());
    w.join.push_back(join.Get(i).ToBoolean());
  }
  w.port = static_cast<uint16_t>(U64(o, "port"));
  Napi::Array uplinks = o.Get("uplinks").As<Napi::Array>();
  for (uint32_t i = 0; i < uplinks.Length(); i++) {
    Napi::Object u = uplinks.Get(i).As<Napi::Object>();
    w.uplinks.push_back(UplinkOptions{u.Get("address").As<Napi::String>(), static_cast<int>(U64(u, "ifindex"))});
  }
  w.ttl = static_cast<int>(U64(o, "ttl"));
  w.socketBufferBytes = static_cast<int>(U64(o, "socketBufferBytes"));
  OpenFailure f;
  std::unique_ptr<WanSet> set = OpenWanSet(w, &f);
  if (!set) throw ToJsError(env, f);
  int h = nextHandle_++;
  pendingWan_[h] = std::shared_ptr<WanSet>(std::move(set));
  return Napi::Number::New(env, h);
}

// discard(handle): closes an opened set that will not be applied.
Napi::Value ForwardingEngine::Discard(const Napi::CallbackInfo& info) {
  int h = info[0].As<Napi::Number>().Int32Value();
  pendingL2_.erase(h);
  pendingWan_.erase(h);
  return info.Env().Undefined();
}

SenderTable* ForwardingEngine::TableFor(const std::string& group) {
  auto& t = tables_[group];
  if (!t) t = std::make_unique<SenderTable>();
  return t.get();
}

RgooseGroupState* ForwardingEngine::ReplayFor(const std::string& group) {
  auto& t = replays_[group];
  if (!t) t = std::make_unique<RgooseGroupState>();
  return t.get();
}

uint32_t* ForwardingEngine::SeqFor(const std::string& group) {
  auto& s = seqs_[group];
  if (!s) s = std::make_unique<uint32_t>(InitialSequence());
  return s.get();
}

// apply({ config, l2?: handle | null, wan?: handle | null }): switches atomically. undefined
// keeps the current resource, null detaches it. The WAN set must have the config's groups.
Napi::Value ForwardingEngine::Apply(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = info[0].As<Napi::Object>();
  Napi::Object c = o.Get("config").As<Napi::Object>();
  auto cfg = std::make_shared<EngineConfig>();
  cfg->filter.enableSv = cfg->inner.enableSv = c.Get("enableSv").ToBoolean();
  cfg->filter.enableGse = cfg->inner.enableGse = c.Get("enableGse").ToBoolean();
  cfg->filter.checkAppIdRange = cfg->inner.checkAppIdRange = c.Get("checkAppIdRange").ToBoolean();
  cfg->rgooseInner = cfg->inner;
  cfg->rgooseInner.checkAppIdRange = false;
  cfg->filter.allow = AllowTable(c.Get("appIdAllow"));
  Napi::Array groups = c.Get("groups").As<Napi::Array>();
  for (uint32_t i = 0; i < groups.Length(); i++) cfg->groups.push_back(groups.Get(i).As<Napi::String>());
  Napi::Array rules = c.Get("rules").As<Napi::Array>();
  for (uint32_t i = 0; i < rules.Length(); i++) {
    Napi::Object r = rules.Get(i).As<Napi::Object>();
    EngineConfig::Rule rule{r.Get("kind").As<Napi::String>().Utf8Value() == "mac", U64(r, "lo"), U64(r, "hi"),
                            static_cast<uint32_t>(U64(r, "groupIndex"))};
    if (rule.group >= cfg->groups.size()) throw Napi::RangeError::New(env, "apply: rule group index out of range");
    cfg->rules.push_back(rule);
    if (rule.mac) cfg->destinations.emplace_back(rule.lo, rule.hi);
  }
  cfg->maxFrame = U64(c, "maxFrame");
  cfg->maxDatagram = U64(c, "maxDatagram");
  cfg->l2Mtu = U64(c, "l2Mtu");
  cfg->gateway = c.Get("gateway").ToBoolean();
  cfg->tapIoUring = !c.Has("tapIoUring") || c.Get("tapIoUring").ToBoolean();
  cfg->rgoose = c.Get("encapsulation").IsString() && c.Get("encapsulation").As<Napi::String>().Utf8Value() == "rgoose";
  cfg->maxPayload = c.Get("maxPayload").IsNumber() ? U64(c, "maxPayload") : 0;
  cfg->l2Map = L2MapFrom(c.Get("l2Map"));
  for (const auto& [appid, t] : cfg->l2Map) {
    uint64_t mac = DestinationMac48(t.mac);
    cfg->destinations.emplace_back(mac, mac);
  }
  cfg->txRing = KeyringFrom(env, c.Get("keys"), c.Get("activeKey"));
  cfg->rxRing = KeyringFrom(env, c.Get("keys"), c.Get("activeKey"));
  if (c.Get("keyExpiry").IsArray()) {
    Napi::Array a = c.Get("keyExpiry").As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) {
      Napi::Object e = a.Get(i).As<Napi::Object>();
      cfg->keyExpiry.emplace_back(e.Get("id").As<Napi::Number>().Uint32Value(), static_cast<int64_t>(e.Get("atUs").As<Napi::Number>().DoubleValue()));
    }
  }
  if (cfg->groups.empty()) throw Napi::RangeError::New(env, "apply: config.groups is empty");
  cfg->site = c.Get("site").IsNumber() ? static_cast<uint32_t>(U64(c, "site")) : 0;
  cfg->siteHoldUs = c.Get("siteHoldUs").IsNumber() ? static_cast<int64_t>(U64(c, "siteHoldUs")) : 0;

  Plane next;
  {
    std::lock_guard<std::mutex> lk(mu_);
    next = plane_;
  }
  // The start-up grace of a site (listening for peers) runs once, not again at every reload.
  cfg->siteSinceUs = next.cfg && next.cfg->site == cfg->site ? next.cfg->siteSinceUs : NowUs();
  next.cfg = cfg;
  auto take = [&](const char* key, auto& pending, auto& slot) {
    Napi::Value v = o.Get(key);
    if (v.IsUndefined()) return;
    if (v.IsNull()) {
      slot = nullptr;
      return;
    }
    int h = v.As<Napi::Number>().Int32Value();
    auto it = pending.find(h);
    if (it == pending.end()) throw Napi::Error::New(env, std::string("apply: no pending ") + key + " handle " + std::to_string(h));
    slot = it->second;
  };
  take("l2", pendingL2_, next.l2);
  take("wan", pendingWan_, next.wan);
  if (next.wan) {
    if (next.wan->groups.size() != cfg->groups.size()) throw Napi::Error::New(env, "apply: the WAN set's groups differ from the config's");
    for (size_t i = 0; i < cfg->groups.size(); i++) {
      if (next.wan->options.groups[i] != cfg->groups[i]) throw Napi::Error::New(env, "apply: the WAN set's groups differ from the config's");
    }
  }
  // Everything checked: from here nothing throws.
  // Windows and counters of keys no longer listed are forgotten (their SPDUs are unknown-key now).
  rgoose::Keyring* listed = cfg->rxRing.get();
  auto keep = [listed](uint32_t id) { return listed->size() == 0 ? id == 0 : listed->Find(id) != nullptr; };
  for (const std::string& g : cfg->groups) {
    TableFor(g);
    SeqFor(g);
    RgooseGroupState* st = ReplayFor(g);
    std::lock_guard<std::mutex> lk(st->mu);
    st->guard.table().Retain(keep);
    st->numbering.Retain(keep);
  }
  if (next.wan) {
    for (size_t i = 0; i < next.wan->groups.size(); i++) {
      next.wan->groups[i]->seq = SeqFor(cfg->groups[i]);
      next.wan->groups[i]->senders = TableFor(cfg->groups[i]);
      next.wan->groups[i]->rgoose = ReplayFor(cfg->groups[i]);
    }
  }
  for (auto it = pendingL2_.begin(); it != pendingL2_.end();) it = it->second == next.l2 ? pendingL2_.erase(it) : std::next(it);
  for (auto it = pendingWan_.begin(); it != pendingWan_.end();) it = it->second == next.wan ? pendingWan_.erase(it) : std::next(it);
  {
    std::lock_guard<std::mutex> lk(mu_);
    plane_ = next;
    generation_.fetch_add(1, std::memory_order_release);
  }
  Wake();
  return env.Undefined();
}

void ForwardingEngine::Wake() {
  uint64_t one = 1;
  ssize_t a = write(txWake_, &one, sizeof one);
  ssize_t b = write(rxWake_, &one, sizeof one);
  (void)a, (void)b;
}

bool ForwardingEngine::Snapshot(uint64_t* seen, Plane* p) {
  uint64_t g = generation_.load(std::memory_order_acquire);
  if (g == *seen) return false;
  std::lock_guard<std::mutex> lk(mu_);
  *p = plane_;
  *seen = generation_.load(std::memory_order_relaxed);
  return true;
}

// Real-time priority for a data-plane thread: a frame's wake-up then preempts ordinary work at
// once, as the kernel's own forwarding (softirq) does. Blocking threads with bounded work per
// wake-up cannot starve the machine. Reported (not fatal) when not permitted.
void ForwardingEngine::SetPriority() {
  if (rtPriority_ <= 0) return;
  sched_param sp{};
  sp.sched_priority = rtPriority_;
  int err = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
  if (err != 0) Emit("rt-priority-failed", err);
}

// start(onEvent(kind, errno), rtPriority)
Napi::Value ForwardingEngine::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  rtPriority_ = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : 0;
  if (started_ || closed_) throw Napi::Error::New(env, "start(): already started or closed");
  if (std::string why = Calibration::Refusal(); !why.empty()) throw Napi::Error::New(env, why);
  auto callJs = [](napi_env e, napi_value fn, void*, void* data) {
    auto* ev = static_cast<std::pair<const char*, int>*>(data);
    if (e != nullptr && fn != nullptr) {
      napi_value argv[2], undef;
      napi_get_undefined(e, &undef);
      napi_create_string_utf8(e, ev->first, NAPI_AUTO_LENGTH, &argv[0]);
      napi_create_int32(e, ev->second, &argv[1]);
      napi_call_function(e, undef, fn, 2, argv, nullptr);
    }
    delete ev;
  };
  if (napi_create_threadsafe_function(env, info[0], nullptr, Napi::String::New(env, "goose-bridge:engine"), 0, 1, nullptr,
                                      nullptr, nullptr, callJs, &events_) != napi_ok) {
    throw Napi::Error::New(env, "napi_create_threadsafe_function failed");
  }
  // A running engine keeps the process alive, as an open socket does, until close().
  started_ = true;
  Ref();
  tx_ = std::thread(&ForwardingEngine::TxLoop, this);
  rx_ = std::thread(&ForwardingEngine::RxLoop, this);
  return env.Undefined();
}

void ForwardingEngine::Emit(const char* kind, int err) {
  if (events_ == nullptr) return;
  auto* ev = new std::pair<const char*, int>(kind, err);
  if (napi_call_threadsafe_function(events_, ev, napi_tsfn_nonblocking) != napi_ok) delete ev;
}

void ForwardingEngine::StopThreads() {
  stopping_.store(true, std::memory_order_release);
  Wake();
  if (tx_.joinable()) tx_.join();
  if (rx_.joinable()) rx_.join();
}

Napi::Value ForwardingEngine::Close(const Napi::CallbackInfo& info) {
  if (closed_) return info.Env().Undefined();
  closed_ = true;
  StopThreads();
  if (events_ != nullptr) {
    napi_release_threadsafe_function(events_, napi_tsfn_abort);
    events_ = nullptr;
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    plane_.l2 = nullptr;
    plane_.wan = nullptr;
  }
  pendingL2_.clear();
  pendingWan_.clear();
  if (started_) Unref();
  return info.Env().Undefined();
}

// membership(groupIndex, rejoin): 0 or errno.
Napi::Value ForwardingEngine::Membership(const Napi::CallbackInfo& info) {
  size_t gi = info[0].As<Napi::Number>().Uint32Value();
  bool rejoin = info[1].ToBoolean();
  std::shared_ptr<WanSet> wan;
  {
    std::lock_guard<std::mutex> lk(mu_);
    wan = plane_.wan;
  }
  int err = ENOTCONN;
  if (wan && gi < wan->groups.size()) err = rejoin ? RejoinGroup(*wan->groups[gi], wan->options) : EnsureMembership(*wan->groups[gi], wan->options);
  return Napi::Number::New(info.Env(), err);
}

Napi::Value ForwardingEngine::GroupDatagrams(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<WanSet> wan;
  {
    std::lock_guard<std::mutex> lk(mu_);
    wan = plane_.wan;
  }
  Napi::Array a = Napi::Array::New(env);
  if (wan) {
    for (size_t i = 0; i < wan->groups.size(); i++) {
      a.Set(static_cast<uint32_t>(i), static_cast<double>(wan->groups[i]->datagrams.load(std::memory_order_relaxed)));
    }
  }
  return a;
}

// socketDrops(): frames the kernel dropped before the tx thread read them from a packet socket
// (PACKET_STATISTICS; the kernel resets it on read, so the caller accumulates). 0 for a TAP,
// whose drops are its tx_dropped statistic.
Napi::Value ForwardingEngine::SocketDrops(const Napi::CallbackInfo& info) {
  std::shared_ptr<L2Endpoint> l2;
  {
    std::lock_guard<std::mutex> lk(mu_);
    l2 = plane_.l2;
  }
  double drops = 0;
  if (l2 && l2->packet) {
    tpacket_stats st{};
    socklen_t len = sizeof st;
    if (getsockopt(l2->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) drops = st.tp_drops;
  }
  return Napi::Number::New(info.Env(), drops);
}

// ------------------------------------------------------------------------------------ rules

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
  return kForward;
}

int ForwardingEngine::CheckCarried(const EngineConfig& c, const FilterOptions& inner, const uint8_t* frame, size_t len, int64_t nowUs,
                                   FrameHeader* hp, uint64_t* fpOut) const {
  FrameHeader& h = *hp;
  if (CheckFrame(inner, frame, len, &h) != kForward) return kInnerNotAllowed;
  if (len > c.l2Mtu + 14 + (h.tagged ? 4 : 0)) return kOversizeFrame;
  if (!DestinationAllowed(c, frame)) return kBadDestination;
  const uint64_t fp = *fpOut = FrameFingerprint(frame, len);
  if (readFromL2_.Seen(fp, nowUs, kLoopWindowUs)) return kLoop;
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
  DeliveredFrames::Copy copy;
  bool isCopy = delivered_.IsCopy(fp, v.sender, t == kTrackDuplicate, path, nowUs, kCopyWindowUs, &copy);
  if (t == kTrackDuplicate && !(isCopy && copy.pathNew)) return kDuplicate;
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

// testToWan(frame) -> [label | "forward", groupIndex]: the tx thread's decision and counting,
// for the property test against the TypeScript specification (engine not started).
Napi::Value ForwardingEngine::TestToWan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (started_) throw Napi::Error::New(env, "testToWan: engine is running");
  Napi::Uint8Array f = info[0].As<Napi::Uint8Array>();
  Add(kL2FramesRead, 1);
  Add(kL2BytesRead, f.ByteLength());
  uint32_t gi = 0;
  FrameHeader h;
  int v = DecideToWan(*plane_.cfg, plane_.cfg->groups.size(), f.Data(), f.ByteLength(), NowUs(), &gi, &h);
  if (v != kForward) CountToWanDrop(v, h);
  else CountToWanSent(h.appId, f.ByteLength());
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::String::New(env, v == kForward ? "forward" : kToWanLabels[v]));
  out.Set(1u, Napi::Number::New(env, gi));
  return out;
}

// testFromWan(datagram, groupIndex, nowUs, source?, path?) -> label | "forward" | "control" (the datagram is opened in place)
Napi::Value ForwardingEngine::TestFromWan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (started_) throw Napi::Error::New(env, "testFromWan: engine is running");
  Napi::Uint8Array d = info[0].As<Napi::Uint8Array>();
  uint32_t gi = info[1].As<Napi::Number>().Uint32Value();
  int64_t now = static_cast<int64_t>(info[2].As<Napi::Number>().DoubleValue());
  const EngineConfig& c = *plane_.cfg;
  if (gi >= c.groups.size()) throw Napi::RangeError::New(env, "testFromWan: group index out of range");
  Add(kWanDatagramsReceived, 1);
  Add(kWanBytesReceived, d.ByteLength());
  uint64_t source = info.Length() > 3 ? static_cast<uint64_t>(info[3].As<Napi::Number>().DoubleValue()) : 0;
  unsigned path = info.Length() > 4 ? info[4].As<Napi::Number>().Uint32Value() : 0;
  if (path >= kMaxPaths) throw Napi::RangeError::New(env, "testFromWan: path out of range");
  AddPath(path, kPathDatagramsReceived, 1);
  std::vector<uint8_t> scratch(kSlotBytes);
  const uint8_t* frame = nullptr;
  size_t len = 0;
  GroupState g{TableFor(c.groups[gi]), ReplayFor(c.groups[gi])};
  FrameHeader h;
  int r = DecideFromWan(c, g, d.Data(), d.ByteLength(), source, nullptr, path, now, scratch.data(), &frame, &len, &h);
  if (r >= 0) Add(kFromWanBase + r, 1);
  return Napi::String::New(env, r == kForward ? "forward" : r == kControl ? "control" : kFromWanLabels[r]);
}

// ------------------------------------------------------------------------------- tx thread

namespace {

// The largest UDP payload of one IPv4 datagram: a GSO send carries at most this much.
constexpr size_t kMaxGsoPayload = 65535 - 20 - 8;

// Datagrams from `first` on that can leave as one UDP GSO send: same group, same length (the
// last may be shorter, as the kernel cuts at every `len` bytes).
size_t GsoRun(const sockaddr_in* const* to, const iovec* iov, size_t first, size_t count) {
  size_t len = iov[first].iov_len, total = len, n = 1;
  while (first + n < count) {
    size_t l = iov[first + n].iov_len;
    if (to[first + n] != to[first] || l > len || total + l > kMaxGsoPayload) break;
    total += l;
    n++;
    if (l < len) break;
  }
  return n;
}

}  // namespace

// A batch leaves in one sendmmsg call. Consecutive datagrams to one group with one length
// become one entry with UDP_SEGMENT: the route, netfilter and every hop in this host and the
// receiving one handle the run once, and the datagrams on the wire are the ones that would
// have been sent one by one (the device, or the receiving socket, cuts the run).
void ForwardingEngine::Flush(const Plane& p, const sockaddr_in* const* to, iovec* iov, size_t count) {
  for (size_t path = 0; path < p.wan->paths.size(); path++) FlushPath(p, path, to, iov, count);
}

// The batch on one path (every datagram leaves on every path: PRP over IP).
void ForwardingEngine::FlushPath(const Plane& p, size_t path, const sockaddr_in* const* to, iovec* iov, size_t count) {
  WanPath& w = p.wan->paths[path];
  mmsghdr wire[kBatch];
  uint32_t first[kBatch], carried[kBatch];
  alignas(cmsghdr) uint8_t ctl[kBatch][CMSG_SPACE(sizeof(uint16_t))];
  size_t entries = 0;
  for (size_t i = 0; i < count; entries++) {
    size_t n = w.segmentOffload ? GsoRun(to, iov, i, count) : 1;
    first[entries] = static_cast<uint32_t>(i);
    carried[entries] = static_cast<uint32_t>(n);
    msghdr& h = wire[entries].msg_hdr;
    h = msghdr{};
    h.msg_name = const_cast<sockaddr_in*>(to[i]);
    h.msg_namelen = sizeof(sockaddr_in);
    h.msg_iov = &iov[i];
    h.msg_iovlen = n;
    if (n > 1) {
      h.msg_control = ctl[entries];
      h.msg_controllen = sizeof ctl[entries];
      cmsghdr* cm = CMSG_FIRSTHDR(&h);
      cm->cmsg_level = SOL_UDP;
      cm->cmsg_type = UDP_SEGMENT;
      cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      uint16_t seg = static_cast<uint16_t>(iov[i].iov_len);
      memcpy(CMSG_DATA(cm), &seg, sizeof seg);
    }
    i += n;
  }
  size_t done = 0;
  while (done < entries) {
    int r;
    // A lone frame goes out with a plain send: nothing is held back to fill a batch.
    if (entries - done == 1) r = sendmsg(w.sendFd, &wire[done].msg_hdr, MSG_DONTWAIT) >= 0 ? 1 : -1;
    else r = sendmmsg(w.sendFd, wire + done, static_cast<unsigned>(entries - done), MSG_DONTWAIT);
    Add(kWanSendCalls, 1);
    if (r < 0) {
      int err = errno;
      if (err == EINTR) continue;
      if (carried[done] > 1 && !IsBacklog(err)) {
        // A run refused (an IPsec route, a kernel without UDP GSO): its datagrams go one by one,
        // and when that works, so does every run this socket sends from now on.
        bool wasOn = w.segmentOffload;
        uint64_t before = slots_[kWanDatagramsSent];
        w.segmentOffload = false;
        FlushPath(p, path, to + first[done], iov + first[done], carried[done]);
        bool singlesWork = slots_[kWanDatagramsSent] != before;
        if (!singlesWork) w.segmentOffload = wasOn;
        else if (wasOn) Emit("gso-refused", err);
        done++;
        continue;
      }
      Add(kToWanBase + (IsBacklog(err) ? kSendBacklog : kSendError), carried[done]);
      AddPath(static_cast<unsigned>(path), kPathSendErrors, carried[done]);
      done++;
      continue;
    }
    for (size_t e = done; e < done + static_cast<size_t>(r); e++) {
      uint64_t bytes = 0;
      for (size_t i = first[e]; i < first[e] + carried[e]; i++) bytes += iov[i].iov_len;
      Add(kWanDatagramsSent, carried[e]);
      AddPath(static_cast<unsigned>(path), kPathDatagramsSent, carried[e]);
      Add(kWanBytesSent, bytes);
      if (carried[e] > 1) Add(kWanSegmentedDatagrams, carried[e]);
    }
    done += static_cast<size_t>(r);
  }
}

void ForwardingEngine::TxLoop() {
  pthread_setname_np(pthread_self(), "gb-to-wan");
  SetPriority();
  UntouchedBytes arena(kBatch * kSlotBytes);
  UntouchedBytes spdus;  // R-GOOSE output (GB1 sends the read slot itself)
  const sockaddr_in* to[kBatch];
  iovec iov[kBatch];
  TapBurstReader tapReader;
  if (int err = tapReader.Init(kSlotBytes - kGb1HeaderBytes)) NoteRingUnavailable(err);
  Plane p;
  Calibration calibration = Calibration::FromEnv();  // a test knob: off unless allowed
  uint64_t seen = ~uint64_t{0};
  while (!stopping_.load(std::memory_order_acquire)) {
    Snapshot(&seen, &p);
    L2Endpoint* l2 = p.l2 && !p.l2->dead.load(std::memory_order_relaxed) ? p.l2.get() : nullptr;
    bool viaRing = l2 != nullptr && !l2->packet && ((tapReader.ok() && p.cfg->tapIoUring) || tapReader.Pending());
    // Frames the ring already read are handed out before the thread sleeps again.
    if (!(viaRing && tapReader.Pending())) {
      pollfd fds[2] = {{txWake_, POLLIN, 0}, {l2 ? l2->fd : -1, POLLIN, 0}};
      if (poll(fds, l2 ? 2 : 1, -1) < 0) continue;
      if (fds[0].revents) {
        uint64_t v;
        ssize_t ignored = read(txWake_, &v, sizeof v);
        (void)ignored;
        continue;
      }
      if (l2 == nullptr || fds[1].revents == 0) continue;
    }
    size_t count = 0;
    int64_t now = NowUs();
    const EngineConfig& c = *p.cfg;
    size_t groupCount = p.wan ? p.wan->groups.size() : 0;
    while (count < kBatch) {
      uint8_t* slot = arena.data() + count * kSlotBytes;
      size_t start = 0;
      ReceiveNote note;
      // Read so the frame lands right behind the GB1 header: encapsulation copies nothing.
      uint8_t* dst = slot + kGb1HeaderBytes - (l2->packet ? 4 : 0);
      ssize_t n = viaRing ? tapReader.Read(l2->fd, dst, kSlotBytes - kGb1HeaderBytes)
                          : ReceiveFrame(l2->fd, l2->packet, false, dst, kSlotBytes - kGb1HeaderBytes, &start, &note);
      if (!viaRing) Add(kL2ReadCalls, 1);
      if (n < 0) {
        int err = static_cast<int>(-n);
        if (err == EAGAIN || err == EWOULDBLOCK) break;
        if (err == EINTR) continue;
        Add(kL2ReadErrors, 1);
        bool gone = err == EBADFD || err == ENODEV || (err == ENETDOWN && l2->packet && if_nametoindex(l2->ifname.c_str()) == 0);
        if (gone) {
          l2->dead.store(true, std::memory_order_relaxed);
          Emit("l2-lost", err);
        }
        break;
      }
      if (n == 0) continue;
      uint8_t* frame = slot + kGb1HeaderBytes;
      if (dst + start != frame) memmove(frame, dst + start, static_cast<size_t>(n));
      size_t len = static_cast<size_t>(n);
      Add(kL2FramesRead, 1);
      Add(kL2BytesRead, len);
      calibration.Frame();
      uint32_t gi = 0;
      FrameHeader h;
      int v = DecideToWan(c, groupCount, frame, len, now, &gi, &h);
      if (v != kForward) {
        CountToWanDrop(v, h);
        continue;
      }
      WanGroup& g = *p.wan->groups[gi];
      if (c.rgoose && spdus.data() == nullptr) spdus = UntouchedBytes(kBatch * kSlotBytes);
      uint8_t* out = c.rgoose ? spdus.data() + count * kSlotBytes : slot;
      uint32_t number = *g.seq;
      if (c.rgoose && !TakeSpduNumber(c, g.rgoose, &number)) {
        CountToWanDrop(kSpduNumberUnavailable, h);
        continue;
      }
      long total = Encapsulate(c, h, slot, len, number, out);
      if (total <= 0) {
        CountToWanDrop(total < 0 ? kOversize : kEncapsulationFailed, h);
        continue;
      }
      if (!c.rgoose) (*g.seq)++;
      CountToWanSent(h.appId, len);
      iov[count] = {out, static_cast<size_t>(total)};
      to[count] = &g.destination;
      count++;
    }
    if (viaRing) Add(kL2ReadCalls, tapReader.TakeCalls());
    if (count > 0) Flush(p, to, iov, count);
  }
}

// ------------------------------------------------------------------------------- rx thread

// A TAP with a ring takes the frame into the current batch (written by FlushL2Writes, at the end of
// each receive round or when the batch is full); anything else is written at once.
void ForwardingEngine::WriteL2(const Plane& p, const uint8_t* frame, size_t n, uint16_t appId, int64_t nowUs) {
  L2Endpoint* l2 = p.l2 && !p.l2->dead.load(std::memory_order_relaxed) ? p.l2.get() : nullptr;
  // Recorded before the write: a reflection can reach the tx thread before write() returns.
  // A standby gateway records what its site's writer puts on the LAN, and writes nothing.
  if (p.cfg->gateway) writtenToL2_.Put(FrameFingerprint(frame, n), nowUs);
  if (!WritesLan(*p.cfg, nowUs)) {
    Add(kL2FramesLeftToPeer, 1);
    return;
  }
  if (l2 != nullptr && !l2->packet && tapWriter_.ok() && p.cfg->tapIoUring) {
    if (tapWriter_.Full()) FlushL2Writes();
    tapWriter_.Queue(l2->fd, frame, n, uint64_t{appId} << 32 | n);
    return;
  }
  ssize_t r = -1;
  if (l2 != nullptr) {
    r = l2->packet ? send(l2->fd, frame, n, MSG_DONTWAIT) : write(l2->fd, frame, n);
    Add(kL2WriteCalls, 1);
  }
  CountL2Write(appId, n, r >= 0);
}

void ForwardingEngine::FlushL2Writes() {
  if (tapWriter_.Empty()) return;
  Add(kL2WriteCalls, 1);
  tapWriter_.Flush([this](uint64_t tag, bool written) { CountL2Write(static_cast<uint16_t>(tag >> 32), tag & 0xffffffffu, written); });
}

void ForwardingEngine::CountL2Write(uint16_t appId, size_t n, bool written) {
  if (!written) {
    Add(kFromWanBase + kL2WriteFailed, 1);
    AddApp(appId, kAppFromWanDropped, 1);
    return;
  }
  Add(kL2FramesWritten, 1);
  Add(kL2BytesWritten, n);
  AddApp(appId, kAppFromWanFrames, 1);
  AddApp(appId, kAppFromWanBytes, n);
}

// Logged once: TAP reads and writes then cost a system call per frame, as without io_uring.
void ForwardingEngine::NoteRingUnavailable(int err) {
  if (!ringNoted_.exchange(true)) Emit("io-uring-unavailable", err);
}

void ForwardingEngine::RefreshSendersGauge(const Plane& p) {
  uint64_t total = 0;
  if (p.wan)
    for (const auto& g : p.wan->groups)
      if (g->senders) total += g->senders->senders();
  __atomic_store_n(&slots_[kSenders], total, __ATOMIC_RELAXED);
}

void ForwardingEngine::ReceiveDatagram(const Plane& p, WanGroup& g, unsigned path, uint8_t* d, size_t len, uint64_t source, int64_t now,
                                       uint8_t* scratch) {
  g.datagrams.fetch_add(1, std::memory_order_relaxed);
  Add(kWanDatagramsReceived, 1);
  Add(kWanBytesReceived, len);
  AddPath(path, kPathDatagramsReceived, 1);
  const uint8_t* frame = nullptr;
  size_t frameLen = 0;
  FrameHeader carried;
  int verdict = DecideFromWan(*p.cfg, GroupState{g.senders, g.rgoose}, d, len, source, p.wan.get(), path, now, scratch, &frame,
                              &frameLen, &carried);
  if (verdict == kControl) return;
  if (verdict != kForward) {
    Add(kFromWanBase + verdict, 1);
    if (carried.hasAppId) AddApp(carried.appId, kAppFromWanDropped, 1);
    return;
  }
  WriteL2(p, frame, frameLen, carried.appId, now);
}

// The kernel counts a full receive buffer per read it drops (SO_RXQ_OVFL), and with UDP GRO one
// read is a whole run of datagrams, whose length it never reports. The datagrams show as a
// sender's sequence gap once its next datagram arrives (usually in the read that brings the
// kernel's notice): a gap of n datagrams seen while dropped reads are pending counts n and settles
// up to n of those reads. Reads still pending when the round ends count one datagram each (a run
// of a sender not tracked, or a gap not visible yet). Exact without runs; with runs exact unless
// WAN loss coincides with the overflow (then counted here too) or a sender's gap shows only in a
// later round (counted as one datagram per read). gap_frames stays the exact loss per sender.
void ForwardingEngine::AttributeDroppedReads(WanGroup& g, uint64_t gapFrames) {
  if (gapFrames > 0) {
    Add(kRcvbufDrops, gapFrames);
    g.droppedReads -= static_cast<uint32_t>(std::min<uint64_t>(g.droppedReads, gapFrames));
  } else if (g.droppedReads > 0) {
    Add(kRcvbufDrops, g.droppedReads);
    g.droppedReads = 0;
  }
}

void ForwardingEngine::ReceiveGroup(const Plane& p, WanGroup& g, mmsghdr* msgs, uint8_t** bufs, uint8_t* scratch) {
  constexpr size_t kCtl = CMSG_SPACE(sizeof(uint32_t)) + CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(in_pktinfo));
  static thread_local iovec iov[kBatch];
  static thread_local char ctl[kBatch][kCtl];
  static thread_local sockaddr_in from[kBatch];
  // Bounded rounds so one busy group cannot starve the others.
  for (int round = 0; round < 8; round++) {
    for (size_t i = 0; i < kBatch; i++) {
      iov[i] = {bufs[i], kSlotBytes};
      memset(&msgs[i], 0, sizeof msgs[i]);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = ctl[i];
      msgs[i].msg_hdr.msg_controllen = kCtl;
      msgs[i].msg_hdr.msg_name = &from[i];
      msgs[i].msg_hdr.msg_namelen = sizeof from[i];
    }
    int r = recvmmsg(g.recvFd, msgs, kBatch, MSG_DONTWAIT, nullptr);
    if (r < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        Add(kWanReceiveErrors, 1);
        Emit("wan-error", errno);
      }
      return;
    }
    int64_t now = NowUs();
    uint64_t seenBefore = slots_[kSendersSeen], evictedBefore = slots_[kSendersEvicted];
    for (int i = 0; i < r; i++) {
      msghdr& h = msgs[i].msg_hdr;
      size_t len = msgs[i].msg_len, segment = len;
      uint32_t overflowReads = 0;
      unsigned path = 0;
      for (cmsghdr* cm = CMSG_FIRSTHDR(&h); cm != nullptr; cm = CMSG_NXTHDR(&h, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
          uint32_t v;
          memcpy(&v, CMSG_DATA(cm), sizeof v);
          overflowReads = v - g.lastOverflow;
          g.lastOverflow = v;
        } else if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO) {
          int v;
          memcpy(&v, CMSG_DATA(cm), sizeof v);
          if (v > 0) segment = static_cast<size_t>(v);
        } else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
          in_pktinfo pi;
          memcpy(&pi, CMSG_DATA(cm), sizeof pi);
          path = p.wan->PathOf(pi.ipi_ifindex);
        }
      }
      // A run the kernel kept whole (UDP GRO): the datagrams it carries, back to back. A
      // zero-length datagram is one datagram too: received, then dropped as too short.
      if (segment < len) Add(kWanCoalescedDatagrams, (len + segment - 1) / segment);
      uint64_t source = uint64_t{from[i].sin_addr.s_addr} << 16 | from[i].sin_port;
      g.droppedReads += overflowReads;
      const uint64_t gapBefore = slots_[kGapFrames];
      size_t off = 0;
      do {
        ReceiveDatagram(p, g, path, bufs[i] + off, std::min(segment, len - off), source, now, scratch);
        off += segment;
      } while (off < len);
      if (g.droppedReads > 0 && slots_[kGapFrames] != gapBefore) AttributeDroppedReads(g, slots_[kGapFrames] - gapBefore);
    }
    FlushL2Writes();  // before the next receive: a frame waits for its round, never longer
    AttributeDroppedReads(g, 0);
    if (slots_[kSendersSeen] != seenBefore || slots_[kSendersEvicted] != evictedBefore) RefreshSendersGauge(p);
    if (static_cast<size_t>(r) < kBatch) return;
  }
}

void ForwardingEngine::RxLoop() {
  pthread_setname_np(pthread_self(), "gb-from-wan");
  SetPriority();
  if (int err = tapWriter_.Init(kSlotBytes)) NoteRingUnavailable(err);
  UntouchedBytes arena(kBatch * kSlotBytes);
  uint8_t* bufs[kBatch];
  for (size_t i = 0; i < kBatch; i++) bufs[i] = arena.data() + i * kSlotBytes;
  mmsghdr msgs[kBatch];
  std::vector<uint8_t> scratch(kSlotBytes);  // an R-GOOSE frame rebuilt for the L2 side
  Plane p;
  uint64_t seen = ~uint64_t{0};
  int ep = -1;
  constexpr uint64_t kWakeKey = ~uint64_t{0};
  while (!stopping_.load(std::memory_order_acquire)) {
    if (Snapshot(&seen, &p) || ep < 0) {
      if (ep >= 0) close(ep);
      ep = epoll_create1(EPOLL_CLOEXEC);
      epoll_event w{EPOLLIN, {.u64 = kWakeKey}};
      epoll_ctl(ep, EPOLL_CTL_ADD, rxWake_, &w);
      if (p.wan) {
        for (size_t i = 0; i < p.wan->groups.size(); i++) {
          if (p.wan->groups[i]->recvFd < 0) continue;
          epoll_event e{EPOLLIN, {.u64 = i}};
          epoll_ctl(ep, EPOLL_CTL_ADD, p.wan->groups[i]->recvFd, &e);
        }
      }
      RefreshSendersGauge(p);
    }
    epoll_event events[16];
    // A gateway of a site wakes at least every 100 ms: peers that fell silent lose their vote.
    int n = epoll_wait(ep, events, 16, p.cfg && p.cfg->site != 0 ? 100 : -1);
    if (p.cfg && p.cfg->site != 0) {
      int64_t now = NowUs();
      SetGauge(kSitePeers, peers_.Live(now, p.cfg->siteHoldUs));
      WritesLan(*p.cfg, now);
    }
    for (int i = 0; i < n; i++) {
      if (events[i].data.u64 == kWakeKey) {
        uint64_t v;
        ssize_t ignored = read(rxWake_, &v, sizeof v);
        (void)ignored;
        continue;
      }
      if (p.wan) ReceiveGroup(p, *p.wan->groups[events[i].data.u64], msgs, bufs, scratch.data());
    }
  }
  if (ep >= 0) close(ep);
}

}  // namespace gb
