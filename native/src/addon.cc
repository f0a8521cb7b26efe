// goose-bridge native I/O: TAP devices, AF_PACKET sockets and raw IGMP reports.
#include <napi.h>

#include <cstring>

#include "engine/forwarding-engine.h"
#include "frame-endpoint.h"
#include "openers.h"
#include "rgoose/rgoose-napi.h"

namespace gb {

Napi::Error CodedError(Napi::Env env, const char* code, const std::string& message, int err) {
  Napi::Error e = Napi::Error::New(env, err != 0 ? message + ": " + strerror(err) : message);
  e.Set("code", Napi::String::New(env, code));
  if (err != 0) e.Set("errno", Napi::Number::New(env, err));
  return e;
}

}  // namespace gb

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("FrameEndpoint", gb::FrameEndpoint::Init(env));
  exports.Set("openTap", Napi::Function::New(env, gb::OpenTap, "openTap"));
  exports.Set("openPacketSocket", Napi::Function::New(env, gb::OpenPacketSocket, "openPacketSocket"));
  exports.Set("ForwardingEngine", gb::ForwardingEngine::Init(env));
  exports.Set("engineLayout", Napi::Function::New(env, gb::EngineLayout, "engineLayout"));
  exports.Set("removeTap", Napi::Function::New(env, gb::RemoveTapJs, "removeTap"));
  exports.Set("sendIgmpV2", Napi::Function::New(env, gb::SendIgmpV2, "sendIgmpV2"));
  gb::rgoose::RegisterNapi(env, exports);
  return exports;
}

NODE_API_MODULE(goose_native, Init)
