-- Wireshark/tshark dissector for goose-bridge's GB1 encapsulation (UDP, port 61850 by default).
--
--   0  2  'G' 'B'            magic
--   2  1  version = 1
--   3  1  flags (reserved: sent 0, ignored on receive)
--   4  8  sender id          random per daemon start
--  12  4  sequence number    per sender and multicast group, big-endian, wraps at 2^32
--  16  …  the original Ethernet frame, no FCS (handed to the Ethernet dissector, so GOOSE/SV
--         fields show: goose.stNum, sv.smpCnt, …)
--
-- Use:  tshark -X lua_script:deploy/wireshark/gb1.lua -r uplink.pcap
--       or copy it to ~/.local/lib/wireshark/plugins/ (Wireshark ≥ 3.6).
-- Display filters: gb1, gb1.sender == 0x…, gb1.seq, and every field of the carried frame.
-- Another port: Edit › Preferences › Protocols › GB1 (or -o gb1.udp_port:N). GB1 on any other
-- UDP port is also found by a heuristic (magic and version), enabled by default.

local gb1 = Proto("gb1", "goose-bridge GB1 encapsulation")

local HEADER = 16
local MIN_INNER_FRAME = 14 + 8 -- Ethernet header + IEC header: the bridge drops anything shorter

local f = gb1.fields
f.magic = ProtoField.string("gb1.magic", "Magic")
f.version = ProtoField.uint8("gb1.version", "Version", base.DEC)
f.flags = ProtoField.uint8("gb1.flags", "Flags", base.HEX)
f.sender = ProtoField.uint64("gb1.sender", "Sender ID", base.HEX)
f.seq = ProtoField.uint32("gb1.seq", "Sequence number", base.DEC)
f.frame_len = ProtoField.uint32("gb1.frame_len", "Carried frame length", base.DEC)

local e_short = ProtoExpert.new("gb1.short", "Carried frame shorter than Ethernet + IEC 61850 header (the bridge drops it as bad-length)", expert.group.MALFORMED, expert.severity.ERROR)
local e_flags = ProtoExpert.new("gb1.flags.set", "Reserved flags set (a later GB1 version?)", expert.group.PROTOCOL, expert.severity.NOTE)
gb1.experts = { e_short, e_flags }

gb1.prefs.udp_port = Pref.uint("UDP port", 61850, "UDP port of GB1 datagrams (multicast_port)")

local eth = Dissector.get("eth_withoutfcs")

local function is_gb1(tvb)
  return tvb:len() >= HEADER and tvb(0, 1):uint() == 0x47 and tvb(1, 1):uint() == 0x42 and tvb(2, 1):uint() == 1
end

function gb1.dissector(tvb, pinfo, tree)
  if not is_gb1(tvb) then return 0 end
  local t = tree:add(gb1, tvb(0, HEADER))
  t:add(f.magic, tvb(0, 2))
  t:add(f.version, tvb(2, 1))
  local flags = t:add(f.flags, tvb(3, 1))
  if tvb(3, 1):uint() ~= 0 then flags:add_proto_expert_info(e_flags) end
  t:add(f.sender, tvb(4, 8))
  t:add(f.seq, tvb(12, 4))
  local inner = tvb:len() - HEADER
  local len_item = t:add(f.frame_len, inner):set_generated()
  t:append_text(string.format(", Sender: %s, Seq: %u", tvb(4, 8):bytes():tohex(), tvb(12, 4):uint()))
  if inner < MIN_INNER_FRAME then
    len_item:add_proto_expert_info(e_short)
  end
  if inner >= 14 then
    -- a malformed carried frame raises out of the call: the Ethernet/GOOSE dissectors have
    -- already marked it, and the GB1 header stays shown
    pcall(Dissector.call, eth, tvb(HEADER):tvb(), pinfo, tree)
  end
  -- after the carried frame's dissectors, so the columns say it arrived over GB1
  pinfo.cols.protocol:prepend("GB1/")
  pinfo.cols.info:prepend(string.format("GB1 seq %u ", tvb(12, 4):uint()))
  return tvb:len()
end

local registered_port = nil
local function register_port()
  local udp = DissectorTable.get("udp.port")
  if registered_port ~= nil then udp:remove(registered_port, gb1) end
  registered_port = gb1.prefs.udp_port
  udp:add(registered_port, gb1)
end
register_port()
function gb1.prefs_changed() register_port() end

gb1:register_heuristic("udp", function(tvb, pinfo, tree)
  if not is_gb1(tvb) or tvb:len() < HEADER + MIN_INNER_FRAME then return false end
  gb1.dissector(tvb, pinfo, tree)
  return true
end)
