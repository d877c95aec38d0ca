// The SMPP v3.4 PDU codec (host/smpp/pdu.ts): the byte layouts of §3.2 and §4 (bind_transceiver and a
// submit_sm as Kannel 1.4.5 sends them), every field rule turned into the command_status §5.1.3 names,
// framing of a TCP stream, and tshark's SMPP dissector reading what we encode.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { CMD, decodePdu, encodePdu, MAX_PDU_LENGTH, type Pdu, PduFramer, TLV } from '../../host/smpp/pdu.js';
import { STATUS } from '../../host/smpp/status.js';
import { PcapTcpWriter } from '../../host/trace/pcap-tcp.js';
import { needs, toolGate } from '../pcsc-bridge/support.js';

const run = promisify(execFile);
const tsharkGate = await toolGate('tshark', ['--version'], 'tshark');

const ascii = (s: string) => toHex(new TextEncoder().encode(s));

/** bind_transceiver of system_id "esme1", password "secret", interface version 34 (§4.1.5). */
const BIND_TRX =
  `0000002200000009 0000000000000001 ${ascii('esme1')}00 ${ascii('secret')}00 00 34 00 00 00`.replace(
    / /g,
    '',
  );

/**
 * submit_sm body of §4.4.1: service_type "", TON 2 / NPI 1 source "12345", TON 2 / NPI 1 destination
 * "001010000000001", esm_class 43 (UDHI, store and forward), PID 7F, priority 0, no schedule/validity,
 * registered_delivery 11, data_coding 04, sm_length 10 = UDH 02 70 00 and 7 data octets.
 */
const SUBMIT_BODY =
  `00 02 01 ${ascii('12345')}00 02 01 ${ascii('001010000000001')}00 43 7F 00 00 00 11 00 04 00 0A 027000 000D1516 1112AA`.replace(
    / /g,
    '',
  );

describe('SMPP header and bodies (SMPP v3.4 §3.2, §4)', () => {
  it('decodes and re-encodes a bind_transceiver byte for byte', () => {
    const d = decodePdu(fromHex(BIND_TRX));
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.pdu).toMatchObject({ commandId: CMD.bind_transceiver, status: 0, sequence: 1 });
    expect(d.pdu.body).toEqual({
      systemId: 'esme1',
      password: 'secret',
      systemType: '',
      interfaceVersion: 0x34,
      addrTon: 0,
      addrNpi: 0,
      addressRange: '',
    });
    expect(toHex(encodePdu(d.pdu))).toBe(BIND_TRX);
  });

  it('decodes a submit_sm with a UDH and re-encodes it byte for byte', () => {
    const body = fromHex(SUBMIT_BODY);
    const pdu = fromHex(
      `${(16 + body.length).toString(16).padStart(8, '0')}00000004 00000000 00000002`.replace(/ /g, '') +
        SUBMIT_BODY,
    );
    const d = decodePdu(pdu);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.pdu.body).toMatchObject({
      sourceAddrTon: 2,
      sourceAddr: '12345',
      destinationAddr: '001010000000001',
      esmClass: 0x43,
      protocolId: 0x7f,
      registeredDelivery: 0x11,
      dataCoding: 0x04,
    });
    expect(toHex(d.pdu.body.shortMessage as Uint8Array)).toBe('027000000D15161112AA');
    expect(toHex(encodePdu(d.pdu))).toBe(toHex(pdu));
  });

  it('header-only PDUs: enquire_link, unbind, generic_nack', () => {
    for (const id of [CMD.enquire_link, CMD.unbind, CMD.generic_nack, CMD.enquire_link_resp]) {
      const b = encodePdu({
        commandId: id,
        status: id === CMD.generic_nack ? 3 : 0,
        sequence: 7,
        body: {},
        tlvs: [],
      });
      expect(b.length).toBe(16);
      const d = decodePdu(b);
      expect(d.ok && d.pdu.commandId === id && d.pdu.sequence === 7).toBe(true);
    }
  });

  it('an error response goes without its body (§4.4.2) and decodes so', () => {
    const b = encodePdu({
      commandId: CMD.submit_sm_resp,
      status: STATUS.RINVDSTADR,
      sequence: 9,
      body: {},
      tlvs: [],
    });
    expect(toHex(b)).toBe('00000010800000040000000B00000009');
    expect(decodePdu(b)).toMatchObject({ ok: true, pdu: { status: STATUS.RINVDSTADR, body: {} } });
  });

  it('round-trips any submit_sm with optional parameters (property)', () => {
    const digits = fc.stringMatching(/^[0-9]{0,20}$/);
    fc.assert(
      fc.property(
        digits,
        digits,
        fc.uint8Array({ maxLength: 254 }),
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ maxLength: 300 }),
        (src, dst, sm, esm, payload) => {
          const p: Pdu = {
            commandId: CMD.submit_sm,
            status: 0,
            sequence: 42,
            body: {
              serviceType: '',
              sourceAddrTon: 1,
              sourceAddrNpi: 1,
              sourceAddr: src,
              destAddrTon: 1,
              destAddrNpi: 1,
              destinationAddr: dst,
              esmClass: esm,
              protocolId: 0x7f,
              priorityFlag: 0,
              scheduleDeliveryTime: '',
              validityPeriod: '',
              registeredDelivery: 1,
              replaceIfPresentFlag: 0,
              dataCoding: 0xf6,
              smDefaultMsgId: 0,
              shortMessage: sm,
            },
            tlvs: [
              { tag: TLV.message_payload, value: payload },
              { tag: TLV.sar_msg_ref_num, value: Uint8Array.of(1, 2) },
            ],
          };
          const d = decodePdu(encodePdu(p));
          expect(d).toEqual({ ok: true, pdu: p });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('malformed bodies get the command_status of §5.1.3', () => {
  const bindWith = (systemId: string, password: string) =>
    encodePduUnchecked(CMD.bind_transmitter, `${ascii(systemId)}00${ascii(password)}00 00 34 00 00 00`);

  /** A PDU with any body bytes, length set right. */
  function encodePduUnchecked(id: number, bodyHex: string) {
    const body = fromHex(bodyHex.replace(/ /g, ''));
    const b = new Uint8Array(16 + body.length);
    const v = new DataView(b.buffer);
    v.setUint32(0, b.length);
    v.setUint32(4, id);
    v.setUint32(12, 5);
    b.set(body, 16);
    return b;
  }

  const submit = (mutate: (hex: string) => string) => encodePduUnchecked(CMD.submit_sm, mutate(SUBMIT_BODY));

  it.each([
    ['system_id over 15 octets', bindWith('a'.repeat(16), 'pw'), STATUS.RINVSYSID],
    ['password over 8 octets', bindWith('esme1', 'p'.repeat(9)), STATUS.RINVPASWD],
    ['unknown command_id', encodePduUnchecked(0x00000077, ''), STATUS.RINVCMDID],
    ['body cut short', submit((h) => h.slice(0, 20)), STATUS.RINVCMDLEN],
    [
      'sm_length past the end',
      submit((h) => h.replace('00040 00A'.replace(' ', ''), '0004 00FE'.replace(' ', ''))),
      STATUS.RINVMSGLEN,
    ],
    ['sm_length 255', submit((h) => `${h.slice(0, h.length - 22)}FF${'00'.repeat(255)}`), STATUS.RINVMSGLEN],
    [
      'destination_addr over 20 digits',
      submit((h) => h.replace(ascii('001010000000001'), ascii('0'.repeat(25)))),
      STATUS.RINVDSTADR,
    ],
    [
      'source_addr over 20 digits',
      submit((h) => h.replace(ascii('12345'), ascii('1'.repeat(22)))),
      STATUS.RINVSRCADR,
    ],
    ['truncated TLV', submit((h) => `${h}0424`), STATUS.RINVOPTPARSTREAM],
    ['TLV overrunning', submit((h) => `${h}04240010AA`), STATUS.RINVOPTPARSTREAM],
    ['sar_msg_ref_num of 3 octets', submit((h) => `${h}020C0003010203`), STATUS.RINVPARLEN],
    ['bytes after enquire_link', encodePduUnchecked(CMD.enquire_link, '00'), STATUS.RINVCMDLEN],
  ])('%s', (_name, bytes, status) => {
    const d = decodePdu(bytes);
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.status).toBe(status);
      expect(d.sequence).toBe(5);
    }
  });

  it('never throws on random bytes with a right command_length (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.values(CMD)), fc.uint8Array({ maxLength: 300 }), (id, body) => {
        const b = new Uint8Array(16 + body.length);
        new DataView(b.buffer).setUint32(0, b.length);
        new DataView(b.buffer).setUint32(4, id);
        b.set(body, 16);
        const d = decodePdu(b);
        if (d.ok) expect(toHex(encodePdu(d.pdu))).toBe(toHex(b));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('framing a TCP stream by command_length (§3.2)', () => {
  const el = (seq: number) =>
    encodePdu({ commandId: CMD.enquire_link, status: 0, sequence: seq, body: {}, tlvs: [] });

  it('splits PDUs arriving in arbitrary chunks', () => {
    const stream = new Uint8Array([...el(1), ...el(2), ...el(3)]);
    const f = new PduFramer();
    const got: number[] = [];
    for (let i = 0; i < stream.length; i += 7)
      for (const fr of f.push(stream.subarray(i, i + 7))) if (fr.kind === 'pdu') got.push(fr.bytes[15]!);
    expect(got).toEqual([1, 2, 3]);
  });

  it('reports an oversize PDU once, skips its bytes and stays in step', () => {
    const f = new PduFramer();
    const big = new Uint8Array(MAX_PDU_LENGTH + 100);
    new DataView(big.buffer).setUint32(0, big.length);
    new DataView(big.buffer).setUint32(4, CMD.submit_sm);
    new DataView(big.buffer).setUint32(12, 77);
    const frames = [...f.push(big.subarray(0, 1000)), ...f.push(big.subarray(1000)), ...f.push(el(4))];
    expect(frames.map((x) => x.kind)).toEqual(['bad-length', 'pdu']);
    expect(frames[0]).toMatchObject({ sequence: 77 });
  });

  it('reports a command_length below the header', () => {
    const b = el(1);
    new DataView(b.buffer).setUint32(0, 8);
    expect(new PduFramer().push(b)).toEqual([
      { kind: 'bad-length', length: 8, commandId: CMD.enquire_link, sequence: 1 },
    ]);
  });
});

describe("tshark's SMPP dissector reads what we encode", () => {
  it('decodes every PDU type we send, with no malformed packet', async (ctx) => {
    needs(ctx, tsharkGate);
    const dir = mkdtempSync(join(tmpdir(), 'uicc-smpp-pcap-'));
    try {
      const file = join(dir, 'x.pcap');
      const w = new PcapTcpWriter(file);
      const s = w.stream(40000, 2775);
      const sm = {
        serviceType: '',
        sourceAddrTon: 1,
        sourceAddrNpi: 1,
        sourceAddr: '999010000001',
        destAddrTon: 1,
        destAddrNpi: 1,
        destinationAddr: '12345',
        esmClass: 0x40,
        protocolId: 0x7f,
        priorityFlag: 0,
        scheduleDeliveryTime: '',
        validityPeriod: '',
        registeredDelivery: 1,
        replaceIfPresentFlag: 0,
        dataCoding: 0xf6,
        smDefaultMsgId: 0,
        shortMessage: fromHex('027100000B0AB0001100000000000006'),
      };
      const pdus: [Pdu, boolean][] = [
        [decodeOk(fromHex(BIND_TRX)), false],
        [
          {
            commandId: CMD.bind_transceiver_resp,
            status: 0,
            sequence: 1,
            body: { systemId: 'uicc-smsc' },
            tlvs: [{ tag: TLV.sc_interface_version, value: Uint8Array.of(0x34) }],
          },
          true,
        ],
        [
          { commandId: CMD.submit_sm, status: 0, sequence: 2, body: { ...sm, esmClass: 0x40 }, tlvs: [] },
          false,
        ],
        [{ commandId: CMD.submit_sm_resp, status: 0, sequence: 2, body: { messageId: '1' }, tlvs: [] }, true],
        [{ commandId: CMD.submit_sm_resp, status: STATUS.RINVDSTADR, sequence: 3, body: {}, tlvs: [] }, true],
        [{ commandId: CMD.deliver_sm, status: 0, sequence: 1, body: sm, tlvs: [] }, true],
        [
          { commandId: CMD.deliver_sm_resp, status: 0, sequence: 1, body: { messageId: '' }, tlvs: [] },
          false,
        ],
        [
          {
            commandId: CMD.deliver_sm,
            status: 0,
            sequence: 2,
            body: {
              ...sm,
              esmClass: 4,
              shortMessage: new TextEncoder().encode(
                'id:1 sub:001 dlvrd:001 submit date:2612031200 done date:2612031200 stat:DELIVRD err:000 text:',
              ),
            },
            tlvs: [
              { tag: TLV.receipted_message_id, value: fromHex('3100') },
              { tag: TLV.message_state, value: Uint8Array.of(2) },
            ],
          },
          true,
        ],
        [
          {
            commandId: CMD.data_sm,
            status: 0,
            sequence: 4,
            body: {
              serviceType: '',
              sourceAddrTon: 1,
              sourceAddrNpi: 1,
              sourceAddr: '12345',
              destAddrTon: 1,
              destAddrNpi: 1,
              destinationAddr: '999010000001',
              esmClass: 0x40,
              registeredDelivery: 0,
              dataCoding: 0xf6,
            },
            tlvs: [{ tag: TLV.message_payload, value: fromHex('027000AABB') }],
          },
          false,
        ],
        [{ commandId: CMD.data_sm_resp, status: 0, sequence: 4, body: { messageId: '2' }, tlvs: [] }, true],
        [{ commandId: CMD.enquire_link, status: 0, sequence: 5, body: {}, tlvs: [] }, false],
        [{ commandId: CMD.enquire_link_resp, status: 0, sequence: 5, body: {}, tlvs: [] }, true],
        [{ commandId: CMD.generic_nack, status: STATUS.RINVCMDID, sequence: 6, body: {}, tlvs: [] }, true],
        [{ commandId: CMD.unbind, status: 0, sequence: 7, body: {}, tlvs: [] }, false],
        [{ commandId: CMD.unbind_resp, status: 0, sequence: 7, body: {}, tlvs: [] }, true],
      ];
      for (const [p, fromServer] of pdus) s.data(encodePdu(p), fromServer);
      s.close();
      w.close();
      const decode = ['-r', file, '-d', 'tcp.port==2775,smpp'];
      const r = await run('tshark', [
        ...decode,
        '-Y',
        'smpp',
        '-T',
        'fields',
        '-e',
        'smpp.command_id',
        '-e',
        'smpp.sequence_number',
        '-e',
        'smpp.destination_addr',
      ]);
      const ids = r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[0]);
      expect(ids).toEqual(pdus.map(([p]) => `0x${p.commandId.toString(16).padStart(8, '0')}`));
      const bad = await run('tshark', [...decode, '-Y', '_ws.malformed || _ws.expert.severity >= "error"']);
      expect(bad.stdout.trim()).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function decodeOk(b: Uint8Array): Pdu {
  const d = decodePdu(b);
  if (!d.ok) throw new Error(d.reason);
  return d.pdu;
}
