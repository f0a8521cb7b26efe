// The forwarding engine's Node-API glue: the class definition for JavaScript, the constructor
// and counter blocks, opening resource sets and applying a config (parsed here into an
// EngineConfig), start and close, the read-outs, and the test entry points that run the rules on
// the JS thread. The data plane itself (engine-threads.cc, engine-decide.cc) never touches Napi.
#include "forwarding-engine.h"
#include "calibration.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "../openers.h"

namespace gb {

namespace {

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
                         InstanceMethod("shareSequences", &ForwardingEngine::ShareSequences),
                         InstanceMethod("shareGuards", &ForwardingEngine::ShareGuards),
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

// openWan({ groups, join, port, uplinks: [{ address, ifindex }], ttl, socketBufferBytes, behindKernelTier }) -> handle
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
  w.behindKernelTier = o.Get("behindKernelTier").ToBoolean();
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
      next.wan->groups[i]->drained = DrainedFor(cfg->groups[i]);
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
  // Counted as the rx thread counts, a forwarded frame as written.
  if (r >= 0) CountFromWanDrop(r, h);
  if (r == kForward) CountL2Write(h.appId, len, true);
  uint64_t senders = 0;
  for (const auto& [group, table] : tables_) senders += table->senders();
  SetGauge(kSenders, senders);
  return Napi::String::New(env, r == kForward ? "forward" : r == kControl ? "control" : kFromWanLabels[r]);
}

}  // namespace gb
