#!/bin/sh
# Prints 1 when libbpf's headers and library are installed (libbpf-dev), else 0: binding.gyp builds
# the kernel tier's addons only then, and the bridge runs in user mode without them.
[ -f /usr/include/bpf/libbpf.h ] || { echo 0; exit 0; }
for lib in /usr/lib/libbpf.so /usr/lib64/libbpf.so /usr/lib/*/libbpf.so; do
  [ -e "$lib" ] && { echo 1; exit 0; }
done
echo 0
