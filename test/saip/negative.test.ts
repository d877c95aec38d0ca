// Broken profile packages: each gets the PEStatus of the PE definitions v3.3.1 (EUICCResponse) with the failing
// PE's index and identification, and installUpp never throws (also under random corruption).

import { describe, expect, it } from 'vitest';
import { encodeEuiccResponse, installUpp, type UppInstall } from '../../applets/euicc/saip/install.js';
import { decodeUpp, PE_STATUS } from '../../applets/euicc/saip/pe.js';
import { concat, fromHex, toHex } from '../../card-os/bytes.js';
import { createCard } from '../../card-os/card.js';
import { ber, readBer } from '../../card-os/tlv.js';
import { ts48 } from './support.js';

const FILE = 'TS48v2_SAIP2.3_BERTLV.der';
const upp = ts48(FILE);
const split = decodeUpp(upp);
if (!split.ok) throw new Error('vector does not split');
const pes = split.pes;
const indexOf = (name: string) => pes.findIndex((p) => p.name === name);

function patched(from: string, to: string, bytes = upp): Uint8Array {
  const hex = toHex(bytes);
  const at = hex.indexOf(from.toUpperCase());
  expect(at, `pattern ${from}`).toBeGreaterThanOrEqual(0);
  expect(at % 2).toBe(0);
  return fromHex(hex.slice(0, at) + to.toUpperCase() + hex.slice(at + from.length));
}

function failed(r: UppInstall) {
  if (r.ok) throw new Error('installed, but should have failed');
  return r.failure;
}

describe('installUpp: broken packages', () => {
  it('truncated DER: the PE that does not parse, invalid-request-format', () => {
    const f = failed(installUpp(upp.subarray(0, upp.length - 3)));
    expect(f.peIndex).toBe(pes.length - 1);
    expect(f.status).toBe(PE_STATUS.invalidRequestFormat);
    const mid = failed(installUpp(upp.subarray(0, 1000)));
    expect(mid.peIndex).toBe(pes.findIndex((p) => p.raw.byteOffset - upp.byteOffset + p.raw.length > 1000));
  });

  it('empty input and a lone byte', () => {
    expect(failed(installUpp(new Uint8Array(0))).status).toBe(PE_STATUS.invalidRequestFormat);
    expect(failed(installUpp(Uint8Array.of(0xa0))).peIndex).toBe(0);
  });

  it('first PE not the header', () => {
    const f = failed(installUpp(concat(...pes.slice(1).map((p) => p.raw))));
    expect(f).toMatchObject({ peIndex: 0, status: PE_STATUS.invalidRequestFormat });
  });

  it('no PE-End, and PE-End before the last PE', () => {
    const noEnd = concat(...pes.slice(0, -1).map((p) => p.raw));
    expect(failed(installUpp(noEnd))).toMatchObject({
      peIndex: pes.length - 2,
      status: PE_STATUS.invalidRequestFormat,
    });
    const early = concat(pes[0]!.raw, pes[pes.length - 1]!.raw, ...pes.slice(1).map((p) => p.raw));
    expect(failed(installUpp(early))).toMatchObject({ peIndex: 1, status: PE_STATUS.invalidRequestFormat });
  });

  it('unknown template OID in a PE: template-not-supported, with that PE', () => {
    // USIM templateID 2.23.143.1.2.4 -> 2.23.143.1.2.99
    const f = failed(installUpp(patched('810667810f010204', '810667810f010263')));
    const usim = pes[indexOf('usim')]!;
    expect(f).toMatchObject({
      peIndex: usim.index,
      identification: usim.identification,
      status: PE_STATUS.templateNotSupported,
    });
    expect(toHex(encodeEuiccResponse({ ok: false, failure: f }))).toBe(
      `300CA008300680010981010${usim.identification!.toString(16).toUpperCase()}8100`,
    );
  });

  it('unknown template in the header mandatory GFSTE list: template-not-supported on PE 0', () => {
    // the GFSTE entry 2.23.143.1.2.1 -> 2.23.143.1.2.77
    const f = failed(installUpp(patched('060667810f010201', '060667810f01024d')));
    expect(f).toMatchObject({ peIndex: 0, status: PE_STATUS.templateNotSupported });
  });

  it('a template PE with another kind of template: bad values', () => {
    // the USIM PE names the ISIM template 2.23.143.1.2.8
    const f = failed(installUpp(patched('810667810f010204', '810667810f010208')));
    expect(f).toMatchObject({ peIndex: indexOf('usim'), status: PE_STATUS.badValues });
  });

  it('bad values: a PIN key reference that is no PIN, content past the end of a file', () => {
    const pin = failed(
      installUpp(patched('3013800101810830303030ffffffff', '3013800120810830303030ffffffff')),
    );
    expect(pin).toMatchObject({ peIndex: indexOf('pinCodes'), status: PE_STATUS.badValues });
    // PIN1 "00 0" with a letter: not digits padded with FF (TS 102 221 §9.5.1)
    const letters = failed(installUpp(patched('810830303030ffffffff', '810830304130ffffffff')));
    expect(letters).toMatchObject({ peIndex: indexOf('pinCodes'), status: PE_STATUS.badValues });
    expect(letters.message).toMatch(/PIN 01 value/);
    // EF.IMSI content of 10 bytes in a file of 9 (the USIM PE: a3 {a1 fcp, 83 09 ...} -> 83 0A ... +1 byte)
    const r = installUpp(grown('8309080910101032540636', '830a080910101032540636ff'));
    expect(failed(r)).toMatchObject({ peIndex: indexOf('usim'), status: PE_STATUS.badValues });
  });

  it('unsupported major version: unsupported-profile-version', () => {
    const f = failed(installUpp(patched('a0819f800102', 'a0819f800109')));
    expect(f).toMatchObject({ peIndex: 0, status: PE_STATUS.unsupportedProfileVersion });
    expect(toHex(encodeEuiccResponse({ ok: false, failure: f }))).toBe('3009A005300380011F8100');
  });

  it('a file larger than the profile memory: not-enough-memory', () => {
    // EF.UMPC in the MF PE gets an efFileSize of 0x7FFFFFFF (lengths fixed up)
    const big = grown('83022f088b032f060288', '83022f088b032f060280047fffffff88');
    const f = failed(installUpp(big));
    expect(f.message).toMatch(/ef-umpc: .* do not fit/);
    expect(f).toMatchObject({ peIndex: indexOf('mf'), status: PE_STATUS.notEnoughMemory });
  });

  it('never throws and never installs garbage under random corruption', () => {
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    let failures = 0;
    for (let i = 0; i < 300; i++) {
      const b = upp.slice();
      for (let n = 0; n < 1 + (rnd() % 4); n++) b[rnd() % b.length] = rnd() & 0xff;
      const r = installUpp(b.subarray(0, rnd() % 8 === 0 ? rnd() % b.length : b.length));
      if (!r.ok) {
        failures++;
        expect(r.failure.peIndex).toBeGreaterThanOrEqual(0);
        expect(encodeEuiccResponse(r)[0]).toBe(0x30);
        continue;
      }
      // A corrupted package that still installs makes a card that answers, with a status word, every time.
      const card = createCard(r.profile.spec, { applets: r.profile.applets });
      for (const apdu of [
        '00A40004022FE2',
        '00B000000A',
        '00A4040407A0000000871002',
        '00A40004026F07',
        '00B0000009',
        '002000010830303030FFFFFFFF',
      ])
        expect(card.transmit(fromHex(apdu)).length).toBeGreaterThanOrEqual(2);
    }
    expect(failures).toBeGreaterThan(100);
  });
});

/**
 * Applies a byte patch that may change lengths, re-encoding the definite length of every TLV whose content
 * encloses it (the patch region must lie within one TLV's content or cover whole TLVs).
 */
function patchTree(b: Uint8Array, at: number, oldLen: number, repl: Uint8Array): Uint8Array {
  let off = 0;
  while (off < b.length) {
    const t = readBer(b, off)!;
    const vs = off + t.length - t.value.length;
    if (at >= vs && at + oldLen <= off + t.length && b[off]! & 0x20)
      return concat(
        b.subarray(0, off),
        ber(t.tag, patchTree(t.value, at - vs, oldLen, repl)),
        b.subarray(off + t.length),
      );
    off += t.length;
  }
  return concat(b.subarray(0, at), repl, b.subarray(at + oldLen));
}

function grown(from: string, to: string): Uint8Array {
  const at = toHex(upp).indexOf(from.toUpperCase());
  expect(at, `pattern ${from}`).toBeGreaterThanOrEqual(0);
  return patchTree(upp, at / 2, from.length / 2, fromHex(to));
}
