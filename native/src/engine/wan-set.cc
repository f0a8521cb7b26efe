#include "wan-set.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <netinet/udp.h>
#include <unistd.h>

#ifndef SO_RCVMARK
#define SO_RCVMARK 75  // Linux 5.19; older headers lack it
#endif

namespace gb {

namespace {

bool Fail(OpenFailure* f, const std::string& message, int err) {
  f->code = "GB_ERR_SOCKET";
  f->message = message;
  f->err = err;
  return false;
}

ip_mreqn Membership(uint32_t group, const UplinkOptions& u) {
  ip_mreqn m{};
  m.imr_multiaddr.s_addr = group;
  inet_pton(AF_INET, u.address.c_str(), &m.imr_address);
  m.imr_ifindex = u.ifindex;
  return m;
}

void SetBuffer(int fd, int force, int plain, int bytes) {
  if (setsockopt(fd, SOL_SOCKET, force, &bytes, sizeof bytes) < 0) setsockopt(fd, SOL_SOCKET, plain, &bytes, sizeof bytes);
}

bool OpenSend(WanPath* path, const UplinkOptions& u, const WanOptions& o, OpenFailure* f) {
  const std::string what = "send socket via " + u.address;
  path->sendFd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (path->sendFd < 0) return Fail(f, what, errno);
  path->ifindex = u.ifindex;
  sockaddr_in local{};
  local.sin_family = AF_INET;
  if (inet_pton(AF_INET, u.address.c_str(), &local.sin_addr) != 1) return Fail(f, what + ": not an IPv4 address", 0);
  path->address = local.sin_addr.s_addr;
  if (bind(path->sendFd, reinterpret_cast<sockaddr*>(&local), sizeof local) < 0) return Fail(f, what + ": bind", errno);
  ip_mreqn m = Membership(0, u);
  if (setsockopt(path->sendFd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof m) < 0) return Fail(f, what + ": IP_MULTICAST_IF", errno);
  int ttl = o.ttl, off = 0, pmtu = IP_PMTUDISC_DO;
  if (setsockopt(path->sendFd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) < 0) return Fail(f, what + ": IP_MULTICAST_TTL", errno);
  // Our own datagrams must not come back into the L2 side; the sender-id check is the second line.
  setsockopt(path->sendFd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof off);
  // A Transit Gateway discards fragments: the kernel must refuse, never fragment.
  setsockopt(path->sendFd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
  SetBuffer(path->sendFd, SO_SNDBUFFORCE, SO_SNDBUF, o.socketBufferBytes);
  return true;
}

bool OpenReceive(WanGroup* g, const WanOptions& o, const std::string& name, OpenFailure* f) {
  const std::string what = "multicast " + name + ":" + std::to_string(o.port) + " via " + o.uplinks[0].address;
  g->recvFd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (g->recvFd < 0) return Fail(f, what, errno);
  int one = 1;
  setsockopt(g->recvFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // Reports the kernel's running count of datagrams dropped for a full receive buffer.
  setsockopt(g->recvFd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
  if (o.behindKernelTier) {
    // The kernel tier's stamp on what it passes up (Linux 5.19+; older kernels: none, and the
    // kernel tier's time bound alone frees a sender).
    setsockopt(g->recvFd, SOL_SOCKET, SO_RCVMARK, &one, sizeof one);
  } else {
    // A run of datagrams sent with UDP GSO (or merged by the NIC's GRO) arrives as one read;
    // the rx thread cuts it at the segment size. Without kernel support each arrives alone.
    setsockopt(g->recvFd, SOL_UDP, UDP_GRO, &one, sizeof one);
  }
  // The interface a datagram came in on: its WAN path.
  setsockopt(g->recvFd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
  SetBuffer(g->recvFd, SO_RCVBUFFORCE, SO_RCVBUF, o.socketBufferBytes);
  // Bound to the group address: this socket sees only its group, whatever else the host joined.
  sockaddr_in a = g->destination;
  if (bind(g->recvFd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) return Fail(f, what + ": bind", errno);
  for (const UplinkOptions& u : o.uplinks) {
    ip_mreqn m = Membership(g->address, u);
    if (setsockopt(g->recvFd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) < 0) return Fail(f, what + ": join via " + u.address, errno);
  }
  return true;
}

}  // namespace

WanSet::~WanSet() {
  for (const WanPath& p : paths)
    if (p.sendFd >= 0) close(p.sendFd);
  for (auto& g : groups)
    if (g->recvFd >= 0) close(g->recvFd);  // closing leaves the group
}

std::unique_ptr<WanSet> OpenWanSet(const WanOptions& o, OpenFailure* f) {
  auto w = std::make_unique<WanSet>();
  w->options = o;
  if (o.uplinks.empty() || o.uplinks.size() > kMaxPaths) {
    Fail(f, "between 1 and " + std::to_string(kMaxPaths) + " uplinks (mcast_if), got " + std::to_string(o.uplinks.size()), 0);
    return nullptr;
  }
  w->paths.resize(o.uplinks.size());
  for (size_t i = 0; i < o.uplinks.size(); i++)
    if (!OpenSend(&w->paths[i], o.uplinks[i], o, f)) return nullptr;
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
  int first = 0;
  for (const UplinkOptions& u : o.uplinks) {
    ip_mreqn m = Membership(g.address, u);
    setsockopt(g.recvFd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, sizeof m);
    if (setsockopt(g.recvFd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) < 0 && first == 0) first = errno;
  }
  return first;
}

int EnsureMembership(const WanGroup& g, const WanOptions& o) {
  if (g.recvFd < 0) return 0;
  int first = 0;
  for (const UplinkOptions& u : o.uplinks) {
    ip_mreqn m = Membership(g.address, u);
    if (setsockopt(g.recvFd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) < 0 && errno != EADDRINUSE && first == 0) first = errno;
  }
  return first;
}

}  // namespace gb
