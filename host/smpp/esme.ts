// An ESME (SMPP v3.4 client): connects, binds (§4.1), submits messages (§4.4 submit_sm, §4.7 data_sm),
// answers every deliver_sm with deliver_sm_resp (§4.6.2) and hands it to whoever waits for it, keeps the
// link alive with enquire_link answers, and unbinds (§4.2). Used by `uicc ota --smpp`, the tests and the
// benchmarks; it speaks to any SMSC.

import { connect as netConnect } from 'node:net';
import type { Bytes } from '../../card-os/bytes.js';
import { type PduTap, SmppConnection } from './connection.js';
import { type Body, CMD, commandName, type Pdu, type Tlv } from './pdu.js';
import { STATUS, statusName } from './status.js';

export type BindMode = 'transmitter' | 'receiver' | 'transceiver';

const BIND_ID: Record<BindMode, number> = {
  transmitter: CMD.bind_transmitter,
  receiver: CMD.bind_receiver,
  transceiver: CMD.bind_transceiver,
};

export interface EsmeOptions {
  host: string;
  port: number;
  systemId: string;
  password: string;
  systemType?: string;
  mode?: BindMode;
  tap?: PduTap;
  /** How long a request waits for its response (default 10 s). */
  timeoutMs?: number;
}

/** An SMPP error response, with its command_status. */
export class SmppError extends Error {
  constructor(
    readonly command: number,
    readonly status: number,
  ) {
    super(`${commandName(command)} refused: ${statusName(status)}`);
  }
}

export interface SubmitFields {
  sourceAddr: string;
  destinationAddr: string;
  shortMessage?: Bytes;
  esmClass?: number;
  protocolId?: number;
  dataCoding?: number;
  registeredDelivery?: number;
  sourceAddrTon?: number;
  sourceAddrNpi?: number;
  destAddrTon?: number;
  destAddrNpi?: number;
  serviceType?: string;
  tlvs?: Tlv[];
}

type Waiter = { match: (p: Pdu) => boolean; resolve: (p: Pdu) => void; timer: NodeJS.Timeout };

export class Esme {
  readonly conn: SmppConnection;
  /** deliver_sm nobody waited for yet, oldest first. */
  readonly inbox: Pdu[] = [];
  private waiters: Waiter[] = [];
  private closedResolve!: () => void;
  readonly closed = new Promise<void>((r) => {
    this.closedResolve = r;
  });

  private constructor(socket: import('node:net').Socket, opts: EsmeOptions) {
    this.conn = new SmppConnection(
      socket,
      {
        pdu: (p) => this.onPdu(p),
        bad: (d) => {
          if ('kind' in d) return;
          if (!(d.commandId & 0x80000000)) this.conn.nack(d.sequence, d.status);
        },
        close: () => this.closedResolve(),
      },
      opts.tap,
      opts.timeoutMs,
    );
  }

  /** Opens the TCP connection (not yet bound). */
  static open(opts: EsmeOptions): Promise<Esme> {
    return new Promise((resolve, reject) => {
      const socket = netConnect(opts.port, opts.host);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new Esme(socket, opts));
      });
    });
  }

  /** Connects and binds; throws SmppError if the SMSC refuses the bind. */
  static async connect(opts: EsmeOptions): Promise<Esme> {
    const e = await Esme.open(opts);
    try {
      await e.bind(opts.mode ?? 'transceiver', opts.systemId, opts.password, opts.systemType ?? '');
    } catch (err) {
      e.conn.destroy();
      throw err;
    }
    return e;
  }

  async bind(mode: BindMode, systemId: string, password: string, systemType = ''): Promise<Pdu> {
    const r = await this.conn.request(BIND_ID[mode], {
      systemId,
      password,
      systemType,
      interfaceVersion: 0x34,
      addrTon: 0,
      addrNpi: 0,
      addressRange: '',
    });
    if (r.status !== STATUS.ROK) throw new SmppError(r.commandId, r.status);
    return r;
  }

  private onPdu(p: Pdu) {
    if (p.commandId === CMD.enquire_link) return this.conn.respond(p, STATUS.ROK);
    if (p.commandId === CMD.unbind) {
      this.conn.respond(p, STATUS.ROK);
      this.conn.end();
      return;
    }
    if (p.commandId === CMD.deliver_sm || p.commandId === CMD.data_sm) {
      this.conn.respond(p, STATUS.ROK, { messageId: '' });
      const i = this.waiters.findIndex((w) => w.match(p));
      if (i >= 0) {
        const [w] = this.waiters.splice(i, 1);
        clearTimeout(w!.timer);
        w!.resolve(p);
      } else this.inbox.push(p);
      return;
    }
    if (!(p.commandId & 0x80000000)) this.conn.nack(p.sequence, STATUS.RINVCMDID);
  }

  /** The next deliver_sm that `match` accepts (from the inbox first). */
  nextDeliver(match: (p: Pdu) => boolean, timeoutMs = 10_000): Promise<Pdu> {
    const i = this.inbox.findIndex(match);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        match,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          reject(new Error(`no deliver_sm arrived in ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(w);
    });
  }

  /** submit_sm; resolves to the response (status and message_id) whatever its status. */
  submitRaw(f: SubmitFields): Promise<Pdu> {
    const body: Body = {
      serviceType: f.serviceType ?? '',
      sourceAddrTon: f.sourceAddrTon ?? 1,
      sourceAddrNpi: f.sourceAddrNpi ?? 1,
      sourceAddr: f.sourceAddr,
      destAddrTon: f.destAddrTon ?? 1,
      destAddrNpi: f.destAddrNpi ?? 1,
      destinationAddr: f.destinationAddr,
      esmClass: f.esmClass ?? 0,
      protocolId: f.protocolId ?? 0,
      priorityFlag: 0,
      scheduleDeliveryTime: '',
      validityPeriod: '',
      registeredDelivery: f.registeredDelivery ?? 0,
      replaceIfPresentFlag: 0,
      dataCoding: f.dataCoding ?? 0,
      smDefaultMsgId: 0,
      shortMessage: f.shortMessage ?? new Uint8Array(0),
    };
    return this.conn.request(CMD.submit_sm, body, f.tlvs ?? []);
  }

  /** submit_sm; resolves to the message_id, throws SmppError on an error status. */
  async submit(f: SubmitFields): Promise<string> {
    const r = await this.submitRaw(f);
    if (r.status !== STATUS.ROK) throw new SmppError(r.commandId, r.status);
    return String(r.body.messageId ?? '');
  }

  async enquireLink(): Promise<Pdu> {
    return this.conn.request(CMD.enquire_link);
  }

  /** Unbinds (if the SMSC answers) and closes. */
  async close(): Promise<void> {
    if (!this.conn.closed) {
      try {
        await this.conn.request(CMD.unbind);
      } catch {}
      this.conn.end();
    }
    for (const w of this.waiters) clearTimeout(w.timer);
    this.waiters = [];
  }
}
