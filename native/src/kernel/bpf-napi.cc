// Node-API glue of the optional goose_bpf addon: BpfObject (bpf-object.h) to JavaScript, and the
// configuration object of native/kernel-path.ts to struct gb_kp_config.
#include <arpa/inet.h>
#include <napi.h>
#include <string.h>

#include <memory>

#include "../engine/calibration.h"
#include "bpf-object.h"

namespace gb {
namespace {

Napi::Error CodedError(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  return e;
}

uint64_t U64(Napi::Object o, const char* key) { return static_cast<uint64_t>(o.Get(key).As<Napi::Number>().DoubleValue()); }

void Ipv4(Napi::Env env, Napi::Object o, const char* key, const std::string& field, uint32_t* out) {
  std::string s = o.Get(key).As<Napi::String>().Utf8Value();
  in_addr a;
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) throw CodedError(env, "GB_ERR_CONFIG", field + ": \"" + s + "\" is not an IPv4 address");
  *out = a.s_addr;
}

Napi::Array Items(Napi::Env env, Napi::Object c, const char* key, uint32_t max) {
  Napi::Array a = c.Get(key).As<Napi::Array>();
  if (a.Length() > max)
    throw CodedError(env, "GB_ERR_CONFIG", std::string(key) + ": " + std::to_string(a.Length()) + " given, the kernel tier holds " + std::to_string(max));
  return a;
}

gb_kp_config ConfigFrom(Napi::Env env, Napi::Object c, std::unique_ptr<gb_kp_allow>* allow) {
  gb_kp_config k;
  memset(&k, 0, sizeof k);
  k.generation = U64(c, "generation");
  k.own_sender = U64(c, "ownHi") << 32 | U64(c, "ownLo");
  auto flag = [&](const char* key, uint32_t bit) {
    if (c.Get(key).ToBoolean()) k.flags |= bit;
  };
  flag("enableSv", GB_KP_ENABLE_SV);
  flag("enableGse", GB_KP_ENABLE_GSE);
  flag("checkAppIdRange", GB_KP_CHECK_APPID_RANGE);
  flag("gateway", GB_KP_GATEWAY);
  flag("toWan", GB_KP_TO_WAN);
  flag("fromWan", GB_KP_FROM_WAN);
  flag("l2Ingress", GB_KP_L2_INGRESS);
  if (c.Get("appIdAllow").IsArray()) {
    k.flags |= GB_KP_ALLOW_LIST;
    allow->reset(new gb_kp_allow{});
    Napi::Array a = c.Get("appIdAllow").As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) {
      Napi::Array r = a.Get(i).As<Napi::Array>();
      uint32_t lo = r.Get(0u).As<Napi::Number>().Uint32Value(), hi = r.Get(1u).As<Napi::Number>().Uint32Value();
      for (uint32_t x = lo; x <= hi && x <= 0xffff; x++) (*allow)->bits[x / 64] |= uint64_t{1} << (x % 64);
    }
  }
  // The gate-calibration test knob, read like the engine reads it (zero unless allowed).
  const Calibration knob = Calibration::FromEnv();
  k.spin_ns = knob.spinNs(), k.stall_period_ns = knob.stallPeriodNs(), k.stall_ns = knob.stallNs();
  k.max_frame = static_cast<uint32_t>(U64(c, "maxFrame"));
  k.max_datagram = static_cast<uint32_t>(U64(c, "maxDatagram"));
  k.l2_mtu = static_cast<uint32_t>(U64(c, "l2Mtu"));
  k.l2_ifindex = static_cast<uint32_t>(U64(c, "l2Ifindex"));
  k.port = htons(static_cast<uint16_t>(U64(c, "port")));
  k.src_port = htons(static_cast<uint16_t>(U64(c, "sourcePort")));
  k.ttl = static_cast<uint8_t>(U64(c, "ttl"));
  k.tos = static_cast<uint8_t>(U64(c, "tos"));
  Napi::Array groups = Items(env, c, "groups", GB_KP_MAX_GROUPS);
  k.group_count = static_cast<uint8_t>(groups.Length());
  for (uint32_t i = 0; i < groups.Length(); i++) {
    Napi::Object g = groups.Get(i).As<Napi::Object>();
    const std::string field = "groups[" + std::to_string(i) + "]";
    Ipv4(env, g, "address", field + ".address", &k.groups[i].addr);
    uint64_t slot = U64(g, "seqSlot");
    if (slot >= GB_KP_SEQ_SLOTS) throw CodedError(env, "GB_ERR_CONFIG", field + ".seqSlot: " + std::to_string(slot) + " is not below " + std::to_string(GB_KP_SEQ_SLOTS));
    k.groups[i].seq_slot = static_cast<uint16_t>(slot);
    k.groups[i].receive = g.Get("receive").ToBoolean() ? 1 : 0;
  }
  Napi::Array rules = Items(env, c, "rules", GB_KP_MAX_RULES);
  k.rule_count = static_cast<uint8_t>(rules.Length());
  for (uint32_t i = 0; i < rules.Length(); i++) {
    Napi::Object r = rules.Get(i).As<Napi::Object>();
    gb_kp_rule& x = k.rules[i];
    x.lo = U64(r, "lo"), x.hi = U64(r, "hi"), x.group = static_cast<uint32_t>(U64(r, "group"));
    x.mac = r.Get("mac").ToBoolean() ? 1 : 0;
    // A MAC rule also admits its destinations into the L2 side (the engine's `destinations`).
    if (x.mac && k.destination_count < GB_KP_MAX_DESTINATIONS) k.destinations[k.destination_count++] = gb_kp_range{x.lo, x.hi};
  }
  Napi::Array uplinks = Items(env, c, "uplinks", GB_KP_MAX_UPLINKS);
  k.uplink_count = static_cast<uint8_t>(uplinks.Length());
  for (uint32_t i = 0; i < uplinks.Length(); i++) {
    Napi::Object u = uplinks.Get(i).As<Napi::Object>();
    k.uplinks[i].ifindex = static_cast<uint32_t>(U64(u, "ifindex"));
    Ipv4(env, u, "address", "uplinks[" + std::to_string(i) + "].address", &k.uplinks[i].addr);
    Napi::Array mac = u.Get("mac").As<Napi::Array>();
    for (uint32_t b = 0; b < 6 && b < mac.Length(); b++) k.uplinks[i].mac[b] = static_cast<uint8_t>(mac.Get(b).As<Napi::Number>().Uint32Value());
  }
  return k;
}

class BpfObjectWrap : public Napi::ObjectWrap<BpfObjectWrap> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "BpfObject",
                       {InstanceMethod("configure", &BpfObjectWrap::Configure), InstanceMethod("setClock", &BpfObjectWrap::SetClock),
                        InstanceMethod("setDrained", &BpfObjectWrap::SetDrained),
                        InstanceMethod("testRun", &BpfObjectWrap::TestRun), InstanceMethod("counterSlots", &BpfObjectWrap::CounterSlots),
                        InstanceMethod("appidRows", &BpfObjectWrap::AppidRows), InstanceMethod("senderEntries", &BpfObjectWrap::SenderEntries),
                        InstanceMethod("resetState", &BpfObjectWrap::ResetState), InstanceMethod("programFd", &BpfObjectWrap::ProgramFd),
                        InstanceMethod("mapFd", &BpfObjectWrap::MapFd), InstanceMethod("pin", &BpfObjectWrap::Pin), InstanceMethod("close", &BpfObjectWrap::Close)});
  }

  explicit BpfObjectWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BpfObjectWrap>(info) {
    std::string err;
    obj_.reset(BpfObject::Load(info[0].As<Napi::String>().Utf8Value(), &err));
    if (!obj_) throw CodedError(info.Env(), "GB_ERR_KERNEL_PATH", err);
  }

 private:
  BpfObject& Obj(Napi::Env env) {
    if (!obj_) throw CodedError(env, "GB_ERR_KERNEL_PATH", "the kernel path object is closed");
    return *obj_;
  }
  void Check(Napi::Env env, int e, const char* what) {
    if (e != 0) throw CodedError(env, "GB_ERR_KERNEL_PATH", std::string(what) + ": " + strerror(-e));
  }

  Napi::Value Configure(const Napi::CallbackInfo& info) {
    std::unique_ptr<gb_kp_allow> allow;
    gb_kp_config k = ConfigFrom(info.Env(), info[0].As<Napi::Object>(), &allow);
    Check(info.Env(), Obj(info.Env()).Configure(k, allow.get()), "configure");
    return info.Env().Undefined();
  }
  Napi::Value SetClock(const Napi::CallbackInfo& info) {
    Check(info.Env(), Obj(info.Env()).SetClock(static_cast<uint64_t>(info[0].As<Napi::Number>().DoubleValue())), "setClock");
    return info.Env().Undefined();
  }
  Napi::Value SetDrained(const Napi::CallbackInfo& info) {
    const auto u32 = [&](size_t i) { return info[i].As<Napi::Number>().Uint32Value(); };
    Check(info.Env(), Obj(info.Env()).SetDrained(u32(0), u32(1), u32(2)), "setDrained");
    return info.Env().Undefined();
  }
  // testRun(prog, data, ifindex, gsoSegs) -> { retval, durationNs, mark, out }
  Napi::Value TestRun(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Uint8Array d = info[1].As<Napi::Uint8Array>();
    BpfObject::RunResult r = Obj(env).TestRun(info[0].As<Napi::String>().Utf8Value(), d.Data(), d.ByteLength(), info[2].As<Napi::Number>().Int32Value(),
                                              info[3].As<Napi::Number>().Uint32Value());
    Check(env, r.err, "test run (BPF_PROG_TEST_RUN)");
    Napi::Object o = Napi::Object::New(env);
    o.Set("retval", Napi::Number::New(env, r.retval));
    o.Set("durationNs", Napi::Number::New(env, r.durationNs));
    o.Set("mark", Napi::Number::New(env, r.mark));
    o.Set("out", Napi::Buffer<uint8_t>::Copy(env, r.out.data(), r.out.size()));
    return o;
  }
  Napi::Value CounterSlots(const Napi::CallbackInfo& info) {
    std::vector<uint64_t> v;
    Check(info.Env(), Obj(info.Env()).CounterSlots(&v), "counters");
    Napi::Array a = Napi::Array::New(info.Env(), v.size());
    for (uint32_t i = 0; i < v.size(); i++) a.Set(i, Napi::Number::New(info.Env(), static_cast<double>(v[i])));
    return a;
  }
  // [[appid, [slots…]], …]
  Napi::Value AppidRows(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::vector<BpfObject::AppidRow> rows;
    Check(env, Obj(env).AppidRows(&rows), "per-APPID counters");
    Napi::Array a = Napi::Array::New(env, rows.size());
    for (uint32_t i = 0; i < rows.size(); i++) {
      Napi::Array slots = Napi::Array::New(env, rows[i].slots.size());
      for (uint32_t s = 0; s < rows[i].slots.size(); s++) slots.Set(s, Napi::Number::New(env, static_cast<double>(rows[i].slots[s])));
      Napi::Array row = Napi::Array::New(env, 2);
      row.Set(0u, Napi::Number::New(env, rows[i].appid));
      row.Set(1u, slots);
      a.Set(i, row);
    }
    return a;
  }
  Napi::Value SenderEntries(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(Obj(info.Env()).SenderEntries()));
  }
  Napi::Value ResetState(const Napi::CallbackInfo& info) {
    Check(info.Env(), Obj(info.Env()).ResetState(), "resetState");
    return info.Env().Undefined();
  }
  Napi::Value ProgramFd(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), Obj(info.Env()).ProgramFd(info[0].As<Napi::String>().Utf8Value()));
  }
  Napi::Value MapFd(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), Obj(info.Env()).MapFd(info[0].As<Napi::String>().Utf8Value()));
  }
  Napi::Value Pin(const Napi::CallbackInfo& info) {
    const std::string name = info[0].As<Napi::String>().Utf8Value(), path = info[1].As<Napi::String>().Utf8Value();
    Check(info.Env(), Obj(info.Env()).Pin(name, path), ("pin " + name + " at " + path).c_str());
    return info.Env().Undefined();
  }
  Napi::Value Close(const Napi::CallbackInfo& info) {
    obj_.reset();
    return info.Env().Undefined();
  }

  std::unique_ptr<BpfObject> obj_;
};

}  // namespace

Napi::Object InitBpf(Napi::Env env, Napi::Object exports) {
  exports.Set("BpfObject", BpfObjectWrap::Init(env));
  return exports;
}

}  // namespace gb

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return gb::InitBpf(env, exports); }

NODE_API_MODULE(goose_bpf, Init)
