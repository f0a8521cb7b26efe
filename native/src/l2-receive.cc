#include "l2-receive.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

namespace gb {

ssize_t ReceiveFrame(int fd, bool packetSocket, bool includeOutgoing, uint8_t* dst, size_t cap, size_t* start,
                     ReceiveNote* note) {
  *note = ReceiveNote::kNone;
  if (!packetSocket) {
    // A TAP read returns the frame exactly as the stack sent it, VLAN tag in place.
    ssize_t n = read(fd, dst, cap);
    if (n < 0) return -errno;
    *start = 0;
    return n;
  }
  // Receive 4 bytes into the buffer so a stripped tag can be put back without a copy.
  iovec iov{dst + 4, cap - 4};
  sockaddr_ll from{};
  union {
    cmsghdr hdr;
    char buf[CMSG_SPACE(sizeof(tpacket_auxdata))];
  } ctl;
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = &ctl;
  msg.msg_controllen = sizeof ctl;
  ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
  if (n < 0) return -errno;
  if (from.sll_pkttype == PACKET_OUTGOING && !includeOutgoing) {
    *note = ReceiveNote::kOutgoing;
    return 0;
  }
  if (static_cast<size_t>(n) > iov.iov_len) {
    *note = ReceiveNote::kTruncated;
    return 0;
  }
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA) continue;
    if (c->cmsg_len < CMSG_LEN(sizeof(tpacket_auxdata))) continue;
    tpacket_auxdata aux;
    memcpy(&aux, CMSG_DATA(c), sizeof aux);
    // Same test as libpcap: a TCI of 0 is a real (priority) tag only when flagged valid.
    bool tagged = (aux.tp_status & TP_STATUS_VLAN_VALID) || aux.tp_vlan_tci != 0;
    if (tagged && n >= 12) {
      uint16_t tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux.tp_vlan_tpid : ETH_P_8021Q;
      memmove(dst, dst + 4, 12);
      dst[12] = tpid >> 8;
      dst[13] = tpid & 0xff;
      dst[14] = aux.tp_vlan_tci >> 8;
      dst[15] = aux.tp_vlan_tci & 0xff;
      *note = ReceiveNote::kVlanRestored;
      *start = 0;
      return n + 4;
    }
  }
  *start = 4;
  return n;
}

}  // namespace gb
