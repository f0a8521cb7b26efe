// The forwarding engine's two data-plane threads: the tx thread (L2 side → WAN, batched sends
// with UDP GSO) and the rx thread (WAN → L2 side, batched receives with UDP GRO, batched TAP writes).
#include "forwarding-engine.h"
#include "calibration.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/udp.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "../l2-receive.h"

namespace gb {

namespace {

constexpr size_t kBatch = 64;

// A batch arena, left uninitialised: a slot holds up to 64 KiB but a GOOSE frame touches only its
// first page, so the kernel backs only what frames use (a zero-filled std::vector would make all
// 4 MiB of each arena resident).
class UntouchedBytes {
 public:
  UntouchedBytes() = default;
  explicit UntouchedBytes(size_t n) : p_(new uint8_t[n]) {}
  uint8_t* data() const { return p_.get(); }

 private:
  std::unique_ptr<uint8_t[]> p_;
};

// Kernel refused for lack of room (the datagram is dropped, the socket is healthy).
bool IsBacklog(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS; }

// The largest UDP payload of one IPv4 datagram: a GSO send carries at most this much.
constexpr size_t kMaxGsoPayload = 65535 - 20 - 8;

// Datagrams from `first` on that can leave as one UDP GSO send: same group, same length (the
// last may be shorter, as the kernel cuts at every `len` bytes).
size_t GsoRun(const sockaddr_in* const* to, const iovec* iov, size_t first, size_t count) {
  size_t len = iov[first].iov_len, total = len, n = 1;
  while (first + n < count) {
    size_t l = iov[first + n].iov_len;
    if (to[first + n] != to[first] || l > len || total + l > kMaxGsoPayload) break;
    total += l;
    n++;
    if (l < len) break;
  }
  return n;
}

}  // namespace

// ------------------------------------------------------------------------------- tx thread

// A batch leaves in one sendmmsg call. Consecutive datagrams to one group with one length
// become one entry with UDP_SEGMENT: the route, netfilter and every hop in this host and the
// receiving one handle the run once, and the datagrams on the wire are the ones that would
// have been sent one by one (the device, or the receiving socket, cuts the run).
void ForwardingEngine::Flush(const Plane& p, const sockaddr_in* const* to, iovec* iov, size_t count) {
  for (size_t path = 0; path < p.wan->paths.size(); path++) FlushPath(p, path, to, iov, count);
}

// The batch on one path (every datagram leaves on every path: PRP over IP).
void ForwardingEngine::FlushPath(const Plane& p, size_t path, const sockaddr_in* const* to, iovec* iov, size_t count) {
  WanPath& w = p.wan->paths[path];
  mmsghdr wire[kBatch];
  uint32_t first[kBatch], carried[kBatch];
  alignas(cmsghdr) uint8_t ctl[kBatch][CMSG_SPACE(sizeof(uint16_t))];
  size_t entries = 0;
  for (size_t i = 0; i < count; entries++) {
    size_t n = w.segmentOffload ? GsoRun(to, iov, i, count) : 1;
    first[entries] = static_cast<uint32_t>(i);
    carried[entries] = static_cast<uint32_t>(n);
    msghdr& h = wire[entries].msg_hdr;
    h = msghdr{};
    h.msg_name = const_cast<sockaddr_in*>(to[i]);
    h.msg_namelen = sizeof(sockaddr_in);
    h.msg_iov = &iov[i];
    h.msg_iovlen = n;
    if (n > 1) {
      h.msg_control = ctl[entries];
      h.msg_controllen = sizeof ctl[entries];
      cmsghdr* cm = CMSG_FIRSTHDR(&h);
      cm->cmsg_level = SOL_UDP;
      cm->cmsg_type = UDP_SEGMENT;
      cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      uint16_t seg = static_cast<uint16_t>(iov[i].iov_len);
      memcpy(CMSG_DATA(cm), &seg, sizeof seg);
    }
    i += n;
  }
  size_t done = 0;
  while (done < entries) {
    int r;
    // A lone frame goes out with a plain send: nothing is held back to fill a batch.
    if (entries - done == 1) r = sendmsg(w.sendFd, &wire[done].msg_hdr, MSG_DONTWAIT) >= 0 ? 1 : -1;
    else r = sendmmsg(w.sendFd, wire + done, static_cast<unsigned>(entries - done), MSG_DONTWAIT);
    Add(kWanSendCalls, 1);
    if (r < 0) {
      int err = errno;
      if (err == EINTR) continue;
      if (carried[done] > 1 && !IsBacklog(err)) {
        // A run refused (an IPsec route, a kernel without UDP GSO): its datagrams go one by one,
        // and when that works, so does every run this socket sends from now on.
        bool wasOn = w.segmentOffload;
        uint64_t before = slots_[kWanDatagramsSent];
        w.segmentOffload = false;
        FlushPath(p, path, to + first[done], iov + first[done], carried[done]);
        bool singlesWork = slots_[kWanDatagramsSent] != before;
        if (!singlesWork) w.segmentOffload = wasOn;
        else if (wasOn) Emit("gso-refused", err);
        done++;
        continue;
      }
      Add(kToWanBase + (IsBacklog(err) ? kSendBacklog : kSendError), carried[done]);
      AddPath(static_cast<unsigned>(path), kPathSendErrors, carried[done]);
      done++;
      continue;
    }
    for (size_t e = done; e < done + static_cast<size_t>(r); e++) {
      uint64_t bytes = 0;
      for (size_t i = first[e]; i < first[e] + carried[e]; i++) bytes += iov[i].iov_len;
      Add(kWanDatagramsSent, carried[e]);
      AddPath(static_cast<unsigned>(path), kPathDatagramsSent, carried[e]);
      Add(kWanBytesSent, bytes);
      if (carried[e] > 1) Add(kWanSegmentedDatagrams, carried[e]);
    }
    done += static_cast<size_t>(r);
  }
}

void ForwardingEngine::TxLoop() {
  pthread_setname_np(pthread_self(), "gb-to-wan");
  SetPriority();
  UntouchedBytes arena(kBatch * kSlotBytes);
  UntouchedBytes spdus;  // R-GOOSE output (GB1 sends the read slot itself)
  const sockaddr_in* to[kBatch];
  iovec iov[kBatch];
  TapBurstReader tapReader;
  if (int err = tapReader.Init(kSlotBytes - kGb1HeaderBytes)) NoteRingUnavailable(err);
  Plane p;
  Calibration calibration = Calibration::FromEnv();  // a test knob: off unless allowed
  uint64_t seen = ~uint64_t{0};
  while (!stopping_.load(std::memory_order_acquire)) {
    Snapshot(&seen, &p);
    L2Endpoint* l2 = p.l2 && !p.l2->dead.load(std::memory_order_relaxed) ? p.l2.get() : nullptr;
    bool viaRing = l2 != nullptr && !l2->packet && ((tapReader.ok() && p.cfg->tapIoUring) || tapReader.Pending());
    // Frames the ring already read are handed out before the thread sleeps again.
    if (!(viaRing && tapReader.Pending())) {
      pollfd fds[2] = {{txWake_, POLLIN, 0}, {l2 ? l2->fd : -1, POLLIN, 0}};
      if (poll(fds, l2 ? 2 : 1, -1) < 0) continue;
      if (fds[0].revents) {
        uint64_t v;
        ssize_t ignored = read(txWake_, &v, sizeof v);
        (void)ignored;
        continue;
      }
      if (l2 == nullptr || fds[1].revents == 0) continue;
    }
    size_t count = 0;
    int64_t now = NowUs();
    const EngineConfig& c = *p.cfg;
    size_t groupCount = p.wan ? p.wan->groups.size() : 0;
    while (count < kBatch) {
      uint8_t* slot = arena.data() + count * kSlotBytes;
      size_t start = 0;
      ReceiveNote note;
      // Read so the frame lands right behind the GB1 header: encapsulation copies nothing.
      uint8_t* dst = slot + kGb1HeaderBytes - (l2->packet ? 4 : 0);
      ssize_t n = viaRing ? tapReader.Read(l2->fd, dst, kSlotBytes - kGb1HeaderBytes)
                          : ReceiveFrame(l2->fd, l2->packet, false, dst, kSlotBytes - kGb1HeaderBytes, &start, &note);
      if (!viaRing) Add(kL2ReadCalls, 1);
      if (n < 0) {
        int err = static_cast<int>(-n);
        if (err == EAGAIN || err == EWOULDBLOCK) break;
        if (err == EINTR) continue;
        Add(kL2ReadErrors, 1);
        bool gone = err == EBADFD || err == ENODEV || (err == ENETDOWN && l2->packet && if_nametoindex(l2->ifname.c_str()) == 0);
        if (gone) {
          l2->dead.store(true, std::memory_order_relaxed);
          Emit("l2-lost", err);
        }
        break;
      }
      if (n == 0) continue;
      uint8_t* frame = slot + kGb1HeaderBytes;
      if (dst + start != frame) memmove(frame, dst + start, static_cast<size_t>(n));
      size_t len = static_cast<size_t>(n);
      Add(kL2FramesRead, 1);
      Add(kL2BytesRead, len);
      calibration.Frame();
      uint32_t gi = 0;
      FrameHeader h;
      int v = DecideToWan(c, groupCount, frame, len, now, &gi, &h);
      if (v != kForward) {
        CountToWanDrop(v, h);
        continue;
      }
      WanGroup& g = *p.wan->groups[gi];
      if (c.rgoose && spdus.data() == nullptr) spdus = UntouchedBytes(kBatch * kSlotBytes);
      uint8_t* out = c.rgoose ? spdus.data() + count * kSlotBytes : slot;
      // GB1: the group's next number, taken atomically (the kernel tier may share the word).
      uint32_t number = c.rgoose ? 0 : __atomic_fetch_add(g.seq, 1, __ATOMIC_RELAXED);
      if (c.rgoose && !TakeSpduNumber(c, g.rgoose, &number)) {
        CountToWanDrop(kSpduNumberUnavailable, h);
        continue;
      }
      long total = Encapsulate(c, h, slot, len, number, out);
      if (total <= 0) {
        CountToWanDrop(total < 0 ? kOversize : kEncapsulationFailed, h);
        continue;
      }
      CountToWanSent(h.appId, len);
      iov[count] = {out, static_cast<size_t>(total)};
      to[count] = &g.destination;
      count++;
    }
    if (viaRing) Add(kL2ReadCalls, tapReader.TakeCalls());
    if (count > 0) Flush(p, to, iov, count);
  }
}

// ------------------------------------------------------------------------------- rx thread

// A TAP with a ring takes the frame into the current batch (written by FlushL2Writes, at the end of
// each receive round or when the batch is full); anything else is written at once.
void ForwardingEngine::WriteL2(const Plane& p, const uint8_t* frame, size_t n, uint16_t appId, int64_t nowUs) {
  L2Endpoint* l2 = p.l2 && !p.l2->dead.load(std::memory_order_relaxed) ? p.l2.get() : nullptr;
  // Recorded before the write: a reflection can reach the tx thread before write() returns.
  // A standby gateway records what its site's writer puts on the LAN, and writes nothing.
  if (p.cfg->gateway) writtenToL2_.Put(FrameFingerprint(frame, n), nowUs);
  if (!WritesLan(*p.cfg, nowUs)) {
    Add(kL2FramesLeftToPeer, 1);
    return;
  }
  if (l2 != nullptr && !l2->packet && tapWriter_.ok() && p.cfg->tapIoUring) {
    if (tapWriter_.Full()) FlushL2Writes();
    tapWriter_.Queue(l2->fd, frame, n, uint64_t{appId} << 32 | n);
    return;
  }
  ssize_t r = -1;
  if (l2 != nullptr) {
    r = l2->packet ? send(l2->fd, frame, n, MSG_DONTWAIT) : write(l2->fd, frame, n);
    Add(kL2WriteCalls, 1);
  }
  CountL2Write(appId, n, r >= 0);
}

void ForwardingEngine::FlushL2Writes() {
  if (tapWriter_.Empty()) return;
  Add(kL2WriteCalls, 1);
  tapWriter_.Flush([this](uint64_t tag, bool written) { CountL2Write(static_cast<uint16_t>(tag >> 32), tag & 0xffffffffu, written); });
}

void ForwardingEngine::CountL2Write(uint16_t appId, size_t n, bool written) {
  if (!written) {
    Add(kFromWanBase + kL2WriteFailed, 1);
    AddApp(appId, kAppFromWanDropped, 1);
    return;
  }
  Add(kL2FramesWritten, 1);
  Add(kL2BytesWritten, n);
  AddApp(appId, kAppFromWanFrames, 1);
  AddApp(appId, kAppFromWanBytes, n);
}

// Logged once: TAP reads and writes then cost a system call per frame, as without io_uring.
void ForwardingEngine::NoteRingUnavailable(int err) {
  if (!ringNoted_.exchange(true)) Emit("io-uring-unavailable", err);
}

void ForwardingEngine::RefreshSendersGauge(const Plane& p) {
  uint64_t total = 0;
  if (p.wan)
    for (const auto& g : p.wan->groups)
      if (g->senders) total += g->senders->senders();
  __atomic_store_n(&slots_[kSenders], total, __ATOMIC_RELAXED);
}

void ForwardingEngine::ReceiveDatagram(const Plane& p, WanGroup& g, unsigned path, uint8_t* d, size_t len, uint64_t source, int64_t now,
                                       uint8_t* scratch) {
  g.datagrams.fetch_add(1, std::memory_order_relaxed);
  Add(kWanDatagramsReceived, 1);
  Add(kWanBytesReceived, len);
  AddPath(path, kPathDatagramsReceived, 1);
  const uint8_t* frame = nullptr;
  size_t frameLen = 0;
  FrameHeader carried;
  int verdict = DecideFromWan(*p.cfg, GroupState{g.senders, g.rgoose}, d, len, source, p.wan.get(), path, now, scratch, &frame,
                              &frameLen, &carried);
  if (verdict == kControl) return;
  if (verdict != kForward) {
    CountFromWanDrop(verdict, carried);
    return;
  }
  WriteL2(p, frame, frameLen, carried.appId, now);
}

// The kernel counts a full receive buffer per read it drops (SO_RXQ_OVFL), and with UDP GRO one
// read is a whole run of datagrams, whose length it never reports. The datagrams show as a
// sender's sequence gap once its next datagram arrives (usually in the read that brings the
// kernel's notice): a gap of n datagrams seen while dropped reads are pending counts n and settles
// up to n of those reads. Reads still pending when the round ends count one datagram each (a run
// of a sender not tracked, or a gap not visible yet). Exact without runs; with runs exact unless
// WAN loss coincides with the overflow (then counted here too) or a sender's gap shows only in a
// later round (counted as one datagram per read). gap_frames stays the exact loss per sender.
void ForwardingEngine::AttributeDroppedReads(WanGroup& g, uint64_t gapFrames) {
  if (gapFrames > 0) {
    Add(kRcvbufDrops, gapFrames);
    g.droppedReads -= static_cast<uint32_t>(std::min<uint64_t>(g.droppedReads, gapFrames));
  } else if (g.droppedReads > 0) {
    Add(kRcvbufDrops, g.droppedReads);
    g.droppedReads = 0;
  }
}

void ForwardingEngine::ReceiveGroup(const Plane& p, WanGroup& g, mmsghdr* msgs, uint8_t** bufs, uint8_t* scratch) {
  constexpr size_t kCtl = 2 * CMSG_SPACE(sizeof(uint32_t)) + CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(in_pktinfo));
  static thread_local iovec iov[kBatch];
  static thread_local char ctl[kBatch][kCtl];
  static thread_local sockaddr_in from[kBatch];
  // Bounded rounds so one busy group cannot starve the others.
  for (int round = 0; round < 8; round++) {
    for (size_t i = 0; i < kBatch; i++) {
      iov[i] = {bufs[i], kSlotBytes};
      memset(&msgs[i], 0, sizeof msgs[i]);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = ctl[i];
      msgs[i].msg_hdr.msg_controllen = kCtl;
      msgs[i].msg_hdr.msg_name = &from[i];
      msgs[i].msg_hdr.msg_namelen = sizeof from[i];
    }
    int r = recvmmsg(g.recvFd, msgs, kBatch, MSG_DONTWAIT, nullptr);
    if (r < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        Add(kWanReceiveErrors, 1);
        Emit("wan-error", errno);
      }
      return;
    }
    int64_t now = NowUs();
    uint64_t seenBefore = slots_[kSendersSeen], evictedBefore = slots_[kSendersEvicted];
    for (int i = 0; i < r; i++) {
      msghdr& h = msgs[i].msg_hdr;
      size_t len = msgs[i].msg_len, segment = len;
      uint32_t overflowReads = 0, mark = 0;  // mark: the kernel tier's stamp (SO_RCVMARK)
      unsigned path = 0;
      for (cmsghdr* cm = CMSG_FIRSTHDR(&h); cm != nullptr; cm = CMSG_NXTHDR(&h, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
          uint32_t v;
          memcpy(&v, CMSG_DATA(cm), sizeof v);
          overflowReads = v - g.lastOverflow;
          g.lastOverflow = v;
        } else if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_MARK) {
          memcpy(&mark, CMSG_DATA(cm), sizeof mark);
        } else if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO) {
          int v;
          memcpy(&v, CMSG_DATA(cm), sizeof v);
          if (v > 0) segment = static_cast<size_t>(v);
        } else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
          in_pktinfo pi;
          memcpy(&pi, CMSG_DATA(cm), sizeof pi);
          path = p.wan->PathOf(pi.ipi_ifindex);
        }
      }
      // A run the kernel kept whole (UDP GRO): the datagrams it carries, back to back. A
      // zero-length datagram is one datagram too: received, then dropped as too short.
      if (segment < len) Add(kWanCoalescedDatagrams, (len + segment - 1) / segment);
      uint64_t source = uint64_t{from[i].sin_addr.s_addr} << 16 | from[i].sin_port;
      g.droppedReads += overflowReads;
      const uint64_t gapBefore = slots_[kGapFrames];
      size_t off = 0;
      do {
        ReceiveDatagram(p, g, path, bufs[i] + off, std::min(segment, len - off), source, now, scratch);
        if (g.drained != nullptr) g.stamps.Read(mark, g.drained);
        off += segment;
      } while (off < len);
      if (g.droppedReads > 0 && slots_[kGapFrames] != gapBefore) AttributeDroppedReads(g, slots_[kGapFrames] - gapBefore);
    }
    FlushL2Writes();  // before the next receive: a frame waits for its round, never longer
    // What the kernel tier passed up is written: a sender waiting behind it may take the kernel tier again.
    if (g.drained != nullptr) g.stamps.Report(g.drained);
    AttributeDroppedReads(g, 0);
    if (slots_[kSendersSeen] != seenBefore || slots_[kSendersEvicted] != evictedBefore) RefreshSendersGauge(p);
    if (static_cast<size_t>(r) < kBatch) return;
  }
}

void ForwardingEngine::RxLoop() {
  pthread_setname_np(pthread_self(), "gb-from-wan");
  SetPriority();
  if (int err = tapWriter_.Init(kSlotBytes)) NoteRingUnavailable(err);
  UntouchedBytes arena(kBatch * kSlotBytes);
  uint8_t* bufs[kBatch];
  for (size_t i = 0; i < kBatch; i++) bufs[i] = arena.data() + i * kSlotBytes;
  mmsghdr msgs[kBatch];
  std::vector<uint8_t> scratch(kSlotBytes);  // an R-GOOSE frame rebuilt for the L2 side
  Plane p;
  uint64_t seen = ~uint64_t{0};
  int ep = -1;
  constexpr uint64_t kWakeKey = ~uint64_t{0};
  while (!stopping_.load(std::memory_order_acquire)) {
    if (Snapshot(&seen, &p) || ep < 0) {
      if (ep >= 0) close(ep);
      ep = epoll_create1(EPOLL_CLOEXEC);
      epoll_event w{EPOLLIN, {.u64 = kWakeKey}};
      epoll_ctl(ep, EPOLL_CTL_ADD, rxWake_, &w);
      if (p.wan) {
        for (size_t i = 0; i < p.wan->groups.size(); i++) {
          if (p.wan->groups[i]->recvFd < 0) continue;
          epoll_event e{EPOLLIN, {.u64 = i}};
          epoll_ctl(ep, EPOLL_CTL_ADD, p.wan->groups[i]->recvFd, &e);
        }
      }
      RefreshSendersGauge(p);
    }
    epoll_event events[16];
    // A gateway of a site wakes at least every 100 ms: peers that fell silent lose their vote.
    int n = epoll_wait(ep, events, 16, p.cfg && p.cfg->site != 0 ? 100 : -1);
    if (p.cfg && p.cfg->site != 0) {
      int64_t now = NowUs();
      SetGauge(kSitePeers, peers_.Live(now, p.cfg->siteHoldUs));
      WritesLan(*p.cfg, now);
    }
    for (int i = 0; i < n; i++) {
      if (events[i].data.u64 == kWakeKey) {
        uint64_t v;
        ssize_t ignored = read(rxWake_, &v, sizeof v);
        (void)ignored;
        continue;
      }
      if (p.wan) ReceiveGroup(p, *p.wan->groups[events[i].data.u64], msgs, bufs, scratch.data());
    }
  }
  if (ep >= 0) close(ep);
}

}  // namespace gb
