// The `subscriber` section with `algorithm: tuak`: the example profile compiles to a TUAK key record, and
// mixed or wrong fields are reported with file, line, place and reason, never with a key value.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileError, parseProfileText } from '../../host/profile/load.js';
import { ROOT } from '../support/cli.js';

const FILE = join(ROOT, 'profiles', 'examples', 'tuak.yaml');
const TEXT = readFileSync(FILE, 'utf8');
const SUB = TEXT.slice(TEXT.indexOf('subscriber:'));

function errorsOf(subscriber: string): string {
  try {
    parseProfileText(TEXT.replace(SUB, subscriber), 'bad.yaml');
  } catch (e) {
    if (e instanceof ProfileError) return e.message;
    throw e;
  }
  throw new Error('the profile was accepted');
}

const K = 'FFFEFDFCFBFAF9F8F7F6F5F4F3F2F1F0EFEEEDECEBEAE9E8E7E6E5E4E3E2E1E0';
const K128 = '000102030405060708090A0B0C0D0E0F';

describe('subscriber algorithm tuak', () => {
  it('the example profile: 256-bit K, TOP, MAC 128, RES 128, CK/IK 256', () => {
    const p = parseProfileText(TEXT, FILE);
    expect(p.subscriber).toMatchObject({
      algorithm: 'tuak',
      tuak: { mac: 128, res: 128, ck: 256, ik: 256, iterations: 1 },
    });
    expect(p.subscriber?.k).toHaveLength(32);
    expect(p.subscriber?.top).toHaveLength(32);
  });

  it('defaults: MAC 64, RES 64, CK/IK 128, one iteration; a 128-bit K is fine', () => {
    const p = parseProfileText(
      TEXT.replace(SUB, `subscriber:\n  algorithm: tuak\n  k: ${K128}\n  topc: ${K}\n`),
      'ok.yaml',
    );
    expect(p.subscriber?.tuak).toEqual({ mac: 64, res: 64, ck: 128, ik: 128, iterations: 1 });
  });

  it('reports fields of the other algorithm, lengths TUAK does not have, and a 256-bit Milenage K', () => {
    const a = errorsOf(`subscriber:\n  algorithm: tuak\n  k: ${K}\n  opc: ${K128}\n  topc: ${K}\n`);
    expect(a).toMatch(/bad\.yaml:\d+: subscriber\.opc: opc belongs to algorithm milenage/);
    const b = errorsOf(
      `subscriber:\n  algorithm: tuak\n  k: ${K}\n  topc: ${K}\n  tuak: {mac: 96, iterations: 0}\n`,
    );
    expect(b).toContain('subscriber.tuak.mac: mac must be 64, 128 or 256 (bits)');
    expect(b).toMatch(/subscriber\.tuak\.iterations: 0 is out of range \(1\.\.255\)/);
    const c = errorsOf(`subscriber:\n  k: ${K}\n  opc: ${K128}\n  tuak: {mac: 64}\n`);
    expect(c).toContain('subscriber.k: is 32 bytes long, expected 16');
    expect(c).toContain('subscriber.tuak: tuak belongs to algorithm tuak');
    const d = errorsOf(`subscriber:\n  algorithm: tuak\n  k: ${K}\n`);
    expect(d).toContain('subscriber: give exactly one of topc and top');
    for (const m of [a, b, c, d]) expect(m).not.toContain(K.slice(0, 16));
  });
});
