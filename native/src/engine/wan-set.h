// The UDP side of the engine: one send socket on the uplink and, per joined group, a receive
// socket bound to the group address. Opened completely (or not at all) before the engine
// switches to it, so a reload that cannot be applied never touches the running sockets.
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../openers.h"

namespace gb {

class SenderTable;
struct RgooseGroupState;

struct WanOptions {
  std::vector<std::string> groups;
  std::vector<bool> join;
  uint16_t port = 0;
  std::string uplinkAddress;
  int uplinkIfindex = 0;
  int ttl = 32;
  int socketBufferBytes = 4 << 20;
};

struct WanGroup {
  uint32_t address = 0;  // network byte order
  sockaddr_in destination{};
  int recvFd = -1;
  std::atomic<uint64_t> datagrams{0};  // received on this group, whatever became of them
  uint32_t lastOverflow = 0;           // SO_RXQ_OVFL value last seen (receive thread)
  // Engine-owned state that outlives socket sets (a reload continues the sequence and keeps
  // duplicate windows): set by the engine when it adopts the set.
  uint32_t* seq = nullptr;
  SenderTable* senders = nullptr;
  RgooseGroupState* rgoose = nullptr;
};

struct WanSet {
  WanOptions options;
  uint32_t uplinkAddress = 0;  // network byte order: datagrams from it are our own
  int sendFd = -1;
  // Runs go out as UDP GSO sends until the stack refuses one while single datagrams pass (an
  // IPsec route, a kernel without UDP GSO, a packet-length firewall rule). Tx thread only.
  bool segmentOffload = true;
  std::vector<std::unique_ptr<WanGroup>> groups;
  ~WanSet();
};

// Opens every socket; on failure closes what it opened and describes why.
std::unique_ptr<WanSet> OpenWanSet(const WanOptions& o, OpenFailure* f);

// Membership on a group's receive socket: drop + add (the kernel sends a Leave and a report),
// or add only (repairs a membership that went missing; EADDRINUSE = still a member). 0 or errno.
int RejoinGroup(const WanGroup& g, const WanOptions& o);
int EnsureMembership(const WanGroup& g, const WanOptions& o);

}  // namespace gb
