#include "frame-endpoint.h"

#include "l2-receive.h"
#include "paced-send.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>

namespace gb {

namespace {

int64_t MonotonicUs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

inline uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// Errors meaning "the kernel would not take this frame now": the caller counts a drop.
// EIO/ENETDOWN: interface down; EBADFD/ENODEV/ENXIO: interface gone — the reader reports
// that through onError, so a write racing with it must not throw in the caller's hot path.
bool IsRefusal(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS || err == ENOMEM || err == EIO ||
         err == ENETDOWN || err == ENXIO || err == EBADFD || err == ENODEV;
}

Napi::Error ErrnoError(Napi::Env env, const char* code, const std::string& what, int err) {
  Napi::Error e = Napi::Error::New(env, what + ": " + strerror(err));
  e.Set("code", Napi::String::New(env, code));
  e.Set("errno", Napi::Number::New(env, err));
  return e;
}

}  // namespace

Napi::FunctionReference* FrameEndpoint::constructor_ = nullptr;

Napi::Function FrameEndpoint::Init(Napi::Env env) {
  Napi::Function f = DefineClass(env, "FrameEndpoint",
                                 {
                                     InstanceMethod("start", &FrameEndpoint::Start),
                                     InstanceMethod("write", &FrameEndpoint::Write),
                                     InstanceMethod("writeMany", &FrameEndpoint::WriteMany),
                                     InstanceMethod("sendPaced", &FrameEndpoint::SendPaced),
                                     InstanceMethod("stats", &FrameEndpoint::Stats),
                                     InstanceMethod("close", &FrameEndpoint::Close),
                                     InstanceMethod("ifindex", &FrameEndpoint::IfIndex),
                                     InstanceMethod("setRef", &FrameEndpoint::SetRef),
                                 });
  constructor_ = new Napi::FunctionReference(Napi::Persistent(f));
  // Lives as long as the addon; freed with the env.
  env.SetInstanceData<Napi::FunctionReference>(constructor_);
  return f;
}

// Hands the setup to the constructor: JS cannot construct a FrameEndpoint itself (there is
// no pending setup then), only the openers can. JS thread only, so a plain static suffices.
EndpointSetup* FrameEndpoint::pending_ = nullptr;

Napi::Object FrameEndpoint::NewInstance(Napi::Env env, EndpointSetup setup) {
  pending_ = &setup;
  try {
    Napi::Object o = constructor_->New({});
    pending_ = nullptr;
    return o;
  } catch (...) {
    pending_ = nullptr;
    if (setup.fd >= 0) close(setup.fd);
    throw;
  }
}

FrameEndpoint::FrameEndpoint(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FrameEndpoint>(info) {
  env_ = info.Env();
  if (pending_ == nullptr) {
    closed_ = true;
    throw Napi::TypeError::New(env_, "FrameEndpoint is created by openTap/openPacketSocket");
  }
  setup_ = *pending_;
  pending_->fd = -1;  // ownership moved here
  pending_ = nullptr;
  wakeFd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakeFd_ < 0) {
    int err = errno;
    close(setup_.fd);
    setup_.fd = -1;
    closed_ = true;
    throw ErrnoError(env_, "GB_ERR_TAP_OPEN", "eventfd", err);
  }
  // Registered before any thread-safe function exists, so at environment teardown it runs
  // after Node has marked those functions closing (hooks run in reverse order).
  napi_add_env_cleanup_hook(env_, &FrameEndpoint::CleanupHook, this);
  hookRegistered_ = true;
}

FrameEndpoint::~FrameEndpoint() { CloseAll(false); }

void FrameEndpoint::CleanupHook(void* arg) {
  auto* self = static_cast<FrameEndpoint*>(arg);
  self->hookRegistered_ = false;  // Node removes it after running it
  self->CloseAll(true);
}

Napi::Value FrameEndpoint::IfIndex(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), setup_.ifindex);
}

// setRef(false): a started reader no longer keeps the event loop alive (like socket.unref()).
Napi::Value FrameEndpoint::SetRef(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (tsfn_ != nullptr && !closed_) {
    if (info[0].ToBoolean().Value()) napi_ref_threadsafe_function(env, tsfn_);
    else napi_unref_threadsafe_function(env, tsfn_);
  }
  return env.Undefined();
}

Napi::Value FrameEndpoint::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (closed_) throw Napi::Error::New(env, "start() after close()");
  if (started_) throw Napi::Error::New(env, "start() called twice");
  if (info.Length() < 1 || !info[0].IsFunction()) throw Napi::TypeError::New(env, "start(onBatch): onBatch must be a function");
  napi_status st = napi_create_threadsafe_function(
      env, info[0], nullptr, Napi::String::New(env, "goose-bridge:frames"), 0 /* unbounded: we bound it */, 1,
      nullptr, nullptr, this, &FrameEndpoint::CallJs, &tsfn_);
  if (st != napi_ok) throw Napi::Error::New(env, "napi_create_threadsafe_function failed");
  started_ = true;
  // A started endpoint is like an open socket: it stays alive (and keeps the loop alive)
  // until close(), even if the caller drops its reference.
  Ref();
  try {
    thread_ = std::thread(&FrameEndpoint::ReaderLoop, this);
  } catch (...) {
    napi_release_threadsafe_function(tsfn_, napi_tsfn_abort);
    tsfn_ = nullptr;
    Unref();
    started_ = false;
    throw Napi::Error::New(env, "could not start the reader thread");
  }
  return env.Undefined();
}

bool FrameEndpoint::EtherTypeWanted(const uint8_t* f, size_t len) const {
  if (setup_.etherTypes.empty()) return true;
  if (len < 14) return false;
  uint16_t outer = Be16(f + 12);
  for (uint16_t t : setup_.etherTypes)
    if (t == outer) return true;
  if ((outer == 0x8100 || outer == 0x88a8) && len >= 18) {
    uint16_t inner = Be16(f + 16);
    for (uint16_t t : setup_.etherTypes)
      if (t == inner) return true;
  }
  return false;
}

ssize_t FrameEndpoint::ReceiveOne(uint8_t* dst, size_t* start) {
  ReceiveNote note;
  ssize_t n = ReceiveFrame(setup_.fd, setup_.kind == EndpointKind::kPacket, setup_.includeOutgoing, dst,
                           kMaxFrameBytes, start, &note);
  if (note == ReceiveNote::kOutgoing) outgoingSkipped_.fetch_add(1, std::memory_order_relaxed);
  if (note == ReceiveNote::kTruncated) truncated_.fetch_add(1, std::memory_order_relaxed);
  if (note == ReceiveNote::kVlanRestored) vlanRestored_.fetch_add(1, std::memory_order_relaxed);
  return n;
}

void FrameEndpoint::ReaderLoop() {
  std::vector<uint8_t> arena(kArenaBytes + kMaxFrameBytes);
  std::vector<uint32_t> offs(kMaxFramesPerBatch), lens(kMaxFramesPerBatch);
  std::vector<double> times(kMaxFramesPerBatch);
  int consecutiveErrors = 0;

  while (!stopping_.load(std::memory_order_acquire)) {
    {
      std::unique_lock<std::mutex> lk(mu_);
      if (inFlight_ >= kMaxBatchesInFlight) {
        flowWaits_.fetch_add(1, std::memory_order_relaxed);
        cv_.wait(lk, [&] { return inFlight_ < kMaxBatchesInFlight || stopping_.load(); });
      }
    }
    if (stopping_.load(std::memory_order_acquire)) break;

    pollfd pfd[2] = {{setup_.fd, POLLIN, 0}, {wakeFd_, POLLIN, 0}};
    int pr = poll(pfd, 2, -1);
    if (pr < 0) {
      if (errno == EINTR) continue;
      lastReadErrno_.store(errno);
      readErrors_.fetch_add(1, std::memory_order_relaxed);
      usleep(10000);
      continue;
    }
    if (pfd[1].revents) break;  // close() woke us
    if (!pfd[0].revents) continue;

    uint32_t count = 0;
    size_t used = 0;
    int64_t firstUs = 0;
    int fatal = 0;
    while (count < kMaxFramesPerBatch && used + kMaxFrameBytes <= arena.size()) {
      size_t start = 0;
      ssize_t n = ReceiveOne(arena.data() + used, &start);
      if (n < 0) {
        int err = static_cast<int>(-n);
        if (err == EAGAIN || err == EWOULDBLOCK) break;
        if (err == EINTR) continue;
        readErrors_.fetch_add(1, std::memory_order_relaxed);
        lastReadErrno_.store(err);
        // The TAP went away under us (`ip link del`): nothing more will ever arrive.
        if (setup_.kind == EndpointKind::kTap && (err == EBADFD || err == ENODEV)) fatal = err;
        if (setup_.kind == EndpointKind::kPacket && err == ENETDOWN && if_indextoname(setup_.ifindex, reinterpret_cast<char*>(arena.data() + used)) == nullptr) fatal = ENODEV;
        break;
      }
      if (n == 0) continue;
      const uint8_t* frame = arena.data() + used + start;
      if (!EtherTypeWanted(frame, static_cast<size_t>(n))) {
        filtered_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      int64_t now = MonotonicUs();
      if (count == 0) firstUs = now;
      offs[count] = static_cast<uint32_t>(used + start);
      lens[count] = static_cast<uint32_t>(n);
      times[count] = static_cast<double>(now);
      bytesRead_.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
      used += start + static_cast<size_t>(n);
      count++;
      if (now - firstUs >= kMaxBatchSpanUs) break;
    }

    if (count > 0) {
      consecutiveErrors = 0;
      // Compact into one block in the layout JS expects.
      size_t dataBytes = 0;
      for (uint32_t i = 0; i < count; i++) dataBytes += lens[i];
      size_t total = kBatchHeaderBytes + 16 * static_cast<size_t>(count) + dataBytes;
      uint8_t* block = static_cast<uint8_t*>(malloc(total));
      if (block == nullptr) {
        readErrors_.fetch_add(1, std::memory_order_relaxed);
        lastReadErrno_.store(ENOMEM);
        continue;
      }
      uint32_t hdr[2] = {count, 0};
      memcpy(block, hdr, 8);
      memcpy(block + 8, times.data(), 8 * count);
      uint32_t* outOffs = reinterpret_cast<uint32_t*>(block + 8 + 8 * count);
      uint32_t* outLens = outOffs + count;
      uint8_t* data = block + kBatchHeaderBytes + 16 * count;
      uint32_t pos = 0;
      for (uint32_t i = 0; i < count; i++) {
        memcpy(data + pos, arena.data() + offs[i], lens[i]);
        outOffs[i] = pos;
        outLens[i] = lens[i];
        pos += lens[i];
      }
      {
        std::lock_guard<std::mutex> lk(mu_);
        inFlight_++;
      }
      if (napi_call_threadsafe_function(tsfn_, block, napi_tsfn_nonblocking) != napi_ok) {
        free(block);
        break;  // closing
      }
      framesRead_.fetch_add(count, std::memory_order_relaxed);
      batches_.fetch_add(1, std::memory_order_relaxed);
    } else if (fatal == 0 && lastReadErrno_.load() != 0 && pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
      // A persistent error state must not turn into a busy loop.
      if (++consecutiveErrors > 3) usleep(10000);
    }
    if (fatal != 0) {
      fatalErrno_.store(fatal);
      uint8_t* block = static_cast<uint8_t*>(malloc(kBatchHeaderBytes));
      if (block != nullptr) {
        uint32_t hdr[2] = {0, static_cast<uint32_t>(fatal)};
        memcpy(block, hdr, 8);
        {
          std::lock_guard<std::mutex> lk(mu_);
          inFlight_++;
        }
        if (napi_call_threadsafe_function(tsfn_, block, napi_tsfn_nonblocking) != napi_ok) free(block);
      }
      break;
    }
  }
}

void FrameEndpoint::FinalizeBatch(napi_env, void* data, void*) { free(data); }

void FrameEndpoint::CallJs(napi_env env, napi_value jsCallback, void* context, void* data) {
  uint8_t* block = static_cast<uint8_t*>(data);
  if (env == nullptr || jsCallback == nullptr) {
    // The function is being torn down: the endpoint may be gone, only free the batch.
    free(block);
    return;
  }
  auto* self = static_cast<FrameEndpoint*>(context);
  {
    std::lock_guard<std::mutex> lk(self->mu_);
    self->inFlight_--;
  }
  self->cv_.notify_one();
  if (self->closed_) {
    free(block);
    return;
  }
  uint32_t hdr[2];
  memcpy(hdr, block, 8);
  uint32_t count = hdr[0];
  size_t size = kBatchHeaderBytes;
  if (count > 0) {
    const uint32_t* lens = reinterpret_cast<const uint32_t*>(block + 8 + 12 * static_cast<size_t>(count));
    size += 16 * static_cast<size_t>(count);
    for (uint32_t i = 0; i < count; i++) size += lens[i];
  }
  napi_value ab, argv[3], undefinedValue;
  napi_get_undefined(env, &undefinedValue);
  // One external ArrayBuffer per batch: JS gets views on the very block the thread filled.
  if (napi_create_external_arraybuffer(env, block, size, &FrameEndpoint::FinalizeBatch, nullptr, &ab) != napi_ok) {
    free(block);
    return;
  }
  argv[0] = ab;
  napi_create_uint32(env, count, &argv[1]);
  napi_create_uint32(env, hdr[1], &argv[2]);
  // After this call `self` may be closed and collected: touch nothing of it afterwards. An
  // exception thrown by the handler stays pending and surfaces as an uncaught exception.
  napi_call_function(env, undefinedValue, jsCallback, 3, argv, nullptr);
}

void FrameEndpoint::StopThread() {
  stopping_.store(true, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lk(mu_);
  }
  cv_.notify_all();
  if (wakeFd_ >= 0) {
    uint64_t one = 1;
    ssize_t ignored = write(wakeFd_, &one, sizeof one);
    (void)ignored;
  }
  if (thread_.joinable()) thread_.join();
}

void FrameEndpoint::CloseAll(bool fromCleanupHook) {
  if (closed_) return;
  closed_ = true;
  StopThread();
  if (tsfn_ != nullptr) {
    // At environment teardown Node closes thread-safe functions itself; otherwise we release
    // ours (abort: batches still queued are freed, never delivered).
    if (!fromCleanupHook) napi_release_threadsafe_function(tsfn_, napi_tsfn_abort);
    tsfn_ = nullptr;
  }
  if (setup_.fd >= 0) close(setup_.fd);
  setup_.fd = -1;
  if (wakeFd_ >= 0) close(wakeFd_);
  wakeFd_ = -1;
  if (hookRegistered_) {
    napi_remove_env_cleanup_hook(env_, &FrameEndpoint::CleanupHook, this);
    hookRegistered_ = false;
  }
}

Napi::Value FrameEndpoint::Close(const Napi::CallbackInfo& info) {
  bool wasStarted = started_ && !closed_;
  CloseAll(false);
  if (wasStarted) Unref();
  return info.Env().Undefined();
}

int FrameEndpoint::WriteOne(const uint8_t* data, size_t len) {
  ssize_t n = setup_.kind == EndpointKind::kTap ? write(setup_.fd, data, len)
                                                 : send(setup_.fd, data, len, MSG_DONTWAIT);
  if (n >= 0) {
    framesWritten_++;
    bytesWritten_ += len;
    return 1;
  }
  int err = errno;
  lastWriteErrno_ = err;
  if (IsRefusal(err)) {
    writeDrops_++;
    return 0;
  }
  return -err;
}

Napi::Value FrameEndpoint::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (closed_) throw Napi::Error::New(env, "write() after close()");
  if (info.Length() < 1 || !info[0].IsTypedArray()) throw Napi::TypeError::New(env, "write(frame): frame must be a Uint8Array");
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  const uint8_t* p = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  int r = WriteOne(p, ta.ByteLength());
  if (r < 0) {
    throw ErrnoError(env, setup_.kind == EndpointKind::kTap ? "GB_ERR_TAP_OPEN" : "GB_ERR_PACKET_SOCKET",
                     "writing a " + std::to_string(ta.ByteLength()) + "-byte frame to " + setup_.ifname, -r);
  }
  return Napi::Boolean::New(env, r == 1);
}

namespace {

// Runs a paced plan on a libuv pool thread; the promise gets what RunPaced measured.
class PacedWorker : public Napi::AsyncWorker {
 public:
  PacedWorker(Napi::Env env, PacedPlan plan)
      : Napi::AsyncWorker(env), plan_(std::move(plan)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override { RunPaced(plan_, &result_); }
  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("offered", Napi::Number::New(env, static_cast<double>(result_.offered)));
    o.Set("refused", Napi::Number::New(env, static_cast<double>(result_.refused)));
    o.Set("endUs", Napi::Number::New(env, static_cast<double>(result_.endUs)));
    o.Set("stalledErrno", Napi::Number::New(env, result_.stalledErrno));
    Napi::Uint32Array lag = Napi::Uint32Array::New(env, result_.lagUs.size());
    if (!result_.lagUs.empty()) memcpy(lag.Data(), result_.lagUs.data(), result_.lagUs.size() * sizeof(uint32_t));
    o.Set("lagUs", lag);
    deferred_.Resolve(o);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  PacedPlan plan_;
  PacedResult result_;
  Napi::Promise::Deferred deferred_;
};

uint32_t PlanNumber(const Napi::Object& o, const char* key, double max) {
  Napi::Value v = o.Get(key);
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  if (!(d >= 0 && d <= max) || d != static_cast<double>(static_cast<uint64_t>(d))) {
    throw Napi::RangeError::New(o.Env(), std::string("sendPaced: ") + key + " must be an integer 0.." + std::to_string(static_cast<uint64_t>(max)));
  }
  return static_cast<uint32_t>(d);
}

}  // namespace

// sendPaced({templates, offStNum, offSqNum, offTxUs, offEventUs, rateFps, total, seqStart, slice, startUs})
Napi::Value FrameEndpoint::SendPaced(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (closed_) throw Napi::Error::New(env, "sendPaced() after close()");
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "sendPaced(plan): plan must be an object");
  Napi::Object o = info[0].As<Napi::Object>();
  PacedPlan plan;
  plan.fd = setup_.fd;
  Napi::Value t = o.Get("templates");
  if (!t.IsArray() || t.As<Napi::Array>().Length() == 0) throw Napi::TypeError::New(env, "sendPaced: templates must be a non-empty array of Uint8Array");
  Napi::Array arr = t.As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value v = arr.Get(i);
    if (!v.IsTypedArray()) throw Napi::TypeError::New(env, "sendPaced: templates must be Uint8Arrays");
    Napi::Uint8Array b = v.As<Napi::Uint8Array>();
    plan.templates.emplace_back(b.Data(), b.Data() + b.ByteLength());
    if (plan.templates.back().size() != plan.templates.front().size()) throw Napi::RangeError::New(env, "sendPaced: templates must have one size");
  }
  size_t last = plan.templates.front().size() - 8;
  plan.offStNum = PlanNumber(o, "offStNum", last + 4);
  plan.offSqNum = PlanNumber(o, "offSqNum", last + 4);
  plan.offTxUs = PlanNumber(o, "offTxUs", last);
  plan.offEventUs = PlanNumber(o, "offEventUs", last);
  plan.total = PlanNumber(o, "total", 4e9);
  plan.seqStart = PlanNumber(o, "seqStart", 4294967295.0);
  plan.slice = PlanNumber(o, "slice", 4294967295.0);
  Napi::Value rate = o.Get("rateFps"), start = o.Get("startUs");
  plan.rateFps = rate.IsNumber() ? rate.As<Napi::Number>().DoubleValue() : 0;
  if (!(plan.rateFps > 0 && plan.rateFps <= 1e8)) throw Napi::RangeError::New(env, "sendPaced: rateFps must be > 0");
  if (!start.IsNumber()) throw Napi::TypeError::New(env, "sendPaced: startUs must be a number (CLOCK_MONOTONIC µs)");
  plan.startUs = static_cast<int64_t>(start.As<Napi::Number>().DoubleValue());
  auto* w = new PacedWorker(env, std::move(plan));
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

// writeMany(frames: Uint8Array[]): number of frames the kernel took, in order; stops at the
// first refusal so the caller knows exactly which frames were dropped.
Napi::Value FrameEndpoint::WriteMany(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (closed_) throw Napi::Error::New(env, "writeMany() after close()");
  if (info.Length() < 1 || !info[0].IsArray()) throw Napi::TypeError::New(env, "writeMany(frames): frames must be an array of Uint8Array");
  Napi::Array arr = info[0].As<Napi::Array>();
  uint32_t total = arr.Length();
  constexpr uint32_t kChunk = 64;
  iovec iov[kChunk];
  mmsghdr msgs[kChunk];
  uint32_t done = 0;
  while (done < total) {
    uint32_t n = std::min(kChunk, total - done);
    for (uint32_t i = 0; i < n; i++) {
      Napi::Value v = arr.Get(done + i);
      if (!v.IsTypedArray()) throw Napi::TypeError::New(env, "writeMany(frames): frames[" + std::to_string(done + i) + "] is not a Uint8Array");
      Napi::TypedArray ta = v.As<Napi::TypedArray>();
      iov[i].iov_base = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
      iov[i].iov_len = ta.ByteLength();
    }
    if (setup_.kind == EndpointKind::kTap) {
      for (uint32_t i = 0; i < n; i++) {
        int r = WriteOne(static_cast<const uint8_t*>(iov[i].iov_base), iov[i].iov_len);
        if (r < 0) throw ErrnoError(env, "GB_ERR_TAP_OPEN", "writing to " + setup_.ifname, -r);
        if (r == 0) return Napi::Number::New(env, done + i);
      }
      done += n;
      continue;
    }
    for (uint32_t i = 0; i < n; i++) {
      memset(&msgs[i], 0, sizeof msgs[i]);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int sent = sendmmsg(setup_.fd, msgs, n, MSG_DONTWAIT);
    if (sent < 0) {
      int err = errno;
      lastWriteErrno_ = err;
      if (IsRefusal(err)) {
        writeDrops_++;
        return Napi::Number::New(env, done);
      }
      throw ErrnoError(env, "GB_ERR_PACKET_SOCKET", "sendmmsg on " + setup_.ifname, err);
    }
    for (int i = 0; i < sent; i++) bytesWritten_ += iov[i].iov_len;
    framesWritten_ += static_cast<uint64_t>(sent);
    done += static_cast<uint32_t>(sent);
    if (static_cast<uint32_t>(sent) < n) return Napi::Number::New(env, done);
  }
  return Napi::Number::New(env, done);
}

Napi::Value FrameEndpoint::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (setup_.kind == EndpointKind::kPacket && setup_.fd >= 0) {
    // PACKET_STATISTICS resets on read: accumulate.
    tpacket_stats st{};
    socklen_t len = sizeof st;
    if (getsockopt(setup_.fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) {
      kernelDrops_ += st.tp_drops;
      kernelPackets_ += st.tp_packets;
    }
  }
  Napi::Object o = Napi::Object::New(env);
  auto num = [&](const char* k, double v) { o.Set(k, Napi::Number::New(env, v)); };
  num("framesRead", static_cast<double>(framesRead_.load()));
  num("bytesRead", static_cast<double>(bytesRead_.load()));
  num("batches", static_cast<double>(batches_.load()));
  num("readErrors", static_cast<double>(readErrors_.load()));
  num("lastReadErrno", lastReadErrno_.load());
  num("truncated", static_cast<double>(truncated_.load()));
  num("filtered", static_cast<double>(filtered_.load()));
  num("outgoingSkipped", static_cast<double>(outgoingSkipped_.load()));
  num("vlanTagsRestored", static_cast<double>(vlanRestored_.load()));
  num("flowControlWaits", static_cast<double>(flowWaits_.load()));
  num("framesWritten", static_cast<double>(framesWritten_));
  num("bytesWritten", static_cast<double>(bytesWritten_));
  num("writeDrops", static_cast<double>(writeDrops_));
  num("lastWriteErrno", lastWriteErrno_);
  num("kernelDrops", static_cast<double>(kernelDrops_));
  num("kernelPackets", static_cast<double>(kernelPackets_));
  num("fatalErrno", fatalErrno_.load());
  return o;
}

}  // namespace gb
