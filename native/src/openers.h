// Functions that open the kernel objects the endpoints wrap. Each throws a JS Error whose
// `code` property is a goose-bridge error code (GB_ERR_…) and whose `errno` is set when a
// system call failed; native/index.ts turns it into a GbError.
#pragma once

#include <napi.h>

namespace gb {

Napi::Value OpenTap(const Napi::CallbackInfo& info);
Napi::Value OpenPacketSocket(const Napi::CallbackInfo& info);
Napi::Value SendIgmpV2(const Napi::CallbackInfo& info);

Napi::Error CodedError(Napi::Env env, const char* code, const std::string& message, int err = 0);

}  // namespace gb
