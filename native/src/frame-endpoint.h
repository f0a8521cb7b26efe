// A file descriptor that carries whole Ethernet frames (a TAP or an AF_PACKET socket), with a
// reader thread that hands received frames to JavaScript in batches.
#pragma once

#include <napi.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gb {

enum class EndpointKind { kTap, kPacket };

// What the opener hands over to the endpoint: an open fd and how to read from it.
struct EndpointSetup {
  EndpointKind kind;
  int fd = -1;
  std::string ifname;
  int ifindex = 0;
  bool includeOutgoing = false;
  std::vector<uint16_t> etherTypes;  // empty = all
};

// Batch memory layout, one malloc per batch, handed to JS as one external ArrayBuffer:
//   [0..8)            u32 count, u32 reserved
//   [8..8+8c)         f64 rxTimeUs[c]
//   [..+4c)           u32 offsets[c] (relative to the data area)
//   [..+4c)           u32 lengths[c]
//   [8+16c..)         frame bytes, back to back
constexpr size_t kBatchHeaderBytes = 8;
constexpr uint32_t kMaxFramesPerBatch = 256;
constexpr int64_t kMaxBatchSpanUs = 1000;
// Largest frame we accept: 64 KiB covers any MTU a TAP or veth can have, plus 4 bytes for a
// VLAN tag re-inserted in front of a packet socket's payload.
constexpr size_t kMaxFrameBytes = 65536 + 4;
constexpr size_t kArenaBytes = 1 << 20;
// Batches given to JS but not yet consumed; beyond this the reader stops reading and lets
// the kernel queue (and count drops) rather than letting our memory grow.
constexpr int kMaxBatchesInFlight = 8;

class FrameEndpoint : public Napi::ObjectWrap<FrameEndpoint> {
 public:
  static Napi::Function Init(Napi::Env env);
  static Napi::Object NewInstance(Napi::Env env, EndpointSetup setup);

  explicit FrameEndpoint(const Napi::CallbackInfo& info);
  ~FrameEndpoint() override;

 private:
  static Napi::FunctionReference* constructor_;
  static EndpointSetup* pending_;

  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Write(const Napi::CallbackInfo& info);
  Napi::Value WriteMany(const Napi::CallbackInfo& info);
  Napi::Value SendPaced(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value IfIndex(const Napi::CallbackInfo& info);
  Napi::Value SetRef(const Napi::CallbackInfo& info);

  void ReaderLoop();
  // Reads one frame into `dst` (capacity kMaxFrameBytes). Returns the frame length and sets
  // `start` (offset of the frame inside dst), 0 for a frame to skip, -errno on error.
  ssize_t ReceiveOne(uint8_t* dst, size_t* start);
  bool EtherTypeWanted(const uint8_t* frame, size_t len) const;
  // Result of one write: 1 sent, 0 refused by the kernel (counted), -errno for a real error.
  int WriteOne(const uint8_t* data, size_t len);

  void StopThread();
  void CloseAll(bool fromCleanupHook);
  static void CleanupHook(void* arg);
  static void CallJs(napi_env env, napi_value jsCallback, void* context, void* data);
  static void FinalizeBatch(napi_env env, void* data, void* hint);

  EndpointSetup setup_;
  int wakeFd_ = -1;
  std::thread thread_;
  napi_threadsafe_function tsfn_ = nullptr;
  napi_env env_ = nullptr;
  bool started_ = false;
  bool closed_ = false;
  bool hookRegistered_ = false;
  std::atomic<bool> stopping_{false};

  // Flow control between the reader thread and the JS thread.
  std::mutex mu_;
  std::condition_variable cv_;
  int inFlight_ = 0;

  // Counters written by the reader thread (relaxed atomics: read for stats only).
  std::atomic<uint64_t> framesRead_{0}, bytesRead_{0}, batches_{0}, readErrors_{0};
  std::atomic<uint64_t> truncated_{0}, filtered_{0}, outgoingSkipped_{0}, flowWaits_{0}, vlanRestored_{0};
  std::atomic<int> lastReadErrno_{0};
  std::atomic<int> fatalErrno_{0};
  // Written on the JS thread only.
  uint64_t framesWritten_ = 0, bytesWritten_ = 0, writeDrops_ = 0;
  int lastWriteErrno_ = 0;
  uint64_t kernelDrops_ = 0, kernelPackets_ = 0;
};

}  // namespace gb
