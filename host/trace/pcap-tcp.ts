// A pcap of TCP streams written by the endpoint itself (no capture privileges needed): each connection
// gets a synthetic three-way handshake, then one segment per chunk of bytes sent either way, with sequence
// and acknowledgement numbers kept per direction, so tshark follows the stream and its dissectors (SMPP
// here, `-d tcp.port==N,smpp`) decode the PDUs. IPv4 127.0.0.1 both ways, Ethernet link type, TCP checksum
// left 0 (tshark does not verify it by default).

import { closeSync, openSync, writeSync } from 'node:fs';
import type { Bytes } from '../../card-os/bytes.js';
import { MASK_BYTE } from './model.js';
import { pcapFileHeader, pcapIpv4Record } from './pcap.js';

const TCP_LEN = 20;
/** Largest payload per segment (keeps the IPv4 total length far below 65535). */
const MAX_SEGMENT = 16384;

const FIN = 0x01;
const SYN = 0x02;
const PSH = 0x08;
const ACK = 0x10;

function record(
  timeMs: number,
  src: number,
  dst: number,
  seq: number,
  ack: number,
  flags: number,
  data: Bytes,
  id: number,
): Bytes {
  const { out, view: v, l4: o } = pcapIpv4Record(timeMs, 6, id, TCP_LEN + data.length);
  v.setUint16(o, src);
  v.setUint16(o + 2, dst);
  v.setUint32(o + 4, seq >>> 0);
  v.setUint32(o + 8, ack >>> 0);
  out[o + 12] = (TCP_LEN / 4) << 4;
  out[o + 13] = flags;
  v.setUint16(o + 14, 65535);
  out.set(data, o + TCP_LEN);
  return out;
}

export interface TcpStreamRecorder {
  /** Bytes that `fromServer` (true) or the client sent. */
  data(bytes: Bytes, fromServer: boolean): void;
  /** The connection closed (a FIN each way). */
  close(): void;
}

export class PcapTcpWriter {
  private fd: number | undefined;
  private id = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
    writeSync(this.fd, pcapFileHeader());
  }

  private put(b: Bytes): void {
    if (this.fd !== undefined) writeSync(this.fd, b);
  }

  /** A new connection between `clientPort` and `serverPort`, handshake written now. */
  stream(clientPort: number, serverPort: number): TcpStreamRecorder {
    let cSeq = 1000;
    let sSeq = 5000;
    const now = () => Date.now();
    this.put(record(now(), clientPort, serverPort, cSeq, 0, SYN, new Uint8Array(0), this.id++));
    this.put(record(now(), serverPort, clientPort, sSeq, cSeq + 1, SYN | ACK, new Uint8Array(0), this.id++));
    cSeq++;
    sSeq++;
    this.put(record(now(), clientPort, serverPort, cSeq, sSeq, ACK, new Uint8Array(0), this.id++));
    let closed = false;
    return {
      data: (bytes, fromServer) => {
        if (closed) return;
        for (let o = 0; o < bytes.length; o += MAX_SEGMENT) {
          const chunk = bytes.subarray(o, o + MAX_SEGMENT);
          if (fromServer) {
            this.put(record(now(), serverPort, clientPort, sSeq, cSeq, PSH | ACK, chunk, this.id++));
            sSeq += chunk.length;
          } else {
            this.put(record(now(), clientPort, serverPort, cSeq, sSeq, PSH | ACK, chunk, this.id++));
            cSeq += chunk.length;
          }
        }
      },
      close: () => {
        if (closed) return;
        closed = true;
        this.put(record(now(), serverPort, clientPort, sSeq, cSeq, FIN | ACK, new Uint8Array(0), this.id++));
        this.put(
          record(now(), clientPort, serverPort, cSeq, sSeq + 1, FIN | ACK, new Uint8Array(0), this.id++),
        );
        this.put(
          record(now(), serverPort, clientPort, sSeq + 1, cSeq + 1, ACK, new Uint8Array(0), this.id++),
        );
      },
    };
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * The SMPP PDU as a capture may hold it: the password of a bind (SMPP v3.4 §4.1, the second C-Octet String
 * of the body) replaced by MASK_BYTE octets of the same length, so the PDU still decodes and no capture file
 * holds the credential. Other PDUs are returned as they are.
 */
export function maskSmppSecrets(pdu: Bytes): Bytes {
  if (pdu.length < 17) return pdu;
  const id = new DataView(pdu.buffer, pdu.byteOffset, pdu.byteLength).getUint32(4);
  if (id !== 1 && id !== 2 && id !== 9) return pdu; // bind_receiver, bind_transmitter, bind_transceiver
  const idEnd = pdu.indexOf(0, 16);
  const pwEnd = idEnd < 0 ? -1 : pdu.indexOf(0, idEnd + 1);
  if (pwEnd < 0) return pdu;
  const out = pdu.slice();
  out.fill(MASK_BYTE, idEnd + 1, pwEnd);
  return out;
}
