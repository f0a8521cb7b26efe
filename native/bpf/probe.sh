#!/bin/sh
# binding.gyp asks whether the kernel tier can be built here: prints 1 (clang, the libbpf headers
# and library present) or 0, with one line on stderr saying what is missing.
lib=no
for f in /usr/lib/*/libbpf.so /usr/lib/libbpf.so /usr/lib64/libbpf.so; do [ -e "$f" ] && lib=yes; done
if command -v clang >/dev/null 2>&1 && [ -f /usr/include/bpf/libbpf.h ] && [ -f /usr/include/bpf/bpf_helpers.h ] && [ "$lib" = yes ]; then
  echo 1
else
  echo "goose-bridge: kernel data path not built (needs clang and libbpf-dev: scripts/install-system-deps.sh): the bridge runs its user-space data path only" >&2
  echo 0
fi
