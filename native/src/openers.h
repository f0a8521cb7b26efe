// Functions that open the kernel objects the endpoints wrap. Each throws a JS Error whose
// `code` property is a goose-bridge error code (GB_ERR_…) and whose `errno` is set when a
// system call failed; native/index.ts turns it into a GbError.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gb {

// Why an open failed: a goose-bridge error code, a message naming the object, and errno.
struct OpenFailure {
  const char* code = "";
  std::string message;
  int err = 0;
};

struct TapOpened {
  int fd = -1;
  std::string ifname;  // the kernel's name (differs from the request for a pattern like gb%d)
  int ifindex = 0;
  bool existed = false;
};
// Creates or reattaches TAP `name` (IFF_TAP | IFF_NO_PI, non-blocking). persist: the TAP
// outlives this fd (TUNSETPERSIST), so applications attached to it survive a restart.
bool OpenTapFd(const std::string& name, bool up, int txQueueLen, bool persist, TapOpened* out, OpenFailure* f);
// Clears the persist flag of TAP `name` and lets the kernel remove it.
bool RemoveTap(const std::string& name, OpenFailure* f);

struct PacketOpened {
  int fd = -1;
  int ifindex = 0;
};
// AF_PACKET socket bound to `ifname`; EtherTypes filtered in the kernel (empty = all).
// allMulticast: PACKET_MR_ALLMULTI; promiscuous: PACKET_MR_PROMISC (membership ends with the fd).
bool OpenPacketFd(const std::string& ifname, const std::vector<uint16_t>& etherTypes, bool includeOutgoing,
                  int rcvbufBytes, bool allMulticast, bool promiscuous, PacketOpened* out, OpenFailure* f);

Napi::Error ToJsError(Napi::Env env, const OpenFailure& f);

Napi::Value OpenTap(const Napi::CallbackInfo& info);
Napi::Value OpenPacketSocket(const Napi::CallbackInfo& info);
Napi::Value SendIgmpV2(const Napi::CallbackInfo& info);
Napi::Value RemoveTapJs(const Napi::CallbackInfo& info);

Napi::Error CodedError(Napi::Env env, const char* code, const std::string& message, int err = 0);

}  // namespace gb
