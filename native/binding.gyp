{
  "variables": {
    "goose_bpf%": "<!(sh bpf/probe.sh)"
  },
  "targets": [
    {
      "target_name": "goose_native",
      "sources": [
        "src/addon.cc",
        "src/frame-endpoint.cc",
        "src/paced-send.cc",
        "src/tap-open.cc",
        "src/packet-socket-open.cc",
        "src/igmp-report.cc",
        "src/l2-receive.cc",
        "src/engine/frame-filter.cc",
        "src/engine/sender-table.cc",
        "src/engine/wan-set.cc",
        "src/engine/site-peers.cc",
        "src/engine/shared-delivered.cc",
        "src/engine/engine-redundancy.cc",
        "src/engine/forwarding-engine.cc",
        "src/engine/engine-napi.cc",
        "src/engine/engine-decide.cc",
        "src/engine/engine-threads.cc",
        "src/engine/io-ring.cc",
        "src/engine/tap-batch.cc",
        "src/engine/rgoose-path.cc",
        "src/engine/rgoose-state.cc",
        "src/rgoose/rgoose-codec.cc",
        "src/rgoose/rgoose-crypto.cc",
        "src/rgoose/replay-window.cc",
        "src/rgoose/replay-table.cc",
        "src/rgoose/replay-guard.cc",
        "src/rgoose/rgoose-napi.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fexceptions"]
    }
  ],
  "conditions": [
    ["goose_bpf==1", {
      "targets": [
        {
          "target_name": "goose_bpf",
          "sources": ["src/kernel/bpf-object.cc", "src/kernel/bpf-napi.cc"],
          "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
          "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
          "libraries": ["-lbpf"],
          "cflags!": ["-fno-exceptions"],
          "cflags_cc!": ["-fno-exceptions"],
          "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers", "-fexceptions"],
          "actions": [
            {
              "action_name": "gb1_tc_bpf_object",
              "inputs": ["bpf/build.sh", "bpf/gb1-tc.bpf.c", "bpf/gb1-maps.h", "bpf/gb1-order.h", "bpf/gb1-kernel.h", "bpf/counter-ids.cc", "src/engine/engine-tables.h"],
              "outputs": ["build/bpf/gb1-tc.bpf.o"],
              "action": ["sh", "bpf/build.sh"],
              "message": "BPF gb1-tc.bpf.o"
            }
          ]
        },
        {
          "target_name": "goose_tc",
          "sources": ["src/kernel/tc-attach.cc"],
          "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
          "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
          "libraries": ["-lbpf"],
          "cflags!": ["-fno-exceptions"],
          "cflags_cc!": ["-fno-exceptions"],
          "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers", "-fexceptions"]
        }
      ]
    }]
  ]
}
