// Classic libpcap capture files (pcap-savefile(5)) holding GSMTAP over UDP/IPv4/Ethernet, the form a
// SIMtrace2 capture on a network interface takes, so Wireshark, tshark and pySim-trace open it as is.
// Little-endian, microsecond timestamps, link type 1 (Ethernet). Addresses: 127.0.0.1 to 127.0.0.1,
// MACs zero, UDP to port 4729 (GSMTAP).

import { closeSync, openSync, writeSync } from 'node:fs';
import { type Bytes, concat } from '../../card-os/bytes.js';
import { GSMTAP_SIM_APDU, GSMTAP_SIM_ATR, GSMTAP_UDP_PORT, gsmtapHeader, simApduPayload } from './gsmtap.js';
import type { TraceSink } from './recorder.js';

const PCAP_MAGIC_US = 0xa1b2c3d4;
const LINKTYPE_ETHERNET = 1;
const SNAPLEN = 262144;
const ETH_LEN = 14;
const IP_LEN = 20;
const UDP_LEN = 8;
/** Source port of our GSMTAP packets (any port works; the dissector keys on 4729). */
const SOURCE_PORT = 4729;
const LOOPBACK = 0x7f000001;

/** The 24-byte file header. */
export function pcapFileHeader(): Bytes {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setUint32(0, PCAP_MAGIC_US, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  // 8 thiszone, 12 sigfigs: 0.
  v.setUint32(16, SNAPLEN, true);
  v.setUint32(20, LINKTYPE_ETHERNET, true);
  return b;
}

/** RFC 791 header checksum: one's complement of the one's complement sum of the 16-bit words. */
export function ipChecksum(b: Bytes, off: number, len: number): number {
  let sum = 0;
  for (let i = 0; i < len; i += 2) sum += (b[off + i]! << 8) | b[off + i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * One pcap record holding an Ethernet + IPv4 frame (127.0.0.1 both ways) with `l4Len` bytes of transport
 * protocol `protocol` (6 TCP, 17 UDP) after the IP header, for the caller to fill from `l4`.
 * `timeMs` is the capture time in milliseconds since the epoch (fractions kept to the microsecond).
 */
export function pcapIpv4Record(
  timeMs: number,
  protocol: number,
  id: number,
  l4Len: number,
): { out: Uint8Array; view: DataView; l4: number } {
  const ipLen = IP_LEN + l4Len;
  const frameLen = ETH_LEN + ipLen;
  const out = new Uint8Array(16 + frameLen);
  const v = new DataView(out.buffer);
  const us = Math.round(timeMs * 1000);
  v.setUint32(0, Math.floor(us / 1e6), true);
  v.setUint32(4, us % 1e6, true);
  v.setUint32(8, frameLen, true);
  v.setUint32(12, frameLen, true);
  // Ethernet II: destination and source MAC zero, EtherType IPv4.
  const ip = 16 + ETH_LEN;
  v.setUint16(16 + 12, 0x0800);
  // IPv4: version 4, IHL 5, total length, don't fragment, TTL 64, loopback addresses.
  out[ip] = 0x45;
  v.setUint16(ip + 2, ipLen);
  v.setUint16(ip + 4, id & 0xffff);
  v.setUint16(ip + 6, 0x4000);
  out[ip + 8] = 64;
  out[ip + 9] = protocol;
  v.setUint32(ip + 12, LOOPBACK);
  v.setUint32(ip + 16, LOOPBACK);
  v.setUint16(ip + 10, ipChecksum(out, ip, IP_LEN));
  return { out, view: v, l4: ip + IP_LEN };
}

/** One pcap record: record header + Ethernet + IPv4 + UDP + GSMTAP header + payload. */
export function pcapGsmtapRecord(timeMs: number, subType: number, frame: number, payload: Bytes): Bytes {
  const udpLen = UDP_LEN + 16 + payload.length;
  const { out, view: v, l4 } = pcapIpv4Record(timeMs, 17, frame, udpLen);
  let o = l4;
  // UDP, checksum 0 = not computed (allowed over IPv4, RFC 768).
  v.setUint16(o, SOURCE_PORT);
  v.setUint16(o + 2, GSMTAP_UDP_PORT);
  v.setUint16(o + 4, udpLen);
  o += UDP_LEN;
  out.set(gsmtapHeader(subType, frame), o);
  out.set(payload, o + 16);
  return out;
}

/**
 * Writes the trace as a pcap of GSMTAP SIM packets: one APDU packet per exchange and an ATR packet per
 * reset, with the trace event number as GSMTAP frame number (0 for the ATR the trace started with).
 * Notes and ignore rules have no place in a pcap; masked bytes are MASK_BYTE ('*').
 */
export function pcapFileSink(path: string): TraceSink {
  let fd: number | undefined;
  let started = 0;
  const put = (b: Bytes) => {
    if (fd !== undefined && b.length) writeSync(fd, b);
  };
  return {
    begin(h) {
      fd = openSync(path, 'w');
      started = h.started;
      put(pcapFileHeader());
      if (h.atr) put(pcapGsmtapRecord(started, GSMTAP_SIM_ATR, 0, h.atr));
    },
    write(batch) {
      const parts: Bytes[] = [];
      for (const e of batch) {
        if (e.kind === 'exchange')
          parts.push(
            pcapGsmtapRecord(started + e.t, GSMTAP_SIM_APDU, e.i, simApduPayload(e.command, e.response)),
          );
        else if (e.kind === 'reset') parts.push(pcapGsmtapRecord(started + e.t, GSMTAP_SIM_ATR, e.i, e.atr));
      }
      put(concat(...parts));
    },
    rule() {},
    end() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
