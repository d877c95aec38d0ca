// Turns an exchange into words: command name, status word meaning, and decoded data where known
// (FCP after SELECT/STATUS, file contents after READ BINARY/RECORD via the EF codecs). Stateful, because
// T=0 answers come with a later GET RESPONSE and file contents depend on what was selected.

import { channelOf, dataOf, parseCommand, swOf } from '../../card-os/apdu.js';
import { type Bytes, toHex } from '../../card-os/bytes.js';
import { INS_NAMES } from '../../card-os/commands/table.js';
import { swName } from '../../card-os/sw.js';
import { fcpSummary } from './fcp.js';

export interface Described {
  name: string;
  channel: number;
  /** Meaning of the status word. */
  status: string;
  /** Decoded response data, one line per item. */
  details: string[];
}

/** Optional decoder for file contents: (fid hex, data) -> readable text. */
export type ContentDecoder = (fid: string, data: Bytes) => string | undefined;

export function commandName(cmd: Bytes): string {
  if (cmd.length < 2) return 'malformed';
  const ins = cmd[1]!;
  if (ins === 0x88 && cmd.length >= 4 && (cmd[0]! & 0x80) !== 0) return 'INTERNAL AUTHENTICATE';
  if (ins === 0x70 && cmd.length >= 3)
    return cmd[2] === 0x80 ? 'MANAGE CHANNEL (close)' : 'MANAGE CHANNEL (open)';
  return INS_NAMES[ins] ?? `INS ${ins.toString(16).padStart(2, '0').toUpperCase()}`;
}

export class ExchangeDecoder {
  private lastIns = new Map<number, number>();
  private selected = new Map<number, string>();

  constructor(private readonly content?: ContentDecoder) {}

  describe(cmdBytes: Bytes, resp: Bytes): Described {
    const parsed = parseCommand(cmdBytes);
    const sw = swOf(resp);
    const ch = parsed.cmd ? channelOf(parsed.cmd.cla) : 0;
    const name = commandName(cmdBytes);
    const details: string[] = [];
    const data = dataOf(resp);
    const cmd = parsed.cmd;
    if (cmd) {
      // The data a GET RESPONSE returns belongs to the command before it.
      const ins = cmd.ins === 0xc0 ? (this.lastIns.get(ch) ?? 0xc0) : cmd.ins;
      if (cmd.ins !== 0xc0) this.lastIns.set(ch, cmd.ins);
      if (cmd.ins === 0xa4) {
        if (cmd.p1 === 0x04) this.selected.set(ch, `AID ${toHex(cmd.data)}`);
        else if (cmd.data.length >= 2) this.selected.set(ch, toHex(cmd.data.subarray(cmd.data.length - 2)));
      }
      if (data.length > 0) {
        if ((ins === 0xa4 || ins === 0xf2) && data[0] === 0x62) {
          const s = fcpSummary(data);
          if (s) details.push(`FCP: ${s}`);
          if (ins === 0xa4) {
            const fidAt = data.indexOf(0x83);
            if (fidAt > 0 && data[fidAt + 1] === 2)
              this.selected.set(ch, toHex(data.subarray(fidAt + 2, fidAt + 4)));
          }
        } else if ((ins === 0xb0 || ins === 0xb2) && this.content) {
          const fid = cmd.ins === 0xb0 && cmd.p1 & 0x80 ? undefined : this.selected.get(ch);
          const text = fid ? this.content(fid, data) : undefined;
          if (text) details.push(`${fid}: ${text}`);
        } else if (ins === 0x88 && data[0] === 0xdb)
          details.push('AUTHENTICATE: successful 3G authentication (RES, CK, IK)');
        else if (ins === 0x88 && data[0] === 0xdc)
          details.push('AUTHENTICATE: synchronisation failure (AUTS)');
        else if (ins === 0x70 && data.length === 1) details.push(`channel ${data[0]} opened`);
      }
      if (cmd.ins === 0x88 && sw === 0x9862) details.push('AUTHENTICATE: MAC failure');
      if (cmd.ins === 0xa4 && cmd.p1 !== 0x04 && cmd.data.length === 2 && sw === 0x6a82)
        details.push(`file ${toHex(cmd.data)} not found`);
    }
    return { name, channel: ch, status: swName(sw), details };
  }
}
