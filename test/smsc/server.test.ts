// The SMSC against misbehaving and concurrent ESMEs: every refused PDU gets the command_status of SMPP v3.4
// §5.1.3 (bind errors, wrong bind state, unknown command ids, malformed and oversize PDUs, messages the
// handset could not pass to a card), the server never crashes, and a well-behaved session running OTA
// round trips at the same time is not disturbed. Also store and forward to a powered-off card, with its
// delivery failure receipt, and concatenation of a long message_payload (TS 23.040 §9.2.3.24.1).
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import { OtaServer } from '../../host/ota/ota-server.js';
import { deliverOtaSmpp } from '../../host/ota/smpp-delivery.js';
import type { Esme } from '../../host/smpp/esme.js';
import { CMD, decodePdu, encodePdu, MAX_PDU_LENGTH, type Pdu, PduFramer, TLV } from '../../host/smpp/pdu.js';
import { STATUS } from '../../host/smpp/status.js';
import { parseReceiptText } from '../../host/smsc/receipt.js';
import type { Smsc } from '../../host/smsc/smsc.js';
import { ACCOUNT, esmeTo, FIRST_MSISDN, imsiUpdate, NEW_IMSI, startSmsc } from './support.js';

/** A bare TCP client that writes any bytes and reads PDUs back. */
class RawClient {
  private framer = new PduFramer();
  private got: Pdu[] = [];
  private wake: (() => void) | undefined;
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      for (const f of this.framer.push(new Uint8Array(c))) {
        if (f.kind !== 'pdu') continue;
        const d = decodePdu(f.bytes);
        if (d.ok) this.got.push(d.pdu);
      }
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => {});
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
    });
  }

  send(b: Bytes): void {
    this.socket.write(b);
  }

  pdu(commandId: number, sequence: number, body: Pdu['body'] = {}, tlvs: Pdu['tlvs'] = []): void {
    this.send(encodePdu({ commandId, status: 0, sequence, body, tlvs }));
  }

  async next(ms = 3000): Promise<Pdu> {
    const end = Date.now() + ms;
    while (!this.got.length) {
      if (this.closed || Date.now() > end) throw new Error('no PDU came');
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 50);
      });
    }
    return this.got.shift()!;
  }

  async waitClosed(ms = 3000): Promise<boolean> {
    const end = Date.now() + ms;
    while (!this.closed && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}

const bind = (systemId: string, password: string) => ({
  systemId,
  password,
  systemType: '',
  interfaceVersion: 0x34,
  addrTon: 0,
  addrNpi: 0,
  addressRange: '',
});

const smBody = (o: Partial<Record<string, string | number | Bytes>> = {}) => ({
  serviceType: '',
  sourceAddrTon: 1,
  sourceAddrNpi: 1,
  sourceAddr: '12345',
  destAddrTon: 1,
  destAddrNpi: 1,
  destinationAddr: FIRST_MSISDN,
  esmClass: 0x40,
  protocolId: 0x7f,
  priorityFlag: 0,
  scheduleDeliveryTime: '',
  validityPeriod: '',
  registeredDelivery: 0,
  replaceIfPresentFlag: 0,
  dataCoding: 0xf6,
  smDefaultMsgId: 0,
  shortMessage: fromHex('027000'),
  ...o,
});

let smsc: Smsc | undefined;
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await smsc?.close();
  smsc = undefined;
});

async function setup(config = {}) {
  const s = await startSmsc(3, config);
  smsc = s.smsc;
  const raw = async () => {
    const c = await RawClient.open(s.port);
    closers.push(() => c.close());
    return c;
  };
  const esme = async () => {
    const e = await esmeTo(s.port);
    closers.push(() => e.close());
    return e;
  };
  return { ...s, raw, esme };
}

async function boundRaw(s: Awaited<ReturnType<typeof setup>>, as: number = CMD.bind_transceiver) {
  const c = await s.raw();
  c.pdu(as, 1, bind(ACCOUNT.systemId, ACCOUNT.password));
  expect((await c.next()).status).toBe(STATUS.ROK);
  return c;
}

describe('binds (SMPP v3.4 §4.1, §5.1.3)', () => {
  it('refuses a wrong password and an unknown system_id, then accepts the right bind', async () => {
    const s = await setup();
    const c = await s.raw();
    c.pdu(CMD.bind_transceiver, 1, bind(ACCOUNT.systemId, 'wrong'));
    expect(await c.next()).toMatchObject({
      commandId: CMD.bind_transceiver_resp,
      status: STATUS.RINVPASWD,
      sequence: 1,
    });
    c.pdu(CMD.bind_transmitter, 2, bind('nobody', 'x'));
    expect(await c.next()).toMatchObject({
      commandId: CMD.bind_transmitter_resp,
      status: STATUS.RINVSYSID,
      sequence: 2,
    });
    c.pdu(CMD.bind_transceiver, 3, bind(ACCOUNT.systemId, ACCOUNT.password));
    const ok = await c.next();
    expect(ok).toMatchObject({ status: STATUS.ROK, sequence: 3, body: { systemId: 'uicc-smsc' } });
    expect(toHex(ok.tlvs.find((t) => t.tag === TLV.sc_interface_version)!.value)).toBe('34');
    c.pdu(CMD.bind_receiver, 4, bind(ACCOUNT.systemId, ACCOUNT.password));
    expect(await c.next()).toMatchObject({
      commandId: CMD.bind_receiver_resp,
      status: STATUS.RALYBND,
      sequence: 4,
    });
  });

  it('answers submit_sm and unbind in the wrong bind state with ESME_RINVBNDSTS', async () => {
    const s = await setup();
    const c = await s.raw();
    c.pdu(CMD.submit_sm, 1, smBody());
    expect(await c.next()).toMatchObject({
      commandId: CMD.submit_sm_resp,
      status: STATUS.RINVBNDSTS,
      sequence: 1,
    });
    c.pdu(CMD.unbind, 2);
    expect(await c.next()).toMatchObject({ commandId: CMD.unbind_resp, status: STATUS.RINVBNDSTS });
    c.pdu(CMD.enquire_link, 3); // allowed in every state
    expect(await c.next()).toMatchObject({
      commandId: CMD.enquire_link_resp,
      status: STATUS.ROK,
      sequence: 3,
    });
    const rx = await boundRaw(s, CMD.bind_receiver);
    rx.pdu(CMD.submit_sm, 2, smBody());
    expect(await rx.next()).toMatchObject({ commandId: CMD.submit_sm_resp, status: STATUS.RINVBNDSTS });
    rx.pdu(CMD.unbind, 3);
    expect(await rx.next()).toMatchObject({ commandId: CMD.unbind_resp, status: STATUS.ROK });
    expect(await rx.waitClosed()).toBe(true);
  });
});

describe('bad PDUs (SMPP v3.4 §5.1.3) never crash the server nor disturb other sessions', () => {
  it('answers unknown and unsupported command ids with generic_nack ESME_RINVCMDID', async () => {
    const s = await setup();
    const c = await boundRaw(s);
    const unknown = new Uint8Array(16);
    new DataView(unknown.buffer).setUint32(0, 16);
    new DataView(unknown.buffer).setUint32(4, 0x00000077);
    new DataView(unknown.buffer).setUint32(12, 9);
    c.send(unknown);
    expect(await c.next()).toMatchObject({
      commandId: CMD.generic_nack,
      status: STATUS.RINVCMDID,
      sequence: 9,
    });
    // query_sm is a valid id this SMSC does not offer; outbind goes the other way (SMSC to ESME).
    for (const id of [CMD.query_sm, CMD.outbind, CMD.alert_notification]) {
      const b = new Uint8Array(20);
      new DataView(b.buffer).setUint32(0, 20);
      new DataView(b.buffer).setUint32(4, id);
      new DataView(b.buffer).setUint32(12, 10);
      c.send(b);
      expect(await c.next()).toMatchObject({
        commandId: CMD.generic_nack,
        status: STATUS.RINVCMDID,
        sequence: 10,
      });
    }
  });

  it('answers malformed bodies with their status and oversize PDUs with ESME_RINVCMDLEN, session alive', async () => {
    const s = await setup();
    const c = await boundRaw(s);
    const good = encodePdu({ commandId: CMD.submit_sm, status: 0, sequence: 2, body: smBody(), tlvs: [] });
    const cut = good.slice(0, 30);
    new DataView(cut.buffer).setUint32(0, 30);
    c.send(cut);
    expect(await c.next()).toMatchObject({
      commandId: CMD.submit_sm_resp,
      status: STATUS.RINVCMDLEN,
      sequence: 2,
    });
    c.send(
      encodePdu({ commandId: CMD.submit_sm, status: 0, sequence: 3, body: smBody(), tlvs: [] }).subarray(
        0,
        0,
      ),
    );
    const big = new Uint8Array(MAX_PDU_LENGTH + 10);
    new DataView(big.buffer).setUint32(0, big.length);
    new DataView(big.buffer).setUint32(4, CMD.submit_sm);
    new DataView(big.buffer).setUint32(12, 4);
    c.send(big);
    expect(await c.next()).toMatchObject({
      commandId: CMD.generic_nack,
      status: STATUS.RINVCMDLEN,
      sequence: 4,
    });
    c.pdu(CMD.enquire_link, 5);
    expect(await c.next()).toMatchObject({
      commandId: CMD.enquire_link_resp,
      status: STATUS.ROK,
      sequence: 5,
    });
  });

  it('refuses messages the handset cannot pass to a card, each with its status', async () => {
    const s = await setup();
    const c = await boundRaw(s);
    const cases: [Partial<Record<string, string | number | Bytes>>, number, Pdu['tlvs']?][] = [
      [{ destinationAddr: '999099999999' }, STATUS.RINVDSTADR],
      [{ shortMessage: new Uint8Array(141).fill(1) }, STATUS.RINVMSGLEN],
      [{ protocolId: 0x00 }, STATUS.RSUBMITFAIL],
      [{ dataCoding: 0x00 }, STATUS.RSUBMITFAIL],
      [{ dataCoding: 0x08 }, STATUS.RSUBMITFAIL],
      [{ esmClass: 0x48 }, STATUS.RINVESMCLASS],
      [{ sourceAddr: 'OTA' }, STATUS.RINVSRCADR],
      [{}, STATUS.RINVOPTPARAMVAL, [{ tag: TLV.message_payload, value: fromHex('027000') }]],
      [
        { shortMessage: new Uint8Array(0) },
        STATUS.RINVMSGLEN,
        [{ tag: TLV.message_payload, value: new Uint8Array(40000) }],
      ],
    ];
    let seq = 10;
    for (const [o, status, tlvs] of cases) {
      c.pdu(CMD.submit_sm, ++seq, smBody(o), tlvs ?? []);
      expect(await c.next(), JSON.stringify(o)).toMatchObject({
        commandId: CMD.submit_sm_resp,
        status,
        sequence: seq,
      });
    }
    c.pdu(CMD.data_sm, ++seq, {
      serviceType: '',
      sourceAddrTon: 1,
      sourceAddrNpi: 1,
      sourceAddr: '1',
      destAddrTon: 1,
      destAddrNpi: 1,
      destinationAddr: FIRST_MSISDN,
      esmClass: 0x40,
      registeredDelivery: 0,
      dataCoding: 0xf6,
    });
    expect(await c.next()).toMatchObject({ commandId: CMD.data_sm_resp, status: STATUS.RMISSINGOPTPARAM });
    expect(s.smsc.stats.submitted).toBe(0);
  });

  it('keeps a good session doing OTA round trips while others send garbage', async () => {
    const s = await setup();
    const good = await s.esme();
    const ota = new OtaServer();
    const garbage = async (k: number) => {
      const c = await s.raw();
      for (let i = 0; i < 20; i++) {
        const b = new Uint8Array(16 + ((i * 7 + k) % 40));
        for (let j = 4; j < b.length; j++) b[j] = (i * 31 + j * 17 + k) & 0xff;
        new DataView(b.buffer).setUint32(0, i % 5 === 0 ? 3 : b.length);
        c.send(b);
        await new Promise((r) => setImmediate(r));
      }
      c.close();
    };
    const trips = (async () => {
      const out: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await deliverOtaSmpp(good, ota, imsiUpdate(0x19), { msisdn: FIRST_MSISDN });
        out.push(r.por?.ok ? toHex(r.por.data) : 'no PoR');
      }
      return out;
    })();
    await Promise.all([garbage(1), garbage(2), garbage(3)]);
    expect(await trips).toEqual(Array(5).fill(`039000${NEW_IMSI}`));
    // The server still takes new sessions.
    const late = await s.esme();
    expect((await late.enquireLink()).status).toBe(STATUS.ROK);
  });
});

describe('deliver_sm goes to a receiver bind of the account', () => {
  it('submits on a transmitter bind; the PoR reaches a receiver bound later (kept until then)', async () => {
    const s = await setup();
    const tx = await esmeTo(s.port, { mode: 'transmitter' });
    closers.push(() => tx.close());
    const ota = new OtaServer();
    const prepared = ota.prepare(imsiUpdate(0x19));
    const ud = fromHex(`027000${toHex(prepared.packet)}`);
    await tx.submit({
      sourceAddr: '12345',
      destinationAddr: FIRST_MSISDN,
      esmClass: 0x40,
      protocolId: 0x7f,
      dataCoding: 0xf6,
      shortMessage: ud,
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(s.smsc.stats.delivered).toBe(1);
    // A receiver of another account never sees it.
    const other = await esmeTo(s.port, { mode: 'receiver', systemId: 'other', password: 'pw2' });
    closers.push(() => other.close());
    const rx = await esmeTo(s.port, { mode: 'receiver' });
    closers.push(() => rx.close());
    const por = await rx.nextDeliver(() => true, 3000);
    expect(por.body.sourceAddr).toBe(FIRST_MSISDN);
    expect(ota.readPorFromEnvelopeResponse(prepared.expect, por.body.shortMessage as Bytes)).toMatchObject({
      ok: true,
      status: 0,
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(other.inbox).toEqual([]);
  });
});

describe('store and forward, receipts and concatenation', () => {
  const receipt = (p: Pdu) => parseReceiptText(p.body.shortMessage as Bytes);

  it('keeps a message for a powered-off card and sends an EXPIRED receipt when it stays off', async () => {
    const s = await setup({ retryForMs: 300 });
    await s.smsc.setPower(FIRST_MSISDN, false);
    const e: Esme = await s.esme();
    const id = await e.submit({
      sourceAddr: '12345',
      destinationAddr: FIRST_MSISDN,
      esmClass: 0x40,
      protocolId: 0x7f,
      dataCoding: 0xf6,
      registeredDelivery: 2,
      shortMessage: fromHex('027000'),
    });
    const r = await e.nextDeliver((p) => (Number(p.body.esmClass) & 0x3c) === 4, 3000);
    expect(receipt(r)).toMatchObject({ id, stat: 'EXPIRED' });
    expect(toHex(r.tlvs.find((t) => t.tag === TLV.message_state)!.value)).toBe('03');
    expect(s.smsc.stats).toMatchObject({ submitted: 1, failed: 1, delivered: 0 });
  });

  it('delivers a kept message when the card comes back on', async () => {
    const s = await setup({ retryForMs: 10_000 });
    await s.smsc.setPower(FIRST_MSISDN, false);
    const e = await s.esme();
    const p = deliverOtaSmpp(e, new OtaServer(), imsiUpdate(0x19), { msisdn: FIRST_MSISDN, timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 200));
    expect(s.smsc.stats.delivered).toBe(0);
    await s.smsc.setPower(FIRST_MSISDN, true);
    const r = await p;
    expect(r.por).toMatchObject({ ok: true, status: 0 });
    expect(r.receipt).toBe('DELIVRD');
  });

  it('answers a transaction-mode submit to a powered-off card ESME_RDELIVERYFAILURE', async () => {
    const s = await setup();
    await s.smsc.setPower(FIRST_MSISDN, false);
    const e = await s.esme();
    const r = await e.submitRaw({
      sourceAddr: '12345',
      destinationAddr: FIRST_MSISDN,
      esmClass: 0x42,
      protocolId: 0x7f,
      dataCoding: 0xf6,
      shortMessage: fromHex('027000'),
    });
    expect(r.status).toBe(STATUS.RDELIVERYFAILURE);
  });

  it('sends an UNDELIV receipt when the card refuses the message, and the card still takes the next one', async () => {
    const s = await setup();
    const e = await s.esme();
    // A command packet too short to be one: the card answers with an error status word.
    const id = await e.submit({
      sourceAddr: '12345',
      destinationAddr: FIRST_MSISDN,
      esmClass: 0x40,
      protocolId: 0x7f,
      dataCoding: 0x16,
      registeredDelivery: 2,
      shortMessage: fromHex('02700000'),
    });
    const r = await e.nextDeliver((p) => (Number(p.body.esmClass) & 0x3c) === 4, 3000);
    expect(receipt(r)).toMatchObject({ id, stat: 'UNDELIV' });
    const ok = await deliverOtaSmpp(e, new OtaServer(), imsiUpdate(0x19), { msisdn: FIRST_MSISDN });
    expect(ok.por).toMatchObject({ ok: true });
  });

  it('splits a long data_sm message_payload into concatenated SMS that the card reassembles', async () => {
    const s = await setup();
    const e = await s.esme();
    const ota = new OtaServer();
    // A script long enough for a command packet over one SMS: 12 READ BINARY commands padded by SELECTs.
    const req = { ...imsiUpdate(0x19), script: fromHex(`${'00A40004026F07'.repeat(20)}00B0000009`) };
    const prepared = ota.prepare(req);
    const whole = fromHex(`027000${toHex(prepared.packet)}`);
    expect(whole.length).toBeGreaterThan(140);
    const resp = await e.conn.request(
      CMD.data_sm,
      {
        serviceType: '',
        sourceAddrTon: 1,
        sourceAddrNpi: 1,
        sourceAddr: '12345',
        destAddrTon: 1,
        destAddrNpi: 1,
        destinationAddr: FIRST_MSISDN,
        esmClass: 0x40,
        registeredDelivery: 1,
        dataCoding: 0xf6,
      },
      [{ tag: TLV.message_payload, value: whole }],
    );
    expect(resp.status).toBe(STATUS.ROK);
    const por = await e.nextDeliver((p) => (Number(p.body.esmClass) & 0x3c) === 0, 3000);
    const r = ota.readPorFromEnvelopeResponse(prepared.expect, por.body.shortMessage as Bytes);
    expect(r).toMatchObject({ ok: true, status: 0 });
    if (r.ok) expect(toHex(r.data)).toMatch(/^159000/); // 21 commands, the last READ BINARY answered 9000
  });
});
