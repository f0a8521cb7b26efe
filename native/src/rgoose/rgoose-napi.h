#pragma once

#include <napi.h>

namespace gb::rgoose {

// Adds exports.rgoose = {hmacSha256, gcmSeal, gcmOpen, Keyring, ReplayWindow, ReplayTable, resultLabels}.
void RegisterNapi(Napi::Env env, Napi::Object exports);

}  // namespace gb::rgoose
