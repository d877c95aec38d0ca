// The ISIM's EF codecs (applets/isim/codecs.ts, TS 31.103 §4.2) reach the host through the applet registry:
// the profile writes decoded values, `card show` and the profile description decode ADF.ISIM's files, and a
// FID the ISIM shares with the USIM (6F07 EF.IST / EF.IMSI) decodes by the ADF it sits in.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { type FileSpec, walk } from '../../card-os/fs/model.js';
import { describeContent } from '../../host/cli/card-inspect.js';
import { applicationCodecFor, codecFor, EF_CODECS } from '../../host/codecs/table.js';
import { describeProfile, loadProfile, parseProfileText } from '../../host/profile/load.js';

const PROFILE = 'profiles/examples/usim-isim.yaml';
const isim = (name: string) => EF_CODECS.find((c) => c.application?.name === 'ISIM' && c.name === name)!;

function isimFiles(): Map<string, FileSpec> {
  const out = new Map<string, FileSpec>();
  for (const f of walk(loadProfile(PROFILE).spec.mf)) if (f.parent?.name === 'ADF.ISIM') out.set(f.name, f);
  return out;
}

describe('ISIM codecs from the registry', () => {
  it('the example profile written in decoded forms gives the bytes TS 31.103 §4.2 codes', () => {
    const files = isimFiles();
    const text = (t: string) => toHex(new TextEncoder().encode(t));
    const impi = '001010123456789@ims.mnc001.mcc001.3gppnetwork.org';
    expect(toHex(files.get('EF.IMPI')!.initial)).toBe(`8031${text(impi)}`);
    expect(toHex(files.get('EF.DOMAIN')!.initial)).toBe(`8021${text('ims.mnc001.mcc001.3gppnetwork.org')}`);
    expect(toHex(files.get('EF.IST')!.initial)).toBe('01');
    expect(toHex(files.get('EF.AD')!.initial)).toBe('000000');
    const impu = files.get('EF.IMPU')!.initial;
    expect(toHex(impu.subarray(0, 64))).toBe(`8035${text(`sip:${impi}`)}${'FF'.repeat(9)}`);
    expect(toHex(impu.subarray(64, 86))).toBe(`8014${text('tel:+001010123456789')}`);
    const pcscf = files.get('EF.P-CSCF')!.initial;
    expect(toHex(pcscf.subarray(0, 42))).toBe(`802800${text('pcscf.ims.mnc001.mcc001.3gppnetwork.org')}`);
  });

  it('decodes ADF.ISIM files by their ADF, not by the USIM FID they share', () => {
    const files = isimFiles();
    const ist = files.get('EF.IST')!;
    expect(codecFor(0x6f07)?.name).toBe('EF.IMSI');
    expect(codecFor(ist.path)?.name).toBe('EF.IMSI');
    expect(applicationCodecFor(ist)?.key).toBe('ist');
    expect(applicationCodecFor(files.get('EF.AD')!)?.key).toBe('isimAd');
    expect(describeContent(ist, ist.initial)).toBe('[1]');
    expect(describeContent(files.get('EF.AD')!, files.get('EF.AD')!.initial)).toBe('{mode: normal}');
    expect(describeContent(files.get('EF.IMPI')!, files.get('EF.IMPI')!.initial)).toBe(
      '001010123456789@ims.mnc001.mcc001.3gppnetwork.org',
    );
    // A USIM file with the same FID keeps the USIM codec.
    const imsi = [...walk(loadProfile(PROFILE).spec.mf)].find((f) => f.name === 'EF.IMSI')!;
    expect(applicationCodecFor(imsi)).toBeUndefined();
    expect(describeContent(imsi, imsi.initial)).toBe('001010123456789');
    const text = describeProfile(loadProfile(PROFILE));
    expect(text).toContain('record 2: tel:+001010123456789');
    expect(text).toContain('record 1: {fqdn: pcscf.ims.mnc001.mcc001.3gppnetwork.org}');
    expect(text).toContain('= {mode: normal}');
  });

  it('codes P-CSCF addresses of every type (TS 31.103 §4.2.8)', () => {
    const c = isim('EF.P-CSCF');
    expect(toHex(c.encode({ ipv4: '192.0.2.1' }, 8))).toBe('800501C0000201FF');
    expect(c.decode(fromHex('800501C0000201FF'))).toEqual({ ipv4: '192.0.2.1' });
    const v6 = c.encode({ ipv6: '2001:db8::1' });
    expect(toHex(v6)).toBe('80110220010DB8000000000000000000000001');
    expect(c.decode(v6)).toEqual({ ipv6: '2001:db8:0:0:0:0:0:1' });
    expect(toHex(c.encode(c.decode(v6)))).toBe(toHex(v6));
  });

  it('malformed contents decode to nothing', () => {
    const bad: [string, string][] = [
      ['EF.IMPI', '8103616263'], // tag 81, not 80
      ['EF.IMPI', '8003C3286100'], // not UTF-8
      ['EF.IMPI', '8000FF'], // empty identity
      ['EF.IMPI', '800561'], // length runs past the file
      ['EF.IMPI', '8001610000'], // trailing bytes are not FF padding
      ['EF.P-CSCF', '800203FF'], // address type 03 is not defined
      ['EF.P-CSCF', '80040101020304'.slice(0, 12)], // IPv4 address of 3 octets
      ['EF.P-CSCF', '800100'], // no address
      ['EF.AD', '0000'], // 2 bytes
      ['EF.AD', '030000'], // mode 03 is not defined
      ['EF.AD', '000001'], // RFU bits set
    ];
    for (const [name, hex] of bad) expect(isim(name).decode(fromHex(hex)), `${name} ${hex}`).toBeUndefined();
  });

  it('refuses values that do not fit or are not addresses', () => {
    expect(() => isim('EF.IMPI').encode('a'.repeat(60), 51)).toThrow(/51/);
    expect(() => isim('EF.P-CSCF').encode({ ipv4: '300.1.1.1' })).toThrow(/IPv4/);
    expect(() => isim('EF.P-CSCF').encode({ ipv6: '1::2::3' })).toThrow(/IPv6/);
    expect(() => isim('EF.P-CSCF').encode({ ipv6: '1:2:3' })).toThrow(/IPv6/);
    expect(() => isim('EF.IST').encode([9], 1)).toThrow(/does not fit/);
    expect(() => isim('EF.AD').encode({ mode: 'sleepy' })).toThrow();
  });

  it('a profile cannot put an ISIM value on a USIM file with the same FID', () => {
    const yaml = readFileSync(PROFILE, 'utf8').replace(
      /(- name: EF\.IMSI[^\n]*\n(?:\s+\w+:[^\n]*\n)*?\s+)imsi: "?\d+"?/,
      '$1ist: [1]',
    );
    expect(yaml).toContain('ist: [1]\n        - name: EF.Keys');
    expect(() => parseProfileText(yaml, 'x.yaml')).toThrow(
      /"ist" contents are for EF\.IST \(6F07\), not EF\.IMSI/,
    );
  });
});
