#include "wan-set.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <netinet/udp.h>
#include <unistd.h>

namespace gb {

namespace {

bool Fail(OpenFailure* f, const std::string& message, int err) {
  f->code = "GB_ERR_SOCKET";
  f->message = message;
  f->err = err;
  return false;
}

ip_mreqn Membership(uint32_t group, const WanOptions& o) {
  ip_mreqn m{};
  m.imr_multiaddr.s_addr = group;
  inet_pton(AF_INET, o.uplinkAddress.c_str(), &m.imr_address);
  m.imr_ifindex = o.uplinkIfindex;
  return m;
}

void SetBuffer(int fd, int force, int plain, int bytes) {
  if (setsockopt(fd, SOL_SOCKET, force, &bytes, sizeof bytes) < 0) setsockopt(fd, SOL_SOCKET, plain, &bytes, sizeof bytes);
}

bool OpenSend(WanSet* w, const WanOptions& o, OpenFailure* f) {
  const std::string what = "send socket via " + o.uplinkAddress;
  w->sendFd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (w->sendFd < 0) return Fail(f, what, errno);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  if (inet_pton(AF_INET, o.uplinkAddress.c_str(), &local.sin_addr) != 1) return Fail(f, what + ": not an IPv4 address", 0);
  w->uplinkAddress = local.sin_addr.s_addr;
  if (bind(w->sendFd, reinterpret_cast<sockaddr*>(&local), sizeof local) < 0) return Fail(f, what + ": bind", errno);
  ip_mreqn m = Membership(0, o);
  if (setsockopt(w->sendFd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof m) < 0) return Fail(f, what + ": IP_MULTICAST_IF", errno);
  int ttl = o.ttl, off = 0, pmtu = IP_PMTUDISC_DO;
  if (setsockopt(w->sendFd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) < 0) return Fail(f, what + ": IP_MULTICAST_TTL", errno);
  // Our own datagrams must not come back into the L2 side; the sender-id check is the second line.
  setsockopt(w->sendFd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof off);
  // A Transit Gateway discards fragments: the kernel must refuse, never fragment.
  setsockopt(w->sendFd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
  SetBuffer(w->sendFd, SO_SNDBUFFORCE, SO_SNDBUF, o.socketBufferBytes);
  return true;
}

bool OpenReceive(WanGroup* g, const WanOptions& o, const std::string& name, OpenFailure* f) {
  const std::string what = "multicast " + name + ":" + std::to_string(o.port) + " via " + o.uplinkAddress;
  g->recvFd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (g->recvFd < 0) return Fail(f, what, errno);
  int one = 1;
  setsockopt(g->recvFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // Reports the kernel's running count of datagrams dropped for a full receive buffer.
  setsockopt(g->recvFd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
  // A run of datagrams sent with UDP GSO (or merged by the NIC's GRO) arrives as one read;
  // the rx thread cuts it at the segment size. Without kernel support each arrives alone.
  setsockopt(g->recvFd, SOL_UDP, UDP_GRO, &one, sizeof one);
  SetBuffer(g->recvFd, SO_RCVBUFFORCE, SO_RCVBUF, o.socketBufferBytes);
  // Bound to the group address: this socket sees only its group, whatever else the host joined.
  sockaddr_in a = g->destination;
  if (bind(g->recvFd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) return Fail(f, what + ": bind", errno);
  ip_mreqn m = Membership(g->address, o);
  if (setsockopt(g->recvFd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) < 0) return Fail(f, what + ": join", errno);
  return true;
}

}  // namespace

WanSet::~WanSet() {
  if (sendFd >= 0) close(sendFd);
  for (auto& g : groups)
    if (g->recvFd >= 0) close(g->recvFd);  // closing leaves the group
}

std::unique_ptr<WanSet> OpenWanSet(const WanOptions& o, OpenFailure* f) {
  auto w = std::make_unique<WanSet>();
  w->options = o;
  if (!OpenSend(w.get(), o, f)) return nullptr;
  for (size_t i = 0; i < o.groups.size(); i++) {
    auto g = std::make_unique<WanGroup>();
    if (inet_pton(AF_INET, o.groups[i].c_str(), &g->address) != 1) {
      Fail(f, "group '" + o.groups[i] + "' is not an IPv4 address", 0);
      return nullptr;
    }
    g->destination.sin_family = AF_INET;
    g->destination.sin_port = htons(o.port);
    g->destination.sin_addr.s_addr = g->address;
    if (i < o.join.size() && o.join[i] && !OpenReceive(g.get(), o, o.groups[i], f)) return nullptr;
    w->groups.push_back(std::move(g));
  }
  return w;
}

int RejoinGroup(const WanGroup& g, const WanOptions& o) {
  if (g.recvFd < 0) return 0;
  ip_mreqn m = Membership(g.address, o);
  setsockopt(g.recvFd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof m);
  return setsockopt(g.recvFd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) < 0 ? errno : 0;
}

int EnsureMembership(const WanGroup& g, const WanOptions& o) {
  if (g.recvFd < 0) return 0;
  ip_mreqn m = Membership(g.address, o);
  if (setsockopt(g.recvFd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) < 0 && errno != EADDRINUSE) return errno;
  return 0;
}

}  // namespace gb
