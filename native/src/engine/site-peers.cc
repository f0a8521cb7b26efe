#include "site-peers.h"

namespace gb {

void SitePeers::Heard(uint64_t sender, uint32_t address, bool leaving, bool ready, int64_t nowUs) {
  size_t i = 0;
  while (i < count_ && peers_[i].sender != sender) i++;
  if (i == count_) {
    if (count_ < kCapacity) {
      count_++;
    } else {
      // Full: the peer heard from least recently (gone, or restarted under a new id) makes room.
      i = 0;
      for (size_t j = 1; j < count_; j++)
        if (peers_[j].lastUs < peers_[i].lastUs) i = j;
    }
    peers_[i] = Peer{};
    peers_[i].sender = sender;
  }
  Peer& p = peers_[i];
  p.lastUs = nowUs;
  p.left = leaving;
  p.ready = ready;
  for (uint32_t& a : p.addresses) {
    if (a == address) break;
    if (a == 0) {
      a = address;
      break;
    }
  }
}

bool SitePeers::IsPeer(uint64_t sender) const {
  for (size_t i = 0; i < count_; i++)
    if (peers_[i].sender == sender) return true;
  return false;
}

bool SitePeers::IsPeerAddress(uint32_t address) const {
  for (size_t i = 0; i < count_; i++)
    for (uint32_t a : peers_[i].addresses)
      if (a == address) return true;
  return false;
}

bool SitePeers::Writes(uint64_t own, int64_t nowUs, int64_t holdUs) const {
  for (size_t i = 0; i < count_; i++)
    if (peers_[i].sender < own && peers_[i].ready && Alive(peers_[i], nowUs, holdUs)) return false;
  return true;
}

size_t SitePeers::Live(int64_t nowUs, int64_t holdUs) const {
  size_t n = 0;
  for (size_t i = 0; i < count_; i++) n += Alive(peers_[i], nowUs, holdUs) ? 1 : 0;
  return n;
}

}  // namespace gb
