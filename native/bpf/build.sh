#!/bin/sh
# Compiles the kernel tier (gb1-tc.bpf.c) into native/build/bpf/gb1-tc.bpf.o at install time
# (npm ci / npm run prepare, through binding.gyp). Without clang or the libbpf headers it says so
# in one line and builds nothing: the bridge then runs its user-space tier only.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../build/bpf"
if ! command -v clang >/dev/null 2>&1 || [ ! -f /usr/include/bpf/bpf_helpers.h ]; then
  echo "goose-bridge: kernel data path not built (needs clang and libbpf-dev: scripts/install-system-deps.sh)" >&2
  exit 0
fi
mkdir -p "$out"
# The engine's counter ids, from its X-macro tables, as a C header.
${CXX:-c++} -std=c++17 -o "$out/counter-ids" "$here/counter-ids.cc"
"$out/counter-ids" >"$out/counter-ids.h.tmp" && mv "$out/counter-ids.h.tmp" "$out/counter-ids.h"
# Debian keeps asm/ under the multiarch directory; the BPF target does not look there by itself.
multiarch=$(${CC:-cc} -print-multiarch 2>/dev/null || true)
clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror \
  ${multiarch:+-I/usr/include/$multiarch} -I"$out" -I"$here" \
  -c "$here/gb1-tc.bpf.c" -o "$out/gb1-tc.bpf.o"
