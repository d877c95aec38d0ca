import { describe, expect, it } from 'vitest';
import { encodeCommandPacket } from '../../applets/ota/command-packet.js';
import { encodeSmsPpEnvelope } from '../../applets/ota/envelope-sms-pp.js';
import { encodeSmsDeliver, smsAddress } from '../../applets/ota/sms-tpdu.js';
import type { Spi } from '../../applets/ota/spi.js';
import { buildUserData, IEI_CPI } from '../../applets/ota/user-data-header.js';
import { buildCommand } from '../../card-os/apdu.js';
import { type Bytes, concat, fromHex, toHex } from '../../card-os/bytes.js';
import { ber } from '../../card-os/tlv.js';
import type { RenderedExchange } from '../../host/trace/model.js';
import { commandSecrets, secretDigest } from '../../host/trace/redact.js';
import { maskedHex, TraceRenderer } from '../../host/trace/render.js';

const PIN1 = '31323334FFFFFFFF';
const PUK = '3132333435363738';
const NEW = '39393939FFFFFFFF';

function renderAll(pairs: [string, string][]): RenderedExchange[] {
  const r = new TraceRenderer();
  return pairs.map(
    ([c, s], n) =>
      r.render({
        kind: 'exchange',
        t: n,
        ms: 0,
        command: fromHex(c),
        response: fromHex(s),
      }) as RenderedExchange,
  );
}

describe('command secrets', () => {
  it('masks the PIN block of VERIFY, DISABLE and ENABLE PIN, named by key reference', () => {
    for (const [ins, ref, name] of [
      ['20', '01', 'pin1'],
      ['26', '01', 'pin1'],
      ['28', '81', 'pin2'],
      ['20', '0A', 'adm1'],
      ['20', '11', 'upin'],
      ['20', '85', 'key85'],
    ]) {
      expect(commandSecrets(fromHex(`00${ins}00${ref}08${PIN1}`))).toEqual([
        { in: 'command', at: 5, len: 8, what: 'PIN block', secret: name },
      ]);
    }
  });

  it('masks both blocks of CHANGE and UNBLOCK PIN with their own names', () => {
    expect(commandSecrets(fromHex(`0024000110${PIN1}${NEW}`)).map((r) => [r.at, r.len, r.secret])).toEqual([
      [5, 8, 'pin1'],
      [13, 8, 'pin1.new'],
    ]);
    expect(commandSecrets(fromHex(`002C000110${PUK}${NEW}`)).map((r) => [r.at, r.len, r.secret])).toEqual([
      [5, 8, 'pin1.puk'],
      [13, 8, 'pin1.new'],
    ]);
  });

  it('leaves VERIFY without data (retry counter query) and ordinary commands alone', () => {
    expect(commandSecrets(fromHex('0020000100'.slice(0, 8)))).toEqual([]);
    expect(commandSecrets(fromHex('00200001'))).toEqual([]);
    expect(commandSecrets(fromHex('00B0000009'))).toEqual([]);
    expect(commandSecrets(fromHex('00D6000003010203'))).toEqual([]);
  });

  it('masks everything after the header of a malformed PIN command', () => {
    const r = commandSecrets(fromHex('0020000108313233'));
    expect(r).toHaveLength(1);
    expect([r[0]!.at, r[0]!.len]).toEqual([4, 4]);
  });

  it('masks PUT KEY key data', () => {
    const r = commandSecrets(fromHex('80D80181170188100102030405060708090A0B0C0D0E0F10030A0B0C'));
    expect(r).toEqual([{ in: 'command', at: 5, len: 23, what: 'PUT KEY key data', secret: 'put-key.0181' }]);
  });
});

const OTA_SPI_CLEAR: Spi = {
  integrity: 'rc',
  ciphered: false,
  counter: 'none',
  por: 'always',
  porIntegrity: 'none',
  porCiphered: false,
  porViaSubmit: false,
};

function otaEnvelope(script: Bytes, spi: Spi): Bytes {
  const pkt = encodeCommandPacket({
    spi,
    kic: 0x00,
    kid: spi.integrity === 'rc' ? 0x05 : 0x00,
    tar: 0xb00010,
    cntr: 1,
    data: script,
    integrity: spi.integrity === 'rc' ? { kind: 'rc', crc: 'crc32' } : undefined,
    cipher: spi.ciphered ? { alg: 'aes', key: new Uint8Array(16) } : undefined,
  });
  const tpdu = encodeSmsDeliver({
    udhi: true,
    oa: smsAddress('1234'),
    pid: 0x7f,
    dcs: 0xf6,
    scts: new Uint8Array(7),
    ud: buildUserData([{ iei: IEI_CPI, data: new Uint8Array(0) }], pkt),
  });
  return buildCommand(0x80, 0xc2, 0, 0, encodeSmsPpEnvelope({ tpdu }));
}

describe('OTA command packets (ENVELOPE SMS-PP)', () => {
  const verifyAdm = fromHex(`002000 0A 08 3132333435363738`.replace(/ /g, ''));

  it('masks a VERIFY ADM inside an unciphered compact script, and only that', () => {
    const script = concat(fromHex('00A40004023F00'), verifyAdm, fromHex('00B0000009'));
    const cmd = otaEnvelope(script, OTA_SPI_CLEAR);
    const r = commandSecrets(cmd);
    expect(r).toHaveLength(1);
    expect(r[0]!.secret).toBe('adm1');
    expect(toHex(cmd.subarray(r[0]!.at, r[0]!.at + r[0]!.len))).toBe('3132333435363738');
    expect(toHex(cmd.subarray(r[0]!.at - 5, r[0]!.at))).toBe('002000' + '0A08');
  });

  it('masks a VERIFY ADM inside an expanded (AA/22) script', () => {
    const script = ber(0xaa, ber(0x22, fromHex('00A40004023F00')), ber(0x22, verifyAdm));
    const cmd = otaEnvelope(script, OTA_SPI_CLEAR);
    const r = commandSecrets(cmd);
    expect(r).toHaveLength(1);
    expect(toHex(cmd.subarray(r[0]!.at, r[0]!.at + r[0]!.len))).toBe('3132333435363738');
  });

  it('keeps in step after GET DATA (CB) in a compact script, as the card does', () => {
    // 00 CB with P3 = Le: no data follows, so the VERIFY right after it is a command of its own.
    const script = concat(fromHex('00CB3FFF05'), verifyAdm);
    const cmd = otaEnvelope(script, OTA_SPI_CLEAR);
    const r = commandSecrets(cmd);
    expect(r.map((x) => x.secret)).toEqual(['adm1']);
    expect(toHex(cmd.subarray(r[0]!.at, r[0]!.at + r[0]!.len))).toBe('3132333435363738');
  });

  it('masks a VERIFY ADM inside an indefinite-length expanded (AE 80 ... 00 00) script', () => {
    const script = concat(
      fromHex('AE80'),
      ber(0x22, fromHex('00A40004023F00')),
      ber(0x22, verifyAdm),
      fromHex('0000'),
    );
    const cmd = otaEnvelope(script, OTA_SPI_CLEAR);
    const r = commandSecrets(cmd);
    expect(r.map((x) => x.secret)).toEqual(['adm1']);
    expect(toHex(cmd.subarray(r[0]!.at, r[0]!.at + r[0]!.len))).toBe('3132333435363738');
  });

  it('masks an extended-length PUT KEY inside an expanded script', () => {
    const keyData = fromHex('0188100102030405060708090A0B0C0D0E0F10030A0B0C');
    const putKey = buildCommand(0x80, 0xd8, 0x01, 0x81, keyData, undefined, true);
    const cmd = otaEnvelope(ber(0xaa, ber(0x22, putKey)), OTA_SPI_CLEAR);
    const r = commandSecrets(cmd);
    expect(r.map((x) => x.secret)).toEqual(['put-key.0181']);
    expect(toHex(cmd.subarray(r[0]!.at, r[0]!.at + r[0]!.len))).toBe(toHex(keyData));
  });

  it('masks nothing in a ciphered packet: nothing after the header is in clear', () => {
    const cmd = otaEnvelope(concat(verifyAdm), { ...OTA_SPI_CLEAR, integrity: 'none', ciphered: true });
    expect(commandSecrets(cmd)).toEqual([]);
  });

  it('decodes the clear header for the trace', () => {
    const [e] = renderAll([[toHex(otaEnvelope(verifyAdm, OTA_SPI_CLEAR)), '9000']]);
    expect(e!.details.join('\n')).toMatch(
      /OTA command: TAR B00010, SPI 0101 \(RC; PoR always\), KIc 00, KID 05, CNTR 0000000001/,
    );
    expect(e!.details.join('\n')).toMatch(/masked: PIN block \[adm1\]/);
  });
});

describe('AUTHENTICATE answers', () => {
  const RAND = '00112233445566778899AABBCCDDEEFF';
  const AUTN = 'FFEEDDCCBBAA99887766554433221100';
  const auth = `0088008122 10${RAND} 10${AUTN}`.replace(/ /g, '');
  const RES = 'A54211D5E3BA50BF';
  const CK = 'B40BA9A3C58B2A05BBF0D987B21BF8CB';
  const IK = 'F769BCD751044604127672711C6D3441';
  const KC = 'EAE4BE823AF9A08B';
  const db = `DB08${RES}10${CK}10${IK}08${KC}`;

  it('masks CK, IK and Kc of a 3G answer fetched with GET RESPONSE, keeps RES, with digests', () => {
    const [a, g] = renderAll([
      [auth, '6135'],
      ['00C0000035', `${db}9000`],
    ]);
    expect(a!.redactions).toEqual([]);
    expect(a!.details.join('\n')).toContain(`RAND ${RAND}, AUTN ${AUTN}`);
    expect(g!.origin).toBe(1);
    expect(g!.redactions.map((r) => [r.what, r.at, r.len])).toEqual([
      ['CK', 11, 16],
      ['IK', 28, 16],
      ['Kc', 45, 8],
    ]);
    expect(g!.redactions[0]!.digest).toBe(secretDigest(fromHex(CK)));
    const hex = maskedHex(g!.response, g!.redactions, 'response');
    expect(hex).toBe(`DB08${RES}10${'**'.repeat(16)}10${'**'.repeat(16)}08${'**'.repeat(8)}9000`);
    expect(toHex(g!.response)).not.toContain(CK);
    expect(g!.details.join('\n')).toContain(`RES ${RES}, CK and IK masked`);
  });

  it('follows an answer split over several GET RESPONSE pieces', () => {
    const full = fromHex(db);
    const [, g1, g2] = renderAll([
      [auth, '6135'],
      ['00C0000014', `${toHex(full.subarray(0, 20))}6121`],
      ['00C0000021', `${toHex(full.subarray(20))}9000`],
    ]);
    expect(g1!.redactions.map((r) => [r.what, r.at, r.len])).toEqual([['CK', 11, 9]]);
    expect(g2!.offset).toBe(20);
    expect(g2!.redactions.map((r) => [r.what, r.at, r.len])).toEqual([
      ['CK', 0, 7],
      ['IK', 8, 16],
      ['Kc', 25, 8],
    ]);
    expect(toHex(g1!.response) + toHex(g2!.response)).not.toContain(CK.slice(0, 18));
  });

  it('masks Kc of a GSM-context answer and nothing of a synchronisation failure', () => {
    const [, g] = renderAll([
      [`0088008011 10${RAND}`.replace(/ /g, ''), '610E'],
      ['00C000000E', `04A54211D508${KC}9000`],
    ]);
    expect(g!.redactions.map((r) => [r.what, r.at, r.len])).toEqual([['Kc', 6, 8]]);
    const [, s] = renderAll([
      [auth, '6110'],
      ['00C0000010', 'DC0E0102030405060708090A0B0C0D0E9000'],
    ]);
    expect(s!.redactions).toEqual([]);
    expect(s!.details.join('\n')).toContain('AUTS 0102030405060708090A0B0C0D0E');
  });

  it('does not take GP INTERNAL AUTHENTICATE (80 88, SCP11b) for a USIM AUTHENTICATE', () => {
    const [e] = renderAll([['80880013' + '05A6039001' + '00', `5F4904${'11'.repeat(4)}86021234${'9000'}`]]);
    expect(e!.redactions).toEqual([]);
  });
});

describe('key files', () => {
  it('masks READ BINARY of EF.Keys selected by FID or reached by SFI 08, and UPDATE BINARY on it', () => {
    const content = `07${'11'.repeat(32)}`;
    const e = renderAll([
      ['00A4000C026F08', '9000'],
      ['00B0000021', `${content}9000`],
      ['00B0880021', `${content}9000`],
      ['00B0000021', `${content}9000`],
      [`00D6000021${content}`, '9000'],
      ['00A4000C026F07', '9000'],
      ['00B0000009', '0809101010325476989000'],
    ]);
    for (const k of [1, 2, 3])
      expect(e[k]!.redactions).toEqual([
        expect.objectContaining({ in: 'response', at: 0, len: 33, what: 'key file content' }),
      ]);
    expect(e[4]!.redactions).toEqual([
      expect.objectContaining({ in: 'command', at: 5, len: 33, secret: 'file.0000' }),
    ]);
    expect(e[6]!.redactions).toEqual([]);
    expect(e[1]!.details.join('\n')).not.toContain('11111111');
  });
});
