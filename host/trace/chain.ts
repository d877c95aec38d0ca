// Per logical channel, which command a response belongs to. With T=0 (and whenever Le is short) the
// response data of a command comes later, in one or more GET RESPONSE exchanges (TS 102 221 §7.3.1.1.4,
// "61xx"); their data continues the data of the original command. Also the EF selected on the channel,
// which READ/UPDATE BINARY without SFI act on.

import { channelOf, parseCommand } from '../../card-os/apdu.js';
import { type Bytes, concat } from '../../card-os/bytes.js';

export interface ExchangeContext {
  channel: number;
  /** The command this exchange's response data belongs to (itself, or the one before a GET RESPONSE). */
  origin: Bytes;
  /** Offset of this exchange's response data in the whole response of `origin`. */
  offset: number;
  /** The whole response data of `origin` so far, this exchange's data included. */
  data: Bytes;
  /** The EF selected on the channel before this command (file id), when known. */
  ef: number | undefined;
}

interface ChannelState {
  ef?: number;
  origin?: Bytes;
  chain: Bytes;
}

const EMPTY = new Uint8Array(0);
const INS_SELECT = 0xa4;
const INS_READ_BINARY = 0xb0;
const INS_UPDATE_BINARY = 0xd6;
const INS_GET_RESPONSE = 0xc0;

/** EF reached by a short file identifier, when the SFI is one whose file matters to traces (key files). */
export type SfiFile = (sfi: number) => number | undefined;

export class ChainTracker {
  private readonly channels = new Map<number, ChannelState>();

  constructor(private readonly sfiFile: SfiFile = () => undefined) {}

  reset(): void {
    this.channels.clear();
  }

  /** The context of an exchange; updates the channel state for the next one. */
  observe(cmd: Bytes, resp: Bytes): ExchangeContext {
    const channel = cmd.length ? channelOf(cmd[0]!) : 0;
    let s = this.channels.get(channel);
    if (!s) {
      s = { chain: EMPTY };
      this.channels.set(channel, s);
    }
    const ins = cmd[1];
    const data = resp.subarray(0, Math.max(0, resp.length - 2));
    const origin = ins === INS_GET_RESPONSE && s.origin ? s.origin : cmd;
    const before = origin === cmd ? EMPTY : s.chain;
    const all = data.length ? concat(before, data) : before;
    const ctx: ExchangeContext = { channel, origin, offset: before.length, data: all, ef: s.ef };
    const sw1 = resp.length >= 2 ? resp[resp.length - 2]! : 0;
    const more = sw1 === 0x61 || sw1 === 0x9f;
    s.origin = more ? origin : undefined;
    s.chain = more ? all : EMPTY;
    const ok = more || sw1 === 0x90 || sw1 === 0x91;
    if (ok && ins === INS_SELECT) {
      const c = parseCommand(cmd).cmd;
      const d = c?.data;
      s.ef =
        c && c.p1 !== 0x04 && d && d.length >= 2 ? (d[d.length - 2]! << 8) | d[d.length - 1]! : undefined;
    }
    // READ/UPDATE BINARY by SFI (P1 b8) makes that file the current EF (TS 102 221 §11.1.3).
    if (ok && (ins === INS_READ_BINARY || ins === INS_UPDATE_BINARY) && cmd[2]! & 0x80)
      s.ef = this.sfiFile(cmd[2]! & 0x1f);
    return ctx;
  }
}
