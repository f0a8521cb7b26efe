// The forwarding engine's redundancy: the duplicate discard's per-path accounting, and gateway
// pairs (heartbeats sent from the JS thread, heard and elected on the rx thread). See
// delivered-frames.h and site-peers.h for the rules.
#include <errno.h>
#include <sys/socket.h>
#include <time.h>

#include "forwarding-engine.h"

namespace gb {

// heartbeat(leaving): a gateway of a site tells its peers it lives (or leaves), on the default
// group, on every path. 0, or the errno of the first path that refused it.
Napi::Value ForwardingEngine::Heartbeat(const Napi::CallbackInfo& info) {
  bool leaving = info.Length() > 0 && info[0].ToBoolean();
  Plane p;
  {
    std::lock_guard<std::mutex> lk(mu_);
    p = plane_;
  }
  int err = ENOTCONN;
  if (p.wan && !p.wan->groups.empty() && p.cfg->site != 0) {
    uint8_t d[kHeartbeatBytes];
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    const int64_t now = static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
    WriteHeartbeat(d, own_, heartbeatSeq_++, p.cfg->site, leaving, now - p.cfg->siteSinceUs >= p.cfg->siteHoldUs);
    err = 0;
    for (const WanPath& path : p.wan->paths) {
      const sockaddr_in& to = p.wan->groups[0]->destination;
      if (sendto(path.sendFd, d, sizeof d, MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0 && err == 0) err = errno;
    }
  }
  return Napi::Number::New(info.Env(), err);
}

// A heartbeat of a gateway of this site: the peer lives (or leaves). Counted, never a frame.
// A malformed one is a drop like any other datagram's, so received = written + dropped + control.
int ForwardingEngine::HearControl(const EngineConfig& c, const uint8_t* d, size_t n, uint64_t source, int64_t nowUs) {
  uint64_t sender;
  uint32_t site;
  bool leaving, ready;
  if (!ReadHeartbeat(d, n, &sender, &site, &leaving, &ready)) return kBadLength;
  Add(kWanControlDatagrams, 1);
  if (c.site == 0 || site != c.site || sender == own_) return kControl;
  peers_.Heard(sender, static_cast<uint32_t>(source >> 16), leaving, ready, nowUs);
  SetGauge(kSitePeers, peers_.Live(nowUs, c.siteHoldUs));
  WritesLan(c, nowUs);
  return kControl;
}

void ForwardingEngine::CountCopy(const DeliveredFrames::Copy& copy, unsigned path, int64_t nowUs) {
  AddPath(path, kPathRedundantCopies, 1);
  if (copy.pathNew) {
    AddPath(path, kPathFramesSeen, 1);
    if (copy.firstPath != path) {
      // This path's lateness behind the first copy: an EWMA (1/8) and the most seen.
      // (The kernel tier may have delivered the first copy after this batch read its clock.)
      uint64_t late = nowUs > copy.firstUs ? static_cast<uint64_t>(nowUs - copy.firstUs) : 0;
      size_t base = kPathBase + path * kPathCounterCount;
      uint64_t ewma = slots_[base + kPathSkewEwmaUs];
      SetGauge(base + kPathSkewEwmaUs, slots_[base + kPathSkewSamples] == 0 ? late : (ewma * 7 + late) / 8);
      if (late > slots_[base + kPathSkewMaxUs]) SetGauge(base + kPathSkewMaxUs, late);
      AddPath(path, kPathSkewSamples, 1);
    }
  }
}

void ForwardingEngine::RecordDelivered(uint64_t fp, uint64_t origin, unsigned path, int64_t nowUs) {
  delivered_.Record(fp, origin, path, nowUs);
  AddPath(path, kPathFramesFirst, 1);
  AddPath(path, kPathFramesSeen, 1);
}

// Gateway of a site: whether this one writes the LAN now (see site-peers.h); kept as a gauge.
bool ForwardingEngine::WritesLan(const EngineConfig& c, int64_t nowUs) {
  bool writes = !c.gateway || c.site == 0 || (nowUs - c.siteSinceUs >= c.siteHoldUs && peers_.Writes(own_, nowUs, c.siteHoldUs));
  SetGauge(kLanWriter, writes && c.gateway ? 1 : 0);
  return writes;
}

}  // namespace gb
