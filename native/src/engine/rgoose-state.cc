// The R-GOOSE replay state between the engine and the state file (bridge/daemon/rgoose-state.ts):
// JavaScript takes a snapshot, writes it durably, then tells the engine, which only then lets
// windows and counters run up to what was written. Runs on the JS thread; each group's state is
// taken under its mutex, briefly, while the data plane runs.
#include <time.h>

#include <vector>

#include "forwarding-engine.h"

namespace gb {

namespace {

uint32_t U32(const Napi::Object& o, const char* key) { return o.Get(key).As<Napi::Number>().Uint32Value(); }

}  // namespace

// replayState(exact) -> { receive: [{group, sender, stream, key, mark}], send: [{group, key, from, next}] }
// exact: the engine is closed, marks are the last numbers used (a clean stop loses nothing).
Napi::Value ForwardingEngine::ReplayState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool exact = info[0].ToBoolean();
  Napi::Array receive = Napi::Array::New(env), send = Napi::Array::New(env);
  uint32_t r = 0, s = 0;
  std::vector<rgoose::WindowMark> marks;
  for (auto& [group, st] : replays_) {
    rgoose::NumberingMark numbers[rgoose::SpduNumbering::kKeys];
    size_t nn;
    std::vector<uint32_t> next;
    {
      std::lock_guard<std::mutex> lk(st->mu);
      marks.resize(st->guard.table().size());
      marks.resize(st->guard.table().Snapshot(exact, NowUs(), marks.data(), marks.size()));
      nn = st->numbering.Snapshot(exact, numbers, rgoose::SpduNumbering::kKeys);
      for (size_t i = 0; i < nn; i++) next.push_back(st->numbering.Next(numbers[i].keyId));
    }
    for (const rgoose::WindowMark& m : marks) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("group", group);
      o.Set("sender", m.key.sender);
      o.Set("stream", m.key.stream);
      o.Set("key", m.key.keyId);
      o.Set("mark", m.mark);
      receive.Set(r++, o);
    }
    for (size_t i = 0; i < nn; i++) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("group", group);
      o.Set("key", numbers[i].keyId);
      o.Set("from", numbers[i].from);
      o.Set("next", next[i]);
      send.Set(s++, o);
    }
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("receive", receive);
  out.Set("send", send);
  return out;
}

// replayStateSaved() -> whether the state changed again since the snapshot (write once more).
Napi::Value ForwardingEngine::ReplayStateSaved(const Napi::CallbackInfo& info) {
  bool due = false;
  stateDueNoted_.store(false);
  for (auto& [group, st] : replays_) {
    std::lock_guard<std::mutex> lk(st->mu);
    st->guard.table().Saved();
    st->numbering.Saved();
    due = due || st->guard.table().saveDue() || st->numbering.saveDue();
  }
  return Napi::Boolean::New(info.Env(), due);
}

// restoreReplayState({ receive: [{group, sender, stream, key, mark}], send: [{group, key, from}] })
Napi::Value ForwardingEngine::RestoreReplayState(const Napi::CallbackInfo& info) {
  Napi::Object o = info[0].As<Napi::Object>();
  Napi::Array receive = o.Get("receive").As<Napi::Array>(), send = o.Get("send").As<Napi::Array>();
  for (uint32_t i = 0; i < receive.Length(); i++) {
    Napi::Object e = receive.Get(i).As<Napi::Object>();
    RgooseGroupState* st = ReplayFor(e.Get("group").As<Napi::String>());
    rgoose::WindowMark m{{U32(e, "sender"), U32(e, "stream"), U32(e, "key")}, U32(e, "mark")};
    std::lock_guard<std::mutex> lk(st->mu);
    st->guard.table().Restore(&m, 1);
  }
  for (uint32_t i = 0; i < send.Length(); i++) {
    Napi::Object e = send.Get(i).As<Napi::Object>();
    RgooseGroupState* st = ReplayFor(e.Get("group").As<Napi::String>());
    std::lock_guard<std::mutex> lk(st->mu);
    st->numbering.Restore({U32(e, "key"), U32(e, "from")});
  }
  return info.Env().Undefined();
}

// prepareNumbering(groups, keyId): counters for a key about to become active, so that the state
// written next reserves its numbers before the first SPDU needs one.
Napi::Value ForwardingEngine::PrepareNumbering(const Napi::CallbackInfo& info) {
  Napi::Array groups = info[0].As<Napi::Array>();
  uint32_t keyId = info[1].As<Napi::Number>().Uint32Value();
  for (uint32_t i = 0; i < groups.Length(); i++) {
    RgooseGroupState* st = ReplayFor(groups.Get(i).As<Napi::String>());
    std::lock_guard<std::mutex> lk(st->mu);
    st->numbering.Prepare(keyId);
  }
  return info.Env().Undefined();
}

}  // namespace gb
