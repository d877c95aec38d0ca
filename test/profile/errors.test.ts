// Bad profiles: every error names the file, the line, the place in the profile and what is wrong, with no
// stack trace and no key value in the message.

import { readFileSync } from 'node:fs';
import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../card-os/bytes.js';
import { compileProfile, loadProfile, ProfileError, parseProfileText } from '../../host/profile/load.js';
import type { ProfileDoc } from '../../host/profile/schema.js';

const FILE = 'profiles/bad.yaml';

const BASE = `description: test
atr: 3B9796801FC78031E073FE211FBB
pins:
  - ref: 01
    value: "1234"
  - ref: 0A
    hex: 3132333435363738
mf:
  arr: 2
  files:
    - name: EF.ARR
      fid: 2F06
      structure: linear-fixed
      recordLength: 32
      recordCount: 3
      arr: 1
      rules:
        - "read: always, update: ADM1"
        - "update: ADM1, activate: ADM1"
    - name: EF.DIR
      fid: 2F00
      sfi: 1E
      structure: linear-fixed
      recordLength: 32
      recordCount: 1
      arr: 1
      dir:
        - {aid: A0000000871002FF, label: USIM}
  adf:
    - name: USIM
      aid: A0000000871002FF
      fid: 7FF0
      arr: 2
      files:
        - name: EF.IMSI
          fid: 6F07
          sfi: 07
          structure: transparent
          size: 9
          arr: 1
          imsi: "001010123456789"
        - name: EF.AD
          fid: 6FAD
          sfi: 03
          structure: transparent
          size: 4
          arr: 1
          ad: {mode: normal, mncLength: 2}
`;

/** 1-based line of the first line containing `needle` (after `after`, if given). */
function lineOf(text: string, needle: string, after?: string): number {
  const lines = text.split('\n');
  const start = after ? lines.findIndex((l) => l.includes(after)) : 0;
  const i = lines.findIndex((l, n) => n >= start && l.includes(needle));
  if (i < 0) throw new Error(`test bug: "${needle}" not in the profile`);
  return i + 1;
}

function replace(text: string, from: string, to: string, after?: string): string {
  const start = after ? text.indexOf(after) : 0;
  const at = text.indexOf(from, start);
  if (at < 0) throw new Error(`test bug: "${from}" not in the profile`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

function errorOf(text: string): ProfileError {
  try {
    parseProfileText(text, FILE);
  } catch (e) {
    expect(e).toBeInstanceOf(ProfileError);
    const pe = e as ProfileError;
    expect(pe.message).not.toMatch(/\n\s+at /); // no stack trace
    return pe;
  }
  throw new Error('the profile was accepted');
}

interface Case {
  what: string;
  from: string;
  to: string;
  /** Replace after this text (to pick the right occurrence). */
  after?: string;
  /** The message line expected, with LINE standing for the line of `to` (or of `lineAt`). */
  line: string;
  lineAt?: string;
}

const cases: Case[] = [
  {
    what: 'size smaller than the contents',
    from: 'size: 9',
    to: 'size: 8',
    line: 'mf.adf[USIM].files[EF.IMSI].size: 8 is too small for the contents (9 bytes)',
  },
  {
    what: 'duplicate SFI in a DF',
    from: 'sfi: 03',
    to: 'sfi: 07',
    line: 'mf.adf[USIM].files[EF.AD].sfi: SFI 07 is already used by EF.IMSI (6F07) in this DF',
    after: 'name: EF.AD',
  },
  {
    what: 'duplicate FID in a DF',
    from: 'fid: 6FAD',
    to: 'fid: 6F07',
    line: 'mf.adf[USIM].files[EF.AD].fid: FID 6F07 is already used by EF.IMSI in this DF',
    after: 'name: EF.AD',
  },
  {
    what: 'SFI out of range',
    from: 'sfi: 03',
    to: 'sfi: 1F',
    line: 'mf.adf[USIM].files[EF.AD].sfi: 1F is out of range (01..1E)',
  },
  {
    what: 'reserved FID',
    from: 'fid: 6F07',
    to: 'fid: 3FFF',
    line: 'mf.adf[USIM].files[EF.IMSI].fid: 3FFF is reserved (current DF in paths)',
  },
  {
    what: 'ADF FID outside 7FF0..7FFE',
    from: 'fid: 7FF0',
    to: 'fid: 7F20',
    line: 'mf.adf[USIM].fid: 7F20 is out of range (7FF0..7FFE)',
  },
  {
    what: 'unknown key',
    from: '          size: 4',
    to: '          sise: 4',
    line: 'mf.adf[USIM].files[EF.AD].sise: unknown key "sise"',
    lineAt: 'sise: 4',
  },
  {
    what: 'access rule pointing past the EF.ARR records',
    from: '          arr: 1\n          imsi',
    to: '          arr: 5\n          imsi',
    line: 'mf.adf[USIM].files[EF.IMSI].arr: EF.ARR (2F06) defines 2 rules; there is no rule 5',
    lineAt: 'arr: 5',
  },
  {
    what: 'access rule needing a key the profile lacks',
    from: '"update: ADM1, activate: ADM1"',
    to: '"update: 2PIN1, activate: ADM1"',
    line: 'mf.files[EF.ARR].rules[record 2]: needs 2PIN1 (key 81), which pins does not define',
  },
  {
    what: 'unreadable access rule',
    from: '"read: always, update: ADM1"',
    to: '"read: always, update: PIN9"',
    line: 'mf.files[EF.ARR].rules[record 1]: "PIN9" is not always, never or a key name (PIN1..8, 2PIN1..8, UPIN, ADM1..10)',
  },
  {
    what: 'key reference outside TS 102 221 Table 9.3',
    from: 'ref: 01',
    to: 'ref: 0F',
    line: 'pins[0F].ref: is not a key reference of TS 102 221 Table 9.3',
  },
  {
    what: 'PIN shorter than 4 digits',
    from: 'value: "1234"',
    to: 'value: "12"',
    line: 'pins[01].value: a PIN has 4 to 8 digits',
  },
  {
    what: 'PUK on an ADM key',
    from: '    hex: 3132333435363738',
    to: '    hex: 3132333435363738\n    puk: "12345678"',
    line: 'pins[0A].puk: ADM keys cannot be unblocked, so they have no PUK',
    lineAt: 'puk:',
  },
  {
    what: 'ADF AID missing from EF.DIR',
    from: 'aid: A0000000871002FF\n      fid',
    to: 'aid: A0000000871002AA\n      fid',
    line: 'mf.adf[USIM].aid: is not listed in EF.DIR (2F00), so terminals would not find it',
    lineAt: 'aid: A0000000871002AA',
  },
  {
    what: 'AID too short',
    from: 'aid: A0000000871002FF\n      fid',
    to: 'aid: A000\n      fid',
    line: 'mf.adf[USIM].aid: is 2 bytes long, expected 5 to 16',
    lineAt: ' aid: A000',
  },
  {
    what: 'record longer than the record length',
    from: 'recordLength: 32\n      recordCount: 1',
    to: 'recordLength: 16\n      recordCount: 1',
    line: 'mf.files[EF.DIR].dir[record 1]: is 18 bytes, longer than recordLength 16',
    lineAt: '{aid: A0000000871002FF',
  },
  {
    what: 'more records than recordCount',
    from: 'recordCount: 3',
    to: 'recordCount: 1',
    line: 'mf.files[EF.ARR].recordCount: 1 is too small for the 2 records given',
  },
  {
    what: 'ATR with a wrong TCK',
    from: '3B9796801FC78031E073FE211FBB',
    to: '3B9796801FC78031E073FE211FBC',
    line: 'atr: TCK is BC, should be BB',
  },
  {
    what: 'codec value that is not digits',
    from: 'imsi: "001010123456789"',
    to: 'imsi: "00101012345678X"',
    line: 'mf.adf[USIM].files[EF.IMSI].imsi: "00101012345678X" must contain decimal digits only',
  },
  {
    what: 'codec value on the wrong EF',
    from: 'ad: {mode: normal, mncLength: 2}',
    to: 'imsi: "001010123456789"',
    line: 'mf.adf[USIM].files[EF.AD].imsi: "imsi" contents are for EF.IMSI (6F07), not EF.AD (6FAD)',
    after: 'name: EF.AD',
  },
  {
    what: 'unknown operation mode in EF.AD',
    from: 'mode: normal',
    to: 'mode: sleepy',
    line: 'mf.adf[USIM].files[EF.AD].ad.mode: "sleepy" is not one of: normal, type-approval, normal-specific-facilities, type-approval-specific-facilities, maintenance, cell-test',
  },
  {
    what: 'missing access rule',
    from: 'mf:\n  arr: 2\n',
    to: 'mf:\n',
    line: 'mf: arr is required (every file needs an access rule)',
    lineAt: 'mf:',
  },
  {
    what: 'wrong structure name',
    from: 'structure: transparent',
    to: 'structure: binary',
    line: 'mf.adf[USIM].files[EF.IMSI].structure: "binary" is not one of: transparent, linear-fixed, cyclic, ber-tlv',
  },
  {
    what: 'a list where a single value belongs',
    from: 'size: 9',
    to: 'size: [9]',
    line: 'mf.adf[USIM].files[EF.IMSI].size: expected a single value, got a list',
  },
];

describe('profile errors name the file, line, place and problem', () => {
  it.each(cases)('$what', (c) => {
    const text = replace(BASE, c.from, c.to, c.after);
    const e = errorOf(text);
    const line = lineOf(text, c.lineAt ?? c.to.split('\n')[0]!.trim(), c.after);
    expect(e.message.split('\n')).toContain(`${FILE}:${line}: ${c.line}`);
  });

  it('carries file, line, path and problem on the error', () => {
    const text = replace(BASE, 'size: 9', 'size: 8');
    const e = errorOf(text);
    expect(e.file).toBe(FILE);
    expect(e.line).toBe(lineOf(text, 'size: 8'));
    expect(e.path).toBe('mf.adf[USIM].files[EF.IMSI].size');
    expect(e.problem).toBe('8 is too small for the contents (9 bytes)');
    expect(e.message).toBe(`${FILE}:${e.line}: ${e.path}: ${e.problem}`);
    expect(e.name).toBe('ProfileError');
  });

  it('reports several problems at once, in line order', () => {
    let text = replace(BASE, 'size: 9', 'size: 8');
    text = replace(text, 'sfi: 03', 'sfi: 07');
    const e = errorOf(text);
    expect(e.issues.length).toBe(2);
    expect(e.issues[0]!.line!).toBeLessThan(e.issues[1]!.line!);
  });

  it('reports YAML syntax errors with their line', () => {
    const text = replace(BASE, '  adf:', '  adf: [');
    const e = errorOf(text);
    expect(e.message).toMatch(new RegExp(`^${FILE}:\\d+: YAML: `));
    expect(e.line).toBeGreaterThanOrEqual(lineOf(text, 'adf: ['));
  });

  it('reports a missing file', () => {
    expect(() => loadProfile('profiles/does-not-exist.yaml')).toThrow(
      'profiles/does-not-exist.yaml: cannot read the profile (ENOENT)',
    );
  });

  it('reports a missing required section', () => {
    const e = errorOf(
      replace(BASE, 'pins:\n  - ref: 01\n    value: "1234"\n  - ref: 0A\n    hex: 3132333435363738\n', ''),
    );
    expect(e.message).toContain(`${FILE}:1: pins: is required`);
  });

  it('never puts key values in subscriber errors', () => {
    const k = '465B5CE8B199B49FAA5F0A2EE238A6BC';
    const e = errorOf(`${BASE}subscriber:\n  k: ${k}00\n  opc: ${k}\n  op: ${k}\n`);
    expect(e.message).toContain(
      `${FILE}:${lineOf(`${BASE}subscriber:\n  k: `, 'k: ')}: subscriber.k: is 17 bytes long, expected 16`,
    );
    expect(e.message).not.toContain('465B5CE8');
    const e2 = errorOf(`${BASE}subscriber:\n  k: ${k}\n`);
    expect(e2.message).toMatch(/subscriber: give exactly one of opc and op/);
  });

  it('checks the SQN parameters and Milenage constants with the USIM applet rules', () => {
    const k = '00'.repeat(16);
    const e = errorOf(`${BASE}subscriber:\n  k: ${k}\n  opc: ${k}\n  sqn:\n    indBits: 11\n`);
    expect(e.message).toMatch(/subscriber\.sqn\.indBits: 11 is out of range \(0\.\.10\)/);
    const c = `  constants:\n    r: [64, 0, 32, 64]\n    c: [${Array(5).fill(k).join(', ')}]\n`;
    const e2 = errorOf(`${BASE}subscriber:\n  k: ${k}\n  opc: ${k}\n${c}`);
    expect(e2.message).toMatch(/subscriber\.constants\.r: r needs 5 values/);
  });

  it('accepts the subscriber section of docs/profile-format.md', () => {
    const doc = readFileSync('docs/profile-format.md', 'utf8');
    const yaml = /```yaml\n(subscriber:[\s\S]*?)```/.exec(doc)![1]!;
    const s = parseProfileText(BASE + yaml, FILE).subscriber!;
    expect(s.constants?.r).toEqual([64, 0, 32, 64, 96]);
    expect(s.sqn).toEqual({ indBits: 5, delta: 268435456, ageLimit: 1000000 });
    const ota = /```yaml\n(ota:[\s\S]*?)```/.exec(doc)![1]!;
    expect(parseProfileText(BASE + ota, FILE).ota!.tars[0]!.msl).toBe(0x16);
  });

  it('gives paths without lines when a document is compiled without its source', () => {
    const doc = {
      atr: Uint8Array.of(0x3b, 0x00),
      pins: [],
      mf: { arr: { record: 1 }, files: [] },
    } as unknown as ProfileDoc;
    expect(() => compileProfile(doc)).toThrow('<profile>: mf.arr: no EF.ARR found in MF');
  });
});

describe('ota and securityDomain sections', () => {
  const aesKey = '000102030405060708090A0B0C0D0E0F';
  const ota = `ota:
  keysets:
    - kvn: 1
      kic: {algorithm: aes, key: ${aesKey}}
      kid: {algorithm: aes, key: ${aesKey}}
    - kvn: 2
      kid: {algorithm: 3des2, key: ${aesKey}}
  tars:
    - tar: B00010
      context: uicc
      msl: {check: cc, cipher: true, counter: higher}
      keysets:
        - kvn: 1
          grants: [0A]
      counter: 5
    - tar: B00011
      context: usim
      msl: "12"
      keysets:
        - kvn: 2
`;
  it('returns OTA keysets and TARs typed', () => {
    const p = parseProfileText(BASE + ota, FILE);
    const o = p.ota!;
    expect(o.keysets.map((k) => [k.kvn, k.kic?.alg, k.kid?.alg])).toEqual([
      [1, 'aes', 'aes'],
      [2, undefined, '3des2'],
    ]);
    expect(toHex(o.keysets[0]!.kic!.key)).toBe(aesKey);
    expect(o.tars).toEqual([
      { tar: 0xb00010, context: 'uicc', msl: 0x16, keysets: [{ kvn: 1, grants: [0x0a] }] },
      { tar: 0xb00011, context: 'usim', msl: 0x12, keysets: [{ kvn: 2, grants: [] }] },
    ]);
    expect([...o.counters]).toEqual([[0xb00010, 5]]);
  });

  it('rejects OTA keys of the wrong length and TARs naming unknown keysets', () => {
    const text = BASE + replace(ota, `3des2, key: ${aesKey}`, `des, key: ${aesKey}`);
    const e = errorOf(text);
    expect(e.message).toBe(
      `${FILE}:${lineOf(text, 'algorithm: des,')}: ota.keysets[2].kid.key: a des key is 8 bytes long, not 16`,
    );
    const text2 = BASE + replace(ota, '        - kvn: 2\n', '        - kvn: 3\n');
    const e2 = errorOf(text2);
    expect(e2.message).toBe(
      `${FILE}:${lineOf(text2, '- kvn: 3')}: ota.tars[B00011].keysets[3].kvn: there is no keyset 3`,
    );
    expect(e.message + e2.message).not.toContain(aesKey);
  });

  it('returns the security domain typed and checks its key pair', () => {
    const sk = p256.utils.randomSecretKey();
    const pk = p256.getPublicKey(sk, false);
    const ca = p256.getPublicKey(p256.utils.randomSecretKey(), false);
    const cert = `7F2106${'93'}01${'01'}5F2000`; // 7F21 { 93 01 01, 5F20 00 }
    const sd = (pub: string) =>
      `securityDomain:\n  aid: A000000151000000\n  kvn: 03\n  keyPair:\n    private: ${toHex(sk)}\n    public: ${pub}\n  certificate: ${cert}\n  caPublicKey: ${toHex(ca)}\n`;
    const p = parseProfileText(BASE + sd(toHex(pk)), FILE);
    expect(p.securityDomain).toMatchObject({ kvn: 3 });
    expect(toHex(p.securityDomain!.publicKey)).toBe(toHex(pk));
    const e = errorOf(BASE + sd(toHex(ca)));
    expect(e.message).toMatch(/securityDomain\.keyPair\.public: does not belong to the private key/);
    expect(e.message).not.toContain(toHex(sk));
  });
});
