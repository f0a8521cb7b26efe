// IGMPv2 membership report / leave sent on a raw socket, exactly as a host's kernel would:
// IP Router Alert option, TTL 1, TOS 0xc0 (internetwork control). Re-asserting membership
// this way needs no Leave, so a snooping querier with fast leave never prunes the port (a drop +
// add membership would send one: docs/igmp.md has the measured loss).
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "openers.h"

namespace gb {

static uint16_t InetChecksum(const uint8_t* p, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2) sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
  if (n & 1) sum += static_cast<uint32_t>(p[n - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// sendIgmpV2(ifname: string, group: string, type: number /* 0x16 report, 0x17 leave */)
Napi::Value SendIgmpV2(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsString() || !info[2].IsNumber()) {
    throw Napi::TypeError::New(env, "sendIgmpV2(ifname, group, type)");
  }
  std::string ifname = info[0].As<Napi::String>();
  std::string groupText = info[1].As<Napi::String>();
  uint8_t type = static_cast<uint8_t>(info[2].As<Napi::Number>().Uint32Value());

  in_addr group{};
  if (inet_pton(AF_INET, groupText.c_str(), &group) != 1 || (ntohl(group.s_addr) >> 28) != 0xe) {
    throw CodedError(env, "GB_ERR_IGMP", "group '" + groupText + "' is not an IPv4 multicast address (224.0.0.0/4)");
  }
  unsigned idx = ifname.size() < IFNAMSIZ ? if_nametoindex(ifname.c_str()) : 0;
  if (idx == 0) throw CodedError(env, "GB_ERR_NO_INTERFACE", "interface '" + ifname + "' does not exist");

  int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IGMP);
  if (fd < 0) {
    int err = errno;
    throw CodedError(env, err == EPERM || err == EACCES ? "GB_ERR_PERMISSION" : "GB_ERR_IGMP",
                     "opening a raw IGMP socket (needs CAP_NET_RAW)", err);
  }
  auto fail = [&](const std::string& what) {
    int err = errno;
    close(fd);
    return CodedError(env, err == EPERM || err == EACCES ? "GB_ERR_PERMISSION" : "GB_ERR_IGMP",
                      what + " for the IGMP report on '" + ifname + "'", err);
  };
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(), static_cast<socklen_t>(ifname.size())) < 0) throw fail("SO_BINDTODEVICE");
  ip_mreqn mreq{};
  mreq.imr_ifindex = static_cast<int>(idx);
  if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof mreq) < 0) throw fail("IP_MULTICAST_IF");
  int ttl = 1;
  if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) < 0) throw fail("IP_MULTICAST_TTL");
  if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) < 0) throw fail("IP_TTL");
  int loop = 0;
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop);
  int tos = 0xc0;
  if (setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof tos) < 0) throw fail("IP_TOS");
  const uint8_t routerAlert[4] = {0x94, 0x04, 0x00, 0x00};  // RFC 2113
  if (setsockopt(fd, IPPROTO_IP, IP_OPTIONS, routerAlert, sizeof routerAlert) < 0) throw fail("IP_OPTIONS (Router Alert)");

  uint8_t msg[8] = {type, 0, 0, 0};
  memcpy(msg + 4, &group.s_addr, 4);
  uint16_t sum = InetChecksum(msg, sizeof msg);
  msg[2] = sum >> 8;
  msg[3] = sum & 0xff;

  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  // A Leave goes to all-routers (RFC 2236 §3); a report to the group itself.
  dst.sin_addr.s_addr = type == 0x17 ? htonl(0xe0000002) : group.s_addr;
  ssize_t n = sendto(fd, msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
  if (n < 0) throw fail("sendto");
  close(fd);
  return env.Undefined();
}

}  // namespace gb
