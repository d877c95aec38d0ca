// SMPP v3.4 PDUs: the 16-byte header (§3.2), the bodies our SMSC and its clients exchange (§4.1 bind,
// §4.4 submit_sm, §4.6 deliver_sm, §4.7 data_sm, §4.2 unbind, §4.11 enquire_link, §4.3 generic_nack) and
// optional parameters as TLVs (§3.2.4, §5.3). The bodies are data-driven: one field list per PDU type.
// Decoding never throws: a body that breaks the rules yields the command_status §5.1.3 names for it, so the
// server can answer it and go on; encoding throws RangeError for values a caller should not have built.

import type { Bytes } from '../../card-os/bytes.js';
import { type CommandStatus, STATUS } from './status.js';

/** command_id values, SMPP v3.4 §5.1.2.1. A response id is its request id with bit 31 set. */
export const CMD = {
  generic_nack: 0x80000000,
  bind_receiver: 0x00000001,
  bind_receiver_resp: 0x80000001,
  bind_transmitter: 0x00000002,
  bind_transmitter_resp: 0x80000002,
  query_sm: 0x00000003,
  query_sm_resp: 0x80000003,
  submit_sm: 0x00000004,
  submit_sm_resp: 0x80000004,
  deliver_sm: 0x00000005,
  deliver_sm_resp: 0x80000005,
  unbind: 0x00000006,
  unbind_resp: 0x80000006,
  replace_sm: 0x00000007,
  replace_sm_resp: 0x80000007,
  cancel_sm: 0x00000008,
  cancel_sm_resp: 0x80000008,
  bind_transceiver: 0x00000009,
  bind_transceiver_resp: 0x80000009,
  outbind: 0x0000000b,
  enquire_link: 0x00000015,
  enquire_link_resp: 0x80000015,
  submit_multi: 0x00000021,
  submit_multi_resp: 0x80000021,
  alert_notification: 0x00000102,
  data_sm: 0x00000103,
  data_sm_resp: 0x80000103,
} as const;

export type CommandName = keyof typeof CMD;

const NAMES = new Map<number, CommandName>(Object.entries(CMD).map(([k, v]) => [v, k as CommandName]));

export function commandName(id: number): string {
  return NAMES.get(id) ?? `0x${(id >>> 0).toString(16).padStart(8, '0')}`;
}

export const RESPONSE_BIT = 0x80000000;
export const isResponse = (id: number) => (id & RESPONSE_BIT) !== 0;
export const responseIdOf = (id: number) => (id | RESPONSE_BIT) >>> 0;

/** Header length, §3.2. */
export const HEADER_LENGTH = 16;
/**
 * Largest PDU we accept: a data_sm with a full 64K message_payload (§5.3.2.32) and its other fields. SMPP
 * sets no limit of its own; a command_length above this is answered ESME_RINVCMDLEN.
 */
export const MAX_PDU_LENGTH = 65536 + 1024;
/** short_message holds at most 254 octets (§4.4.1, sm_length). */
export const MAX_SHORT_MESSAGE = 254;

/** Optional parameter tags used here, §5.3.2. */
export const TLV = {
  receipted_message_id: 0x001e,
  user_message_reference: 0x0204,
  source_port: 0x020a,
  destination_port: 0x020b,
  sar_msg_ref_num: 0x020c,
  sar_total_segments: 0x020e,
  sar_segment_seqnum: 0x020f,
  sc_interface_version: 0x0210,
  network_error_code: 0x0423,
  message_payload: 0x0424,
  message_state: 0x0427,
} as const;

/** Value lengths fixed by §5.3.2 for the tags above (a wrong one is ESME_RINVPARLEN). */
const TLV_LENGTH: Record<number, number> = {
  [TLV.user_message_reference]: 2,
  [TLV.source_port]: 2,
  [TLV.destination_port]: 2,
  [TLV.sar_msg_ref_num]: 2,
  [TLV.sar_total_segments]: 1,
  [TLV.sar_segment_seqnum]: 1,
  [TLV.sc_interface_version]: 1,
  [TLV.network_error_code]: 3,
  [TLV.message_state]: 1,
};

export interface Tlv {
  tag: number;
  value: Bytes;
}

// ---- Body field lists ----

type Field =
  /** C-Octet String of at most `max` octets including the NUL; `status` is the error for a bad one. */
  | { name: string; kind: 'cstring'; max: number; status: CommandStatus }
  | { name: string; kind: 'u8' }
  /** sm_length then short_message (§4.4.1). */
  | { name: string; kind: 'sm' };

const cstr = (name: string, max: number, status: CommandStatus = STATUS.RINVCMDLEN): Field => ({
  name,
  kind: 'cstring',
  max,
  status,
});
const u8 = (name: string): Field => ({ name, kind: 'u8' });

/** §4.1.1 / §4.1.3 / §4.1.5. */
const BIND: Field[] = [
  cstr('systemId', 16, STATUS.RINVSYSID),
  cstr('password', 9, STATUS.RINVPASWD),
  cstr('systemType', 13, STATUS.RINVSYSTYP),
  u8('interfaceVersion'),
  u8('addrTon'),
  u8('addrNpi'),
  cstr('addressRange', 41),
];

/** §4.4.1 submit_sm and §4.6.1 deliver_sm share this layout. */
const SM: Field[] = [
  cstr('serviceType', 6, STATUS.RINVSERTYP),
  u8('sourceAddrTon'),
  u8('sourceAddrNpi'),
  cstr('sourceAddr', 21, STATUS.RINVSRCADR),
  u8('destAddrTon'),
  u8('destAddrNpi'),
  cstr('destinationAddr', 21, STATUS.RINVDSTADR),
  u8('esmClass'),
  u8('protocolId'),
  u8('priorityFlag'),
  cstr('scheduleDeliveryTime', 17, STATUS.RINVSCHED),
  cstr('validityPeriod', 17, STATUS.RINVEXPIRY),
  u8('registeredDelivery'),
  u8('replaceIfPresentFlag'),
  u8('dataCoding'),
  u8('smDefaultMsgId'),
  { name: 'shortMessage', kind: 'sm' },
];

/** §4.7.1. */
const DATA_SM: Field[] = [
  cstr('serviceType', 6, STATUS.RINVSERTYP),
  u8('sourceAddrTon'),
  u8('sourceAddrNpi'),
  cstr('sourceAddr', 65, STATUS.RINVSRCADR),
  u8('destAddrTon'),
  u8('destAddrNpi'),
  cstr('destinationAddr', 65, STATUS.RINVDSTADR),
  u8('esmClass'),
  u8('registeredDelivery'),
  u8('dataCoding'),
];

const SYSTEM_ID: Field[] = [cstr('systemId', 16)];
const MESSAGE_ID: Field[] = [cstr('messageId', 65)];

interface BodyDef {
  fields: Field[];
  /** Whether optional parameters may follow. */
  tlvs: boolean;
}

const none: BodyDef = { fields: [], tlvs: false };

/** The body of every PDU this module knows, by command_id. */
const BODIES = new Map<number, BodyDef>([
  [CMD.bind_receiver, { fields: BIND, tlvs: false }],
  [CMD.bind_transmitter, { fields: BIND, tlvs: false }],
  [CMD.bind_transceiver, { fields: BIND, tlvs: false }],
  [CMD.bind_receiver_resp, { fields: SYSTEM_ID, tlvs: true }],
  [CMD.bind_transmitter_resp, { fields: SYSTEM_ID, tlvs: true }],
  [CMD.bind_transceiver_resp, { fields: SYSTEM_ID, tlvs: true }],
  [CMD.submit_sm, { fields: SM, tlvs: true }],
  [CMD.deliver_sm, { fields: SM, tlvs: true }],
  [CMD.data_sm, { fields: DATA_SM, tlvs: true }],
  [CMD.submit_sm_resp, { fields: MESSAGE_ID, tlvs: false }],
  // deliver_sm_resp: message_id, unused, set to NULL (§4.6.2).
  [CMD.deliver_sm_resp, { fields: MESSAGE_ID, tlvs: false }],
  [CMD.data_sm_resp, { fields: MESSAGE_ID, tlvs: true }],
  [CMD.unbind, none],
  [CMD.unbind_resp, none],
  [CMD.enquire_link, none],
  [CMD.enquire_link_resp, none],
  [CMD.generic_nack, none],
]);

/** Whether the module can decode and encode this command_id. */
export const knownCommand = (id: number) => BODIES.has(id);

// ---- PDU model ----

export interface BindBody {
  systemId: string;
  password: string;
  systemType: string;
  interfaceVersion: number;
  addrTon: number;
  addrNpi: number;
  addressRange: string;
}

export interface SmBody {
  serviceType: string;
  sourceAddrTon: number;
  sourceAddrNpi: number;
  sourceAddr: string;
  destAddrTon: number;
  destAddrNpi: number;
  destinationAddr: string;
  esmClass: number;
  protocolId: number;
  priorityFlag: number;
  scheduleDeliveryTime: string;
  validityPeriod: string;
  registeredDelivery: number;
  replaceIfPresentFlag: number;
  dataCoding: number;
  smDefaultMsgId: number;
  shortMessage: Bytes;
}

export interface DataSmBody {
  serviceType: string;
  sourceAddrTon: number;
  sourceAddrNpi: number;
  sourceAddr: string;
  destAddrTon: number;
  destAddrNpi: number;
  destinationAddr: string;
  esmClass: number;
  registeredDelivery: number;
  dataCoding: number;
}

export type Body = Record<string, string | number | Bytes>;

export interface Pdu {
  commandId: number;
  status: number;
  sequence: number;
  /** The mandatory fields by name (empty for header-only PDUs and for error responses without a body). */
  body: Body;
  tlvs: Tlv[];
}

export const tlvOf = (p: { tlvs: Tlv[] }, tag: number) => p.tlvs.find((t) => t.tag === tag)?.value;

// ---- Encoding ----

/** C-Octet Strings are ASCII (§3.1); any octet is kept as the character of the same code, both ways. */
function octets(s: string): Bytes | undefined {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c > 0xff) return undefined;
    b[i] = c;
  }
  return b;
}

function cstringBytes(f: Field & { kind: 'cstring' }, v: unknown): Bytes {
  const s = typeof v === 'string' ? v : '';
  const b = octets(s);
  if (!b) throw new RangeError(`SMPP ${f.name} holds a NUL or a character above 0xFF`);
  if (b.length + 1 > f.max) throw new RangeError(`SMPP ${f.name} "${s}" is longer than ${f.max - 1} octets`);
  return b;
}

/**
 * Encodes a PDU. A body is written only when the definition has fields and the body is not empty or the
 * status is 0 (error responses go without a body, e.g. §4.4.2 submit_sm_resp).
 */
export function encodePdu(p: Pdu): Bytes {
  const def = BODIES.get(p.commandId);
  if (!def) throw new RangeError(`SMPP: cannot encode ${commandName(p.commandId)}`);
  const parts: Bytes[] = [];
  const withBody = def.fields.length > 0 && (p.status === 0 || Object.keys(p.body).length > 0);
  if (withBody) {
    for (const f of def.fields) {
      const v = p.body[f.name];
      if (f.kind === 'cstring') parts.push(cstringBytes(f, v), Uint8Array.of(0));
      else if (f.kind === 'u8') parts.push(Uint8Array.of(typeof v === 'number' ? v & 0xff : 0));
      else {
        const sm = v instanceof Uint8Array ? v : new Uint8Array(0);
        if (sm.length > MAX_SHORT_MESSAGE) throw new RangeError('SMPP short_message over 254 octets');
        parts.push(Uint8Array.of(sm.length), sm);
      }
    }
  }
  for (const t of p.tlvs) {
    if (!def.tlvs) throw new RangeError(`SMPP ${commandName(p.commandId)} takes no optional parameters`);
    if (t.value.length > 0xffff) throw new RangeError('SMPP TLV value over 65535 octets');
    parts.push(Uint8Array.of(t.tag >> 8, t.tag & 0xff, t.value.length >> 8, t.value.length & 0xff), t.value);
  }
  const length = HEADER_LENGTH + parts.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, length);
  dv.setUint32(4, p.commandId >>> 0);
  dv.setUint32(8, p.status >>> 0);
  dv.setUint32(12, p.sequence >>> 0);
  let o = HEADER_LENGTH;
  for (const b of parts) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}

// ---- Decoding ----

export type Decoded =
  | { ok: true; pdu: Pdu }
  /** The header was read (command id and sequence are known) but the body breaks a rule. */
  | { ok: false; commandId: number; sequence: number; status: CommandStatus; reason: string };

const text = (b: Bytes) => String.fromCharCode(...b);

/** Decodes one whole PDU (its command_length already checked by the framer). */
export function decodePdu(b: Bytes): Decoded {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const commandId = dv.getUint32(4);
  const status = dv.getUint32(8);
  const sequence = dv.getUint32(12);
  const fail = (st: CommandStatus, reason: string): Decoded => ({
    ok: false,
    commandId,
    sequence,
    status: st,
    reason,
  });
  if (b.length < HEADER_LENGTH || dv.getUint32(0) !== b.length)
    return fail(STATUS.RINVCMDLEN, 'command_length does not match the PDU');
  const def = BODIES.get(commandId);
  if (!def) return fail(STATUS.RINVCMDID, `unknown command_id ${commandName(commandId)}`);
  const body: Body = {};
  let o = HEADER_LENGTH;
  // An error response may come without its body (§4.4.2 and alike).
  const skipBody = isResponse(commandId) && status !== 0 && b.length === HEADER_LENGTH;
  if (!skipBody) {
    for (const f of def.fields) {
      if (f.kind === 'cstring') {
        const end = b.indexOf(0, o);
        // No NUL: a PDU that ends within the field's size was cut short; one that goes on has the field too long.
        if (end < 0) return fail(b.length - o < f.max ? STATUS.RINVCMDLEN : f.status, `${f.name} has no NUL`);
        if (end - o + 1 > f.max) return fail(f.status, `${f.name} is longer than ${f.max - 1} octets`);
        body[f.name] = text(b.subarray(o, end));
        o = end + 1;
      } else if (f.kind === 'u8') {
        if (o >= b.length) return fail(STATUS.RINVCMDLEN, `PDU ends before ${f.name}`);
        body[f.name] = b[o++]!;
      } else {
        if (o >= b.length) return fail(STATUS.RINVCMDLEN, 'PDU ends before sm_length');
        const n = b[o++]!;
        if (n > MAX_SHORT_MESSAGE) return fail(STATUS.RINVMSGLEN, `sm_length ${n} is over 254`);
        if (o + n > b.length) return fail(STATUS.RINVMSGLEN, `sm_length ${n} runs past the PDU`);
        body[f.name] = b.slice(o, o + n);
        o += n;
      }
    }
  }
  const tlvs: Tlv[] = [];
  if (o < b.length && !def.tlvs) return fail(STATUS.RINVCMDLEN, 'bytes after the last field');
  while (o < b.length) {
    if (o + 4 > b.length) return fail(STATUS.RINVOPTPARSTREAM, 'truncated optional parameter header');
    const tag = dv.getUint16(o);
    const len = dv.getUint16(o + 2);
    if (o + 4 + len > b.length)
      return fail(STATUS.RINVOPTPARSTREAM, `optional parameter ${hex4(tag)} overruns`);
    const fixed = TLV_LENGTH[tag];
    if (fixed !== undefined && fixed !== len)
      return fail(STATUS.RINVPARLEN, `optional parameter ${hex4(tag)} has length ${len}, not ${fixed}`);
    tlvs.push({ tag, value: b.slice(o + 4, o + 4 + len) });
    o += 4 + len;
  }
  return { ok: true, pdu: { commandId, status, sequence, body, tlvs } };
}

const hex4 = (n: number) => n.toString(16).padStart(4, '0');

// ---- Framing ----

export type Frame =
  | { kind: 'pdu'; bytes: Bytes }
  /** A command_length that cannot be right: below the header size, or over MAX_PDU_LENGTH. */
  | { kind: 'bad-length'; length: number; commandId: number; sequence: number };

/**
 * Splits a TCP byte stream into PDUs by command_length (§3.2). An oversize PDU is reported once and its
 * bytes are then skipped as they arrive, so the session stays in step; a length below the header cannot be
 * skipped and the caller should close the connection after answering.
 */
export class PduFramer {
  private buf: Bytes = new Uint8Array(0);
  private skip = 0;

  push(chunk: Bytes): Frame[] {
    let data = chunk;
    if (this.skip > 0) {
      const n = Math.min(this.skip, data.length);
      this.skip -= n;
      data = data.subarray(n);
    }
    this.buf = this.buf.length ? concatTwo(this.buf, data) : data.slice();
    const out: Frame[] = [];
    while (this.buf.length >= HEADER_LENGTH) {
      const dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
      const length = dv.getUint32(0);
      if (length < HEADER_LENGTH || length > MAX_PDU_LENGTH) {
        out.push({ kind: 'bad-length', length, commandId: dv.getUint32(4), sequence: dv.getUint32(12) });
        if (length < HEADER_LENGTH) {
          this.buf = new Uint8Array(0);
          return out;
        }
        const n = Math.min(length, this.buf.length);
        this.skip = length - n;
        this.buf = this.buf.subarray(n);
        continue;
      }
      if (this.buf.length < length) break;
      out.push({ kind: 'pdu', bytes: this.buf.subarray(0, length) });
      this.buf = this.buf.subarray(length);
    }
    return out;
  }
}

function concatTwo(a: Bytes, b: Bytes): Bytes {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
