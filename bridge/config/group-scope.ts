// Which multicast groups can carry the bridge's traffic. 224.0.0.0/24 is the local network
// control block (RFC 5771): routers never forward it, so a Transit Gateway would not carry a
// group there and the bridge would silently reach no other host. Pure.

/** Why `ip` cannot be a bridge group, or null when it can (the caller has checked it is multicast). */
export function unroutableGroupReason(ip: string): string | null {
  return ip.startsWith('224.0.0.') ? `${ip} is link-local (224.0.0.0/24 is never routed); use a group from 224.0.1.0 to 239.255.255.255` : null;
}
