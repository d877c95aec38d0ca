// The SMSC: SMPP v3.4 sessions from ESMEs (bind, submit_sm, data_sm, enquire_link, unbind), store and
// forward of the messages to the cards of the fleet (delivered by the handset as SMS-PP data download), and
// back to the ESMEs the card's answers and the delivery receipts as deliver_sm. Every PDU that breaks a
// rule is answered with the command_status SMPP v3.4 §5.1.3 names; a session's errors never reach another.

import { createServer, type Server, type Socket } from 'node:net';
import { deliverEnvelopes, type HandsetDelivery } from '../ota/deliver.js';
import { buildEnvelopeApdu } from '../ota/ota-server.js';
import { type PduTap, SmppConnection } from '../smpp/connection.js';
import {
  type Body,
  CMD,
  commandName,
  type Decoded,
  type Frame,
  HEADER_LENGTH,
  MAX_SHORT_MESSAGE,
  type Pdu,
  TLV,
  type Tlv,
  tlvOf,
} from '../smpp/pdu.js';
import { STATUS, statusName } from '../smpp/status.js';
import type { CardFleet } from './fleet.js';
import { type FinalState, MESSAGE_STATE, receiptText, receiptTlvs, receiptWanted } from './receipt.js';
import {
  deliveredToCard,
  ESM_DELIVERY_RECEIPT,
  type MessageIn,
  messagesFromCard,
  type SmppAddress,
  smsDeliverTpdus,
} from './sms-pp.js';

export interface Account {
  systemId: string;
  password: string;
}

export interface SmscConfig {
  /** system_id this SMSC gives in bind responses. */
  systemId: string;
  /** ESMEs allowed to bind. */
  accounts: Account[];
  /** How long a message to a powered-off card is kept for a retry before it expires. */
  retryForMs: number;
  /** Most messages waiting (for a card or for a receiver bind) before submits are refused ESME_RMSGQFUL. */
  maxQueued: number;
}

export const DEFAULT_CONFIG: SmscConfig = {
  systemId: 'uicc-smsc',
  accounts: [{ systemId: 'test', password: 'test' }],
  retryForMs: 60_000,
  maxQueued: 100_000,
};

type BindState = 'open' | 'transmitter' | 'receiver' | 'transceiver';

const BIND_STATE = new Map<number, BindState>([
  [CMD.bind_transmitter, 'transmitter'],
  [CMD.bind_receiver, 'receiver'],
  [CMD.bind_transceiver, 'transceiver'],
]);

/** esm_class bits 1-0, messaging mode (§5.2.12). */
const MODE_DATAGRAM = 1;
const MODE_FORWARD = 2;

interface StoredMessage {
  id: string;
  systemId: string;
  source: SmppAddress;
  dest: string;
  esmClass: number;
  protocolId: number;
  dataCoding: number;
  registeredDelivery: number;
  serviceType: string;
  envelopes: Uint8Array[];
  submitted: Date;
  /** Transaction (forward) mode: the submit response waits for the outcome. */
  settle?: (status: number) => void;
  expiry?: NodeJS.Timeout;
}

interface Outbound {
  body: Body;
  tlvs: Tlv[];
}

export interface SmscOptions {
  log?: (line: string) => void;
  /** Called per connection to watch its raw PDUs (e.g. to write a pcap). */
  tap?: (socket: Socket) => PduTap | undefined;
}

export interface SmscStats {
  submitted: number;
  delivered: number;
  failed: number;
  rejected: number;
}

class Session {
  state: BindState = 'open';
  systemId = '';
  readonly conn: SmppConnection;

  constructor(
    private readonly smsc: Smsc,
    socket: Socket,
    tap: PduTap | undefined,
  ) {
    this.conn = new SmppConnection(
      socket,
      {
        pdu: (p) => this.onPdu(p),
        bad: (d) => this.onBad(d),
        close: () => smsc.dropSession(this),
      },
      tap,
    );
  }

  get receives(): boolean {
    return this.state === 'receiver' || this.state === 'transceiver';
  }

  get transmits(): boolean {
    return this.state === 'transmitter' || this.state === 'transceiver';
  }

  private onBad(d: Extract<Decoded, { ok: false }> | Extract<Frame, { kind: 'bad-length' }>): void {
    if ('kind' in d) {
      this.smsc.note(`${this.who()}: command_length ${d.length} refused (ESME_RINVCMDLEN)`);
      this.conn.nack(d.sequence, STATUS.RINVCMDLEN);
      // A length below the header leaves no way to find the next PDU.
      if (d.length < HEADER_LENGTH) this.conn.end();
      return;
    }
    this.smsc.note(
      `${this.who()}: ${commandName(d.commandId)} refused: ${d.reason} (${statusName(d.status)})`,
    );
    if (ANSWERED.has(d.commandId)) this.conn.respond(d, d.status);
    else if (!(d.commandId & 0x80000000))
      this.conn.nack(d.sequence, d.status === STATUS.RINVCMDID ? d.status : STATUS.RINVCMDID);
  }

  private onPdu(p: Pdu) {
    const bindAs = BIND_STATE.get(p.commandId);
    if (bindAs) return this.bind(p, bindAs);
    switch (p.commandId) {
      case CMD.enquire_link:
        return this.conn.respond(p, STATUS.ROK);
      case CMD.unbind:
        if (this.state === 'open') return this.conn.respond(p, STATUS.RINVBNDSTS);
        this.conn.respond(p, STATUS.ROK);
        this.state = 'open';
        this.smsc.dropSession(this);
        this.conn.end();
        return;
      case CMD.submit_sm:
      case CMD.data_sm:
        if (!this.transmits) return this.conn.respond(p, STATUS.RINVBNDSTS);
        return this.smsc.submit(this, p);
      default:
        // Responses nobody waits for (a late deliver_sm_resp, a generic_nack) need no answer (§2.8).
        if (p.commandId & 0x80000000) return;
        this.smsc.note(`${this.who()}: ${commandName(p.commandId)} not supported (ESME_RINVCMDID)`);
        this.conn.nack(p.sequence, STATUS.RINVCMDID);
    }
  }

  private bind(p: Pdu, as: BindState) {
    if (this.state !== 'open') return this.conn.respond(p, STATUS.RALYBND);
    const account = this.smsc.account(String(p.body.systemId));
    if (!account) return this.conn.respond(p, STATUS.RINVSYSID);
    if (account.password !== p.body.password) {
      this.smsc.note(`${this.who()}: bind as ${account.systemId} with a wrong password (ESME_RINVPASWD)`);
      return this.conn.respond(p, STATUS.RINVPASWD);
    }
    this.state = as;
    this.systemId = account.systemId;
    // sc_interface_version 34: this SMSC speaks SMPP v3.4 (§5.3.2.25).
    this.conn.respond(p, STATUS.ROK, { systemId: this.smsc.config.systemId }, [
      { tag: TLV.sc_interface_version, value: Uint8Array.of(0x34) },
    ]);
    this.smsc.note(`${this.who()}: bound as ${as}`);
    if (this.receives) this.smsc.flushOutbound(this);
  }

  who(): string {
    const s = this.conn.socket;
    return `${s.remoteAddress}:${s.remotePort}${this.systemId ? ` (${this.systemId})` : ''}`;
  }
}

/** Requests an ESME may send that get their own response PDU (the others get generic_nack). */
const ANSWERED = new Set<number>([
  CMD.bind_receiver,
  CMD.bind_transmitter,
  CMD.bind_transceiver,
  CMD.submit_sm,
  CMD.data_sm,
  CMD.unbind,
  CMD.enquire_link,
]);

export class Smsc {
  private server: Server | undefined;
  private readonly sessions = new Set<Session>();
  private readonly outbound = new Map<string, Outbound[]>();
  private readonly offline = new Map<string, StoredMessage[]>();
  private nextId = 1;
  private concatRef = 0;
  private queued = 0;
  private rr = 0;
  readonly stats: SmscStats = { submitted: 0, delivered: 0, failed: 0, rejected: 0 };

  constructor(
    readonly fleet: CardFleet,
    readonly config: SmscConfig = DEFAULT_CONFIG,
    private readonly opts: SmscOptions = {},
  ) {}

  /** Listens on 127.0.0.1; port 0 takes a free one. Resolves to the port. */
  listen(port = 0, host = '127.0.0.1'): Promise<number> {
    const server = createServer((socket) => {
      const s = new Session(this, socket, this.opts.tap?.(socket));
      this.sessions.add(s);
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const a = server.address();
        resolve(typeof a === 'object' && a ? a.port : port);
      });
    });
  }

  async close(): Promise<void> {
    for (const list of this.offline.values()) for (const m of list) clearTimeout(m.expiry);
    this.offline.clear();
    for (const s of this.sessions) s.conn.destroy();
    this.sessions.clear();
    const srv = this.server;
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }

  note(line: string): void {
    this.opts.log?.(line);
  }

  account(systemId: string): Account | undefined {
    return this.config.accounts.find((a) => a.systemId === systemId);
  }

  dropSession(s: Session): void {
    this.sessions.delete(s);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  // ---- submit ----

  submit(session: Session, p: Pdu) {
    const b = p.body;
    const refuse = (status: number, reason: string) => {
      this.stats.rejected++;
      this.note(
        `${session.who()}: ${commandName(p.commandId)} to ${b.destinationAddr} refused: ${reason} (${statusName(status)})`,
      );
      session.conn.respond(p, status);
    };
    const payload = tlvOf(p, TLV.message_payload);
    const sm = b.shortMessage instanceof Uint8Array ? b.shortMessage : undefined;
    if (p.commandId === CMD.data_sm && !payload)
      return refuse(STATUS.RMISSINGOPTPARAM, 'data_sm without message_payload');
    if (sm && sm.length > 0 && payload)
      return refuse(STATUS.RINVOPTPARAMVAL, 'both short_message and message_payload');
    if (sm && sm.length > 140 && !payload)
      return refuse(STATUS.RINVMSGLEN, 'short_message longer than one SMS (140 octets)');
    const dest = String(b.destinationAddr).replace(/^\+/, '');
    if (!this.fleet.has(dest)) return refuse(STATUS.RINVDSTADR, 'no card has this MSISDN');
    if (this.queued >= this.config.maxQueued) return refuse(STATUS.RMSGQFUL, 'the message queue is full');
    const source: SmppAddress = {
      ton: Number(b.sourceAddrTon),
      npi: Number(b.sourceAddrNpi),
      addr: String(b.sourceAddr),
    };
    const m: MessageIn = {
      source,
      esmClass: Number(b.esmClass),
      protocolId: p.commandId === CMD.data_sm ? 0x7f : Number(b.protocolId),
      dataCoding: Number(b.dataCoding),
      userData: payload ?? sm ?? new Uint8Array(0),
      tlvs: p.tlvs,
    };
    const tpdus = smsDeliverTpdus(m, this.concatRef, new Date());
    if (!tpdus.ok) return refuse(tpdus.status, tpdus.reason);
    if (tpdus.tpdus.length > 1) this.concatRef = (this.concatRef + 1) & 0xffff;
    const msg: StoredMessage = {
      id: String(this.nextId++),
      systemId: session.systemId,
      source,
      dest,
      esmClass: m.esmClass,
      protocolId: m.protocolId,
      dataCoding: m.dataCoding,
      registeredDelivery: Number(b.registeredDelivery),
      serviceType: String(b.serviceType),
      envelopes: tpdus.tpdus.map((t) => buildEnvelopeApdu(t)),
      submitted: new Date(),
    };
    this.stats.submitted++;
    const mode = m.esmClass & 0x03;
    if (mode === MODE_FORWARD) {
      // Transaction mode: the response tells the outcome of the delivery (§2.10.2).
      msg.settle = (status) =>
        session.conn.respond(p, status, status === STATUS.ROK ? { messageId: msg.id } : {});
    } else session.conn.respond(p, STATUS.ROK, { messageId: msg.id });
    if (!this.fleet.isPowered(dest)) {
      if (mode === MODE_DATAGRAM || mode === MODE_FORWARD) this.finish(msg, MESSAGE_STATE.UNDELIVERABLE, 1);
      else this.park(msg);
      return;
    }
    this.deliverSafely(msg);
  }

  // ---- delivery to the card ----

  private park(msg: StoredMessage): void {
    this.queued++;
    const list = this.offline.get(msg.dest) ?? [];
    list.push(msg);
    this.offline.set(msg.dest, list);
    msg.expiry = setTimeout(() => {
      const l = this.offline.get(msg.dest);
      const i = l?.indexOf(msg) ?? -1;
      if (!l || i < 0) return;
      l.splice(i, 1);
      if (!l.length) this.offline.delete(msg.dest);
      this.queued--;
      this.note(`message ${msg.id} to ${msg.dest} expired: the card stayed off`);
      this.finish(msg, MESSAGE_STATE.EXPIRED, 1);
    }, this.config.retryForMs);
    msg.expiry.unref();
  }

  /** Powers a card on or off; messages kept for it go out when it comes on. */
  async setPower(msisdn: string, on: boolean): Promise<void> {
    await this.fleet.setPower(msisdn, on);
    if (!on) return;
    const list = this.offline.get(msisdn) ?? [];
    this.offline.delete(msisdn);
    for (const m of list) {
      clearTimeout(m.expiry);
      this.queued--;
      this.deliverSafely(m);
    }
  }

  /** Delivery runs on its own; whatever goes wrong there is logged and fails the message, never the server. */
  private deliverSafely(msg: StoredMessage): void {
    this.deliver(msg).catch((e: unknown) => {
      this.note(`message ${msg.id} to ${msg.dest}: ${(e as Error).message}`);
      this.finish(msg, MESSAGE_STATE.UNDELIVERABLE, 8);
    });
  }

  private async deliver(msg: StoredMessage): Promise<void> {
    let h: HandsetDelivery;
    try {
      h = await this.fleet.run(msg.dest, (t) => deliverEnvelopes(t, msg.envelopes));
    } catch (e) {
      this.note(`message ${msg.id} to ${msg.dest}: ${(e as Error).message}`);
      this.finish(msg, MESSAGE_STATE.UNDELIVERABLE, 8);
      return;
    }
    for (const out of messagesFromCard(h, msg.dataCoding)) {
      const to = out.destination ?? msg.source;
      this.route(msg.systemId, {
        body: {
          serviceType: msg.serviceType,
          sourceAddrTon: 1,
          sourceAddrNpi: 1,
          sourceAddr: msg.dest,
          destAddrTon: to.ton,
          destAddrNpi: to.npi,
          destinationAddr: to.addr,
          esmClass: out.esmClass,
          protocolId: out.protocolId,
          priorityFlag: 0,
          scheduleDeliveryTime: '',
          validityPeriod: '',
          registeredDelivery: 0,
          replaceIfPresentFlag: 0,
          dataCoding: out.dataCoding,
          smDefaultMsgId: 0,
          shortMessage: out.shortMessage,
        },
        tlvs: [],
      });
    }
    const ok = deliveredToCard(h);
    // err: the status word's first byte tells why the card or handset refused (TS 31.111 §7.1.1.2).
    this.finish(msg, ok ? MESSAGE_STATE.DELIVERED : MESSAGE_STATE.UNDELIVERABLE, ok ? 0 : h.sw >> 8);
  }

  private finish(msg: StoredMessage, final: FinalState, err: number): void {
    const ok = final === MESSAGE_STATE.DELIVERED;
    if (ok) this.stats.delivered++;
    else this.stats.failed++;
    msg.settle?.(ok ? STATUS.ROK : STATUS.RDELIVERYFAILURE);
    if (!receiptWanted(msg.registeredDelivery, ok)) return;
    const r = { messageId: msg.id, submitted: msg.submitted, done: new Date(), final, err };
    this.route(msg.systemId, {
      body: {
        serviceType: '',
        sourceAddrTon: 1,
        sourceAddrNpi: 1,
        sourceAddr: msg.dest,
        destAddrTon: msg.source.ton,
        destAddrNpi: msg.source.npi,
        destinationAddr: msg.source.addr,
        esmClass: ESM_DELIVERY_RECEIPT,
        protocolId: 0,
        priorityFlag: 0,
        scheduleDeliveryTime: '',
        validityPeriod: '',
        registeredDelivery: 0,
        replaceIfPresentFlag: 0,
        dataCoding: 0,
        smDefaultMsgId: 0,
        shortMessage: new TextEncoder().encode(receiptText(r)).subarray(0, MAX_SHORT_MESSAGE),
      },
      tlvs: receiptTlvs(r),
    });
  }

  // ---- delivery to the ESMEs ----

  /** Sends a deliver_sm to a receiver bind of the account, or keeps it until one binds. */
  private route(systemId: string, out: Outbound): void {
    const rx = [...this.sessions].filter((s) => s.receives && s.systemId === systemId);
    if (!rx.length) {
      const q = this.outbound.get(systemId) ?? [];
      if (q.length < this.config.maxQueued) q.push(out);
      this.outbound.set(systemId, q);
      return;
    }
    const s = rx[this.rr++ % rx.length]!;
    s.conn.request(CMD.deliver_sm, out.body, out.tlvs).then(
      (resp) => {
        if (resp.status !== STATUS.ROK)
          this.note(`${s.who()}: deliver_sm answered ${statusName(resp.status)}`);
      },
      (e: Error) => {
        // The session went away: try another, or keep it. Anything else (no answer) drops it, logged.
        if (s.conn.closed) this.route(systemId, out);
        else this.note(`${s.who()}: deliver_sm lost: ${e.message}`);
      },
    );
  }

  flushOutbound(s: Session): void {
    const q = this.outbound.get(s.systemId);
    if (!q) return;
    this.outbound.delete(s.systemId);
    for (const out of q) this.route(s.systemId, out);
  }
}
