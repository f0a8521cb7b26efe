#!/usr/bin/env bash
# Installs from Debian what goose-bridge's tests and suites need, when missing. Idempotent: a
# quick no-op when everything is present. Called by .ci/run and the README's set-up.
#   ip, bridge (iproute2)   namespaces, veth, the Linux bridge standing in for the TGW, VXLAN
#   nft (nftables)          loss injection, security-group emulation, the stand-in's guard
#   tshark                  Wireshark as codec oracle (wireshark-common preseeded: no setuid prompt)
#   tcpdump                 capture interoperability tests
#   ethtool                 uplinks without UDP segmentation offload (a NIC that cuts GSO runs)
#   libpcap-dev             pcap headers (native builds that want them)
#   ps, sysctl (procps)     process and kernel settings
#   g++, make, python3      node-gyp builds the native addon
#   clang                   compiles the kernel data path's tc programs (native/bpf/) to BPF
#   libbpf-dev              libbpf headers and library: the BPF programs' helpers, the goose_bpf loader
#   llvm                    llvm-objdump, to read the BPF object's instructions when the verifier refuses one
#
# --optional (used by `npm test` and the suites' npm scripts): when nothing can be installed (not
# root, no sudo), say so in one line and go on; the tests that need a missing tool skip.
set -euo pipefail

optional=false
[[ "${1:-}" == "--optional" ]] && optional=true

# command-to-check:debian-package (a "-" command means: check the package's status instead)
REQUIRED=(
  "ip:iproute2"
  "bridge:iproute2"
  "nft:nftables"
  "tshark:tshark"
  "tcpdump:tcpdump"
  "ethtool:ethtool"
  "-:libpcap-dev"
  "ps:procps"
  "sysctl:procps"
  "g++:g++"
  "make:make"
  "python3:python3"
  "clang:clang"
  "-:libbpf-dev"
  "llvm-objdump:llvm"
)

missing=()
for entry in "${REQUIRED[@]}"; do
  cmd="${entry%%:*}"
  pkg="${entry#*:}"
  if [[ "$cmd" == "-" ]]; then
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  else
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-system-deps: all present"
  exit 0
fi

# Unique package names, in order.
mapfile -t pkgs < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++')
echo "install-system-deps: installing ${pkgs[*]}"

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-system-deps: need root (or sudo) to install: ${pkgs[*]}" >&2
    $optional && exit 0
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
# tshark's package asks whether non-root users may capture: answer no, never prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
echo "install-system-deps: done"
