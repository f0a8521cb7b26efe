// Node-API face of the R-GOOSE session layer, so tests (and `goose-bridge decode`) run the
// engine's own C++ code: crypto primitives for known-answer tests, a keyring that encodes and
// opens SPDUs, and the replay window. Not a data-plane path: it copies buffers freely.
#include <napi.h>
#include <openssl/crypto.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "replay-guard.h"
#include "replay-numbering.h"
#include "replay-window.h"
#include "rgoose-napi.h"
#include "rgoose.h"

namespace gb::rgoose {
namespace {

Napi::Error ConfigError(Napi::Env env, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, "GB_ERR_CONFIG"));
  return e;
}

Napi::Uint8Array Bytes(const Napi::Value& v, const char* what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw Napi::TypeError::New(v.Env(), std::string(what) + " must be a Uint8Array");
  return v.As<Napi::Uint8Array>();
}

Napi::Buffer<uint8_t> Copy(Napi::Env env, const uint8_t* p, size_t n) {
  return Napi::Buffer<uint8_t>::Copy(env, p, n);
}

Napi::Value HmacSha256Mac(const Napi::CallbackInfo& info) {
  Napi::Uint8Array key = Bytes(info[0], "key"), data = Bytes(info[1], "data");
  size_t macLen = info[2].As<Napi::Number>().Uint32Value();
  if (macLen > 32) throw Napi::RangeError::New(info.Env(), "macLen must be ≤ 32");
  HmacSha256 h;
  uint8_t out[32];
  if (!h.Init(key.Data(), key.ByteLength()) || !h.Mac(data.Data(), data.ByteLength(), out, macLen))
    throw Napi::Error::New(info.Env(), "HMAC failed");
  return Copy(info.Env(), out, macLen);
}

Napi::Value GcmSeal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array key = Bytes(info[0], "key"), iv = Bytes(info[1], "iv"), aad = Bytes(info[2], "aad"),
                   pt = Bytes(info[3], "plaintext");
  if (iv.ByteLength() != kGcmIvBytes) throw Napi::RangeError::New(env, "iv must be 12 bytes");
  AesGcm g;
  if (!g.Init(key.Data(), key.ByteLength())) throw Napi::RangeError::New(env, "key must be 16 or 32 bytes");
  Napi::Buffer<uint8_t> ct = Napi::Buffer<uint8_t>::New(env, pt.ByteLength());
  Napi::Buffer<uint8_t> tag = Napi::Buffer<uint8_t>::New(env, kGcmTagBytes);
  if (!g.Seal(iv.Data(), aad.Data(), aad.ByteLength(), pt.Data(), pt.ByteLength(), ct.Data(), tag.Data()))
    throw Napi::Error::New(env, "GCM seal failed");
  Napi::Object r = Napi::Object::New(env);
  r.Set("ciphertext", ct);
  r.Set("tag", tag);
  return r;
}

Napi::Value GcmOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array key = Bytes(info[0], "key"), iv = Bytes(info[1], "iv"), aad = Bytes(info[2], "aad"),
                   ct = Bytes(info[3], "ciphertext"), tag = Bytes(info[4], "tag");
  if (iv.ByteLength() != kGcmIvBytes || tag.ByteLength() != kGcmTagBytes)
    throw Napi::RangeError::New(env, "iv must be 12 bytes and tag 16");
  AesGcm g;
  if (!g.Init(key.Data(), key.ByteLength())) throw Napi::RangeError::New(env, "key must be 16 or 32 bytes");
  Napi::Buffer<uint8_t> pt = Napi::Buffer<uint8_t>::New(env, ct.ByteLength());
  if (!g.Open(iv.Data(), aad.Data(), aad.ByteLength(), ct.Data(), ct.ByteLength(), pt.Data(), tag.Data()))
    return env.Null();
  return pt;
}

// Keys: [{id, signature, encryption, key: Uint8Array, timeOfCurrentKey?, timeToNextKey?}], active id.
class KeyringWrap : public Napi::ObjectWrap<KeyringWrap> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "RgooseKeyring",
                       {InstanceMethod("encode", &KeyringWrap::Encode), InstanceMethod("open", &KeyringWrap::Open),
                        InstanceMethod("setActive", &KeyringWrap::SetActive), InstanceMethod("bench", &KeyringWrap::Bench),
                        InstanceAccessor("size", &KeyringWrap::Size, nullptr)});
  }

  explicit KeyringWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<KeyringWrap>(info), ring_(new Keyring) {
    Napi::Env env = info.Env();
    Napi::Array keys = info[0].As<Napi::Array>();
    for (uint32_t i = 0; i < keys.Length(); i++) {
      Napi::Object o = keys.Get(i).As<Napi::Object>();
      RgooseKey k;
      k.id = o.Get("id").As<Napi::Number>().Uint32Value();
      std::string sig = o.Get("signature").As<Napi::String>(), enc = o.Get("encryption").As<Napi::String>();
      if (!ParseSigAlg(sig.c_str(), &k.sig))
        throw ConfigError(env, "keys[" + std::to_string(i) + "].signature: unknown algorithm '" + sig + "'");
      if (!ParseEncAlg(enc.c_str(), &k.enc))
        throw ConfigError(env, "keys[" + std::to_string(i) + "].encryption: unknown algorithm '" + enc + "'");
      Napi::Uint8Array material = Bytes(o.Get("key"), "key");
      if (material.ByteLength() > kMaxKeyBytes)
        throw ConfigError(env, "keys[" + std::to_string(i) + "].key: longer than 64 bytes");
      std::memcpy(k.key, material.Data(), material.ByteLength());
      k.keyLen = material.ByteLength();
      if (o.Has("timeOfCurrentKey")) k.timeOfCurrentKey = o.Get("timeOfCurrentKey").As<Napi::Number>().Uint32Value();
      if (o.Has("timeToNextKey"))
        k.timeToNextKey = static_cast<uint16_t>(o.Get("timeToNextKey").As<Napi::Number>().Uint32Value());
      KeyError e = ring_->Add(k);
      OPENSSL_cleanse(k.key, sizeof k.key);
      if (e != KeyError::kOk)
        throw ConfigError(env, "keys[" + std::to_string(i) + "] (id " + std::to_string(k.id) + "): " + KeyErrorLabel(e));
    }
    if (info.Length() > 1 && info[1].IsNumber() && !ring_->SetActive(info[1].As<Napi::Number>().Uint32Value()))
      throw ConfigError(env, "active: no key with id " + std::to_string(info[1].As<Napi::Number>().Uint32Value()));
  }

 private:
  Napi::Value Size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), ring_->size()); }

  Napi::Value SetActive(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), ring_->SetActive(info[0].As<Napi::Number>().Uint32Value()));
  }

  // encode({spduNumber, appid, simulation, isSv, iv?, unsigned?}, apdu) → Buffer | null
  Napi::Value Encode(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = info[0].As<Napi::Object>();
    Napi::Uint8Array apdu = Bytes(info[1], "apdu");
    EncodeParams p;
    p.spduNumber = o.Get("spduNumber").As<Napi::Number>().Uint32Value();
    p.appid = static_cast<uint16_t>(o.Get("appid").As<Napi::Number>().Uint32Value());
    p.simulation = o.Get("simulation").ToBoolean();
    p.isSv = o.Get("isSv").ToBoolean();
    Napi::Uint8Array iv;
    if (o.Has("iv") && !o.Get("iv").IsUndefined()) {
      iv = Bytes(o.Get("iv"), "iv");
      if (iv.ByteLength() != kGcmIvBytes) throw Napi::RangeError::New(env, "iv must be 12 bytes");
      p.iv = iv.Data();
    }
    KeySlot* key = o.Get("unsigned").ToBoolean() ? nullptr : ring_->Active();
    size_t cap = apdu.ByteLength() + kMaxOverheadBytes;
    std::unique_ptr<uint8_t[]> out(new uint8_t[cap]);
    size_t n = rgoose::Encode(key, p, apdu.Data(), apdu.ByteLength(), out.get(), cap);
    if (n == 0) return env.Null();
    return Copy(env, out.get(), n);
  }

  // open(datagram) → {result, ...session fields, apdu?}; the caller's bytes are not changed.
  Napi::Value Open(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Uint8Array in = Bytes(info[0], "datagram");
    std::unique_ptr<uint8_t[]> buf(new uint8_t[in.ByteLength() + 1]);
    std::memcpy(buf.get(), in.Data(), in.ByteLength());
    View v;
    Result r = rgoose::Open(*ring_, buf.get(), in.ByteLength(), &v);
    Napi::Object o = Napi::Object::New(env);
    o.Set("result", ResultLabel(r));
    o.Set("sessionId", v.sessionId);
    o.Set("isSv", v.isSv);
    o.Set("spduLength", v.spduLength);
    o.Set("spduNumber", v.spduNumber);
    o.Set("version", v.version);
    o.Set("keyId", v.keyId);
    o.Set("ivLength", v.ivLen);
    o.Set("userDataLength", v.userDataLength);
    if (r == Result::kOk) {
      o.Set("simulation", v.simulation);
      o.Set("appid", v.appid);
      o.Set("apdu", Copy(env, v.apdu, v.apduLen));
      o.Set("signature", SigAlgLabel(v.sig));
      o.Set("encryption", EncAlgLabel(v.enc));
    }
    return o;
  }

  // bench(apduLen, iterations) → {encodeNs, openNs}: mean cost per SPDU with the active key,
  // timed inside C++ so the figures are the data plane's, not Node-API's.
  Napi::Value Bench(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    size_t apduLen = info[0].As<Napi::Number>().Uint32Value();
    uint32_t iterations = info[1].As<Napi::Number>().Uint32Value();
    if (apduLen > 0xffff || iterations == 0) throw Napi::RangeError::New(env, "apduLen ≤ 65535, iterations > 0");
    std::vector<uint8_t> apdu(apduLen, 0x61), spdu(apduLen + kMaxOverheadBytes), work(spdu.size());
    uint8_t iv[kGcmIvBytes] = {};
    const uint8_t salt[4] = {1, 2, 3, 4};
    EncodeParams p;
    p.iv = iv;
    using Clock = std::chrono::steady_clock;
    size_t n = 0;
    auto t0 = Clock::now();
    for (uint32_t i = 0; i < iterations; i++) {
      p.spduNumber = i;
      MakeGcmIv(salt, i, iv);
      n = rgoose::Encode(ring_->Active(), p, apdu.data(), apdu.size(), spdu.data(), spdu.size());
    }
    auto t1 = Clock::now();
    if (n == 0) throw Napi::Error::New(env, "encode failed");
    View v;
    Result r = Result::kOk;
    std::chrono::nanoseconds openTime{0};
    for (uint32_t i = 0; i < iterations; i++) {
      std::memcpy(work.data(), spdu.data(), n);  // open decrypts in place; copy outside the timing
      auto a = Clock::now();
      r = rgoose::Open(*ring_, work.data(), n, &v);
      openTime += Clock::now() - a;
    }
    if (r != Result::kOk) throw Napi::Error::New(env, std::string("open failed: ") + ResultLabel(r));
    Napi::Object o = Napi::Object::New(env);
    o.Set("encodeNs", std::chrono::duration<double, std::nano>(t1 - t0).count() / iterations);
    o.Set("openNs", std::chrono::duration<double, std::nano>(openTime).count() / iterations);
    o.Set("spduBytes", n);
    return o;
  }

  std::unique_ptr<Keyring> ring_;  // on the heap: ~3 KiB of slots with OpenSSL contexts
};

class ReplayWindowWrap : public Napi::ObjectWrap<ReplayWindowWrap> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "RgooseReplayWindow",
                       {InstanceMethod("check", &ReplayWindowWrap::Check), InstanceMethod("commit", &ReplayWindowWrap::Commit),
                        InstanceMethod("anchorAt", &ReplayWindowWrap::AnchorAt), InstanceMethod("reset", &ReplayWindowWrap::Reset),
                        InstanceAccessor("newest", &ReplayWindowWrap::Newest, nullptr),
                        StaticValue("width", Napi::Number::New(env, ReplayWindow::kWidth))});
  }

  explicit ReplayWindowWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ReplayWindowWrap>(info) {}

 private:
  static uint32_t N(const Napi::CallbackInfo& info) { return info[0].As<Napi::Number>().Uint32Value(); }
  Napi::Value Check(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), VerdictLabel(w_.Check(N(info)))); }
  Napi::Value Commit(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), w_.Commit(N(info))); }
  Napi::Value AnchorAt(const Napi::CallbackInfo& info) {
    w_.AnchorAt(N(info));
    return info.Env().Undefined();
  }
  Napi::Value Reset(const Napi::CallbackInfo& info) {
    w_.Reset();
    return info.Env().Undefined();
  }
  Napi::Value Newest(const Napi::CallbackInfo& info) {
    return w_.anchored() ? Napi::Number::New(info.Env(), w_.newest()) : info.Env().Null();
  }

  ReplayWindow w_;
};

// new RgooseReplayGuard(capacity): accept({sender, stream, key}, n, message, nowUs) -> outcome label;
// snapshot(exact, nowUs) -> [{sender, stream, key, mark}]; saved(); restore(marks); size. Messages are
// JS numbers (≤ 2^53) standing for fingerprints.
class ReplayGuardWrap : public Napi::ObjectWrap<ReplayGuardWrap> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "RgooseReplayGuard",
                       {InstanceMethod("accept", &ReplayGuardWrap::Accept), InstanceMethod("snapshot", &ReplayGuardWrap::Snapshot),
                        InstanceMethod("saved", &ReplayGuardWrap::Saved), InstanceMethod("restore", &ReplayGuardWrap::Restore),
                        InstanceAccessor("size", &ReplayGuardWrap::Size, nullptr),
                        InstanceAccessor("saveDue", &ReplayGuardWrap::SaveDue, nullptr)});
  }

  explicit ReplayGuardWrap(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<ReplayGuardWrap>(info), g_(new ReplayGuard(info[0].As<Napi::Number>().Uint32Value())) {}

 private:
  static WindowKey Key(const Napi::Value& v) {
    Napi::Object o = v.As<Napi::Object>();
    return {o.Get("sender").As<Napi::Number>().Uint32Value(), o.Get("stream").As<Napi::Number>().Uint32Value(),
            o.Get("key").As<Napi::Number>().Uint32Value()};
  }
  Napi::Value Accept(const Napi::CallbackInfo& info) {
    Outcome o = g_->Accept(Key(info[0]), info[1].As<Napi::Number>().Uint32Value(),
                           static_cast<uint64_t>(info[2].As<Napi::Number>().Int64Value()), info[3].As<Napi::Number>().Int64Value());
    return Napi::String::New(info.Env(), OutcomeLabel(o));
  }
  Napi::Value Snapshot(const Napi::CallbackInfo& info) {
    std::vector<WindowMark> marks(g_->table().size());
    marks.resize(g_->table().Snapshot(info[0].ToBoolean(), info[1].As<Napi::Number>().Int64Value(), marks.data(), marks.size()));
    Napi::Array a = Napi::Array::New(info.Env(), marks.size());
    for (uint32_t i = 0; i < marks.size(); i++) {
      Napi::Object o = Napi::Object::New(info.Env());
      o.Set("sender", marks[i].key.sender);
      o.Set("stream", marks[i].key.stream);
      o.Set("key", marks[i].key.keyId);
      o.Set("mark", marks[i].mark);
      a.Set(i, o);
    }
    return a;
  }
  Napi::Value Saved(const Napi::CallbackInfo& info) {
    g_->table().Saved();
    return info.Env().Undefined();
  }
  Napi::Value Restore(const Napi::CallbackInfo& info) {
    Napi::Array a = info[0].As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) {
      WindowMark m{Key(a.Get(i)), a.Get(i).As<Napi::Object>().Get("mark").As<Napi::Number>().Uint32Value()};
      g_->table().Restore(&m, 1);
    }
    return info.Env().Undefined();
  }
  Napi::Value Size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), g_->table().size()); }
  Napi::Value SaveDue(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), g_->table().saveDue()); }

  std::unique_ptr<ReplayGuard> g_;  // on the heap: the message log is 64 KiB
};

// new RgooseSpduNumbering(): take(keyId) -> number | null; prepare(keyId); snapshot(exact) ->
// [{key, from}]; saved(); restore({key, from}).
class SpduNumberingWrap : public Napi::ObjectWrap<SpduNumberingWrap> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "RgooseSpduNumbering",
                       {InstanceMethod("take", &SpduNumberingWrap::Take), InstanceMethod("prepare", &SpduNumberingWrap::Prepare),
                        InstanceMethod("snapshot", &SpduNumberingWrap::Snapshot), InstanceMethod("saved", &SpduNumberingWrap::Saved),
                        InstanceMethod("restore", &SpduNumberingWrap::Restore),
                        StaticValue("reserve", Napi::Number::New(env, SpduNumbering::kReserve))});
  }
  explicit SpduNumberingWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SpduNumberingWrap>(info) {}

 private:
  static uint32_t Id(const Napi::CallbackInfo& info) { return info[0].As<Napi::Number>().Uint32Value(); }
  Napi::Value Take(const Napi::CallbackInfo& info) {
    uint32_t n;
    return n_.Take(Id(info), &n) ? Napi::Number::New(info.Env(), n) : info.Env().Null();
  }
  Napi::Value Prepare(const Napi::CallbackInfo& info) {
    n_.Prepare(Id(info));
    return info.Env().Undefined();
  }
  Napi::Value Snapshot(const Napi::CallbackInfo& info) {
    NumberingMark m[SpduNumbering::kKeys];
    size_t k = n_.Snapshot(info[0].ToBoolean(), m, SpduNumbering::kKeys);
    Napi::Array a = Napi::Array::New(info.Env(), k);
    for (uint32_t i = 0; i < k; i++) {
      Napi::Object o = Napi::Object::New(info.Env());
      o.Set("key", m[i].keyId);
      o.Set("from", m[i].from);
      a.Set(i, o);
    }
    return a;
  }
  Napi::Value Saved(const Napi::CallbackInfo& info) {
    n_.Saved();
    return info.Env().Undefined();
  }
  Napi::Value Restore(const Napi::CallbackInfo& info) {
    Napi::Object o = info[0].As<Napi::Object>();
    n_.Restore({o.Get("key").As<Napi::Number>().Uint32Value(), o.Get("from").As<Napi::Number>().Uint32Value()});
    return info.Env().Undefined();
  }

  SpduNumbering n_;
};

Napi::Array Labels(Napi::Env env) {
  Napi::Array a = Napi::Array::New(env);
  uint32_t i = 0;
#define X(e, label) a.Set(i++, label);
  RGOOSE_RESULTS(X)
#undef X
  return a;
}

}  // namespace

void RegisterNapi(Napi::Env env, Napi::Object exports) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("hmacSha256", Napi::Function::New(env, HmacSha256Mac, "hmacSha256"));
  o.Set("gcmSeal", Napi::Function::New(env, GcmSeal, "gcmSeal"));
  o.Set("gcmOpen", Napi::Function::New(env, GcmOpen, "gcmOpen"));
  o.Set("Keyring", KeyringWrap::Init(env));
  o.Set("ReplayWindow", ReplayWindowWrap::Init(env));
  o.Set("ReplayGuard", ReplayGuardWrap::Init(env));
  o.Set("SpduNumbering", SpduNumberingWrap::Init(env));
  o.Set("resultLabels", Labels(env));
  exports.Set("rgoose", o);
}

}  // namespace gb::rgoose
