// One SMPP TCP connection, either end: frames the stream (§3.2 command_length), numbers outgoing requests
// (sequence_number 1..0x7FFFFFFF, §5.1.4), matches responses to them, and hands every other PDU to the
// owner. Malformed frames are reported to the owner, never thrown.

import type { Socket } from 'node:net';
import type { Bytes } from '../../card-os/bytes.js';
import {
  type Body,
  CMD,
  commandName,
  type Decoded,
  decodePdu,
  encodePdu,
  type Frame,
  isResponse,
  type Pdu,
  PduFramer,
  type Tlv,
} from './pdu.js';
import { STATUS } from './status.js';

export interface ConnectionEvents {
  /** A decoded request, or a response no request of ours is waiting for. */
  pdu(p: Pdu): void;
  /** A PDU whose body or length breaks the rules (the owner answers it). */
  bad(d: Extract<Decoded, { ok: false }> | Extract<Frame, { kind: 'bad-length' }>): void;
  close(): void;
}

interface Waiter {
  resolve(p: Pdu): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** Watches the raw PDUs (e.g. a pcap recorder); `out` is true for what this end sent. */
export type PduTap = (bytes: Bytes, out: boolean) => void;

export class SmppConnection {
  private readonly framer = new PduFramer();
  private readonly waiting = new Map<number, Waiter>();
  private seq = 0;
  closed = false;

  constructor(
    readonly socket: Socket,
    private readonly events: ConnectionEvents,
    private readonly tap?: PduTap,
    /** How long a request waits for its response. */
    private readonly timeoutMs = 10_000,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.values()) {
        clearTimeout(w.timer);
        w.reject(new Error('SMPP connection closed'));
      }
      this.waiting.clear();
      this.events.close();
    });
  }

  private onData(chunk: Buffer): void {
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (const f of this.framer.push(bytes)) {
      if (f.kind === 'bad-length') {
        this.events.bad(f);
        continue;
      }
      this.tap?.(f.bytes, false);
      const d = decodePdu(f.bytes);
      if (!d.ok) {
        // A response with a body we cannot read still ends the wait for it.
        const w = isResponse(d.commandId) ? this.waiting.get(d.sequence) : undefined;
        if (w)
          this.settle(d.sequence, {
            commandId: d.commandId,
            status: d.status,
            sequence: d.sequence,
            body: {},
            tlvs: [],
          });
        else this.events.bad(d);
        continue;
      }
      const p = d.pdu;
      if (isResponse(p.commandId) && this.waiting.has(p.sequence)) this.settle(p.sequence, p);
      else this.dispatch(p);
    }
  }

  /** Hands a PDU to the owner; a fault there answers the request ESME_RSYSERR instead of ending the process. */
  private dispatch(p: Pdu): void {
    try {
      this.events.pdu(p);
    } catch {
      if (!isResponse(p.commandId)) this.nack(p.sequence, STATUS.RSYSERR);
    }
  }

  private settle(seq: number, p: Pdu): void {
    const w = this.waiting.get(seq)!;
    this.waiting.delete(seq);
    clearTimeout(w.timer);
    w.resolve(p);
  }

  nextSequence(): number {
    this.seq = this.seq >= 0x7fffffff ? 1 : this.seq + 1;
    return this.seq;
  }

  /** Writes raw bytes (tests use it to send malformed PDUs). */
  writeRaw(bytes: Bytes): void {
    if (this.closed || this.socket.destroyed) return;
    this.tap?.(bytes, true);
    this.socket.write(bytes);
  }

  send(p: Pdu): void {
    this.writeRaw(encodePdu(p));
  }

  /** Answers a request: its response id, the same sequence number. */
  respond(
    req: { commandId: number; sequence: number },
    status: number,
    body: Body = {},
    tlvs: Tlv[] = [],
  ): void {
    const commandId =
      req.commandId === CMD.generic_nack ? CMD.generic_nack : (req.commandId | 0x80000000) >>> 0;
    this.send({ commandId, status, sequence: req.sequence, body, tlvs });
  }

  nack(sequence: number, status: number): void {
    this.send({ commandId: CMD.generic_nack, status, sequence, body: {}, tlvs: [] });
  }

  /** Sends a request and waits for its response (or generic_nack). */
  request(commandId: number, body: Body = {}, tlvs: Tlv[] = []): Promise<Pdu> {
    if (this.closed) return Promise.reject(new Error('SMPP connection closed'));
    const sequence = this.nextSequence();
    return new Promise<Pdu>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(sequence);
        reject(new Error(`SMPP ${commandName(commandId)} got no response in ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.waiting.set(sequence, { resolve, reject, timer });
      this.send({ commandId, status: 0, sequence, body, tlvs });
    });
  }

  end(): void {
    if (!this.socket.destroyed) this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
