// The UDP side of the engine: per uplink (WAN path) one send socket and, per joined group, one
// receive socket bound to the group address and joined on every path (IP_PKTINFO tells the path
// a datagram came by). Every datagram leaves on every path. Opened completely (or not at all)
// before the engine switches to it, so a reload that cannot be applied never touches the
// running sockets.
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../openers.h"
#include "drain-stamps.h"
#include "engine-tables.h"

namespace gb {

class SenderTable;
struct RgooseGroupState;

struct UplinkOptions {
  std::string address;
  int ifindex = 0;
};

struct WanOptions {
  std::vector<std::string> groups;
  std::vector<bool> join;
  uint16_t port = 0;
  std::vector<UplinkOptions> uplinks;  // the paths, 1..kMaxPaths
  int ttl = 32;
  int socketBufferBytes = 4 << 20;
  // The kernel tier's from_wan delivers on the uplinks: the receive sockets get only what it
  // passes up, each datagram alone (no UDP_GRO: merged bursts would reach from_wan as runs, which
  // it passes up whole) and with its stamp (SO_RCVMARK), which the rx thread reports as drained.
  bool behindKernelTier = false;
};

struct WanGroup {
  uint32_t address = 0;  // network byte order
  sockaddr_in destination{};
  int recvFd = -1;
  std::atomic<uint64_t> datagrams{0};  // received on this group, whatever became of them
  uint32_t lastOverflow = 0;           // SO_RXQ_OVFL value last seen (receive thread)
  uint32_t droppedReads = 0;           // reads the kernel dropped, datagrams not yet known (receive thread)
  // Engine-owned state that outlives socket sets (a reload continues the sequence and keeps
  // duplicate windows): set by the engine when it adopts the set.
  uint32_t* seq = nullptr;
  // The group's row in the kernel tier's gb_drained (GB_KP_DRAIN_CPUS words, 8 bytes apart), or
  // null; what of the stamps read is written (receive thread).
  uint32_t* drained = nullptr;
  DrainStamps stamps;
  SenderTable* senders = nullptr;
  RgooseGroupState* rgoose = nullptr;
};

struct WanPath {
  uint32_t address = 0;  // network byte order: datagrams from it are our own
  int ifindex = 0;
  int sendFd = -1;
  // Runs go out as UDP GSO sends until the stack refuses one while single datagrams pass (an
  // IPsec route, a kernel without UDP GSO, a packet-length firewall rule). Tx thread only.
  bool segmentOffload = true;
};

struct WanSet {
  WanOptions options;
  std::vector<WanPath> paths;
  std::vector<std::unique_ptr<WanGroup>> groups;
  bool IsOwnAddress(uint32_t a) const {
    for (const WanPath& p : paths)
      if (p.address == a) return true;
    return false;
  }
  // The path a datagram that arrived on `ifindex` came by (0 when unknown).
  unsigned PathOf(int ifindex) const {
    for (size_t i = 0; i < paths.size(); i++)
      if (paths[i].ifindex == ifindex) return static_cast<unsigned>(i);
    return 0;
  }
  ~WanSet();
};

// Opens every socket; on failure closes what it opened and describes why.
std::unique_ptr<WanSet> OpenWanSet(const WanOptions& o, OpenFailure* f);

// Membership on a group's receive socket, on every path: drop + add (the kernel sends a Leave
// and a report), or add only (repairs a membership that went missing; EADDRINUSE = still a
// member). 0 or the first errno.
int RejoinGroup(const WanGroup& g, const WanOptions& o);
int EnsureMembership(const WanGroup& g, const WanOptions& o);

}  // namespace gb
