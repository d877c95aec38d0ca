// The `keySlots` profile section: the m2m profile personalises the slots and the applet; bad sections are
// reported with file, line, place and reason, and never with a key value.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KIK_RECORD } from '../../applets/keyslots/staging.js';
import { SLOT_TABLE, slotRecord } from '../../applets/subscriptions/slot-store.js';
import { toHex } from '../../card-os/bytes.js';
import { personalise } from '../../host/personalise.js';
import { describeProfile, loadProfile, ProfileError, parseProfileText } from '../../host/profile/load.js';
import { M2M_PROFILE } from './support.js';

const TEXT = readFileSync(M2M_PROFILE, 'utf8');

function errorsOf(text: string): ProfileError {
  try {
    parseProfileText(text, 'bad.yaml');
  } catch (e) {
    if (e instanceof ProfileError) return e;
    throw e;
  }
  throw new Error('the profile was accepted');
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('keySlots section', () => {
  it('the m2m profile: slot 0 from subscriber and ota, slots 1..n unused, the applet added', () => {
    const p = loadProfile(M2M_PROFILE);
    expect(p.keySlots).toMatchObject({ admin: 0x0a, deriveKvn: 1 });
    expect(p.keySlots?.slots.map((s) => s.mode)).toEqual(['keys', 'derive']);
    const t = personalise(p);
    expect(toHex(t.spec.nvm.get(SLOT_TABLE)!)).toBe('010000');
    for (const i of [0, 1, 2]) expect(t.spec.nvm.has(slotRecord(i))).toBe(true);
    expect(t.spec.nvm.has(KIK_RECORD)).toBe(true);
    expect(t.applets.map((a) => a.name)).toContain('KEYSLOTS');
    expect(describeProfile(p)).not.toContain('4C65F1102BE81D36E530DB7530871BA5');
  });

  it('a slot with both a master secret and keys, or with keys but no OTA keyset', () => {
    const text = TEXT.replace(
      '    - master: 755F',
      '    - k: 00000000000000000000000000000000\n      master: 755F',
    ).replace(/ {6}ota:\n {8}- kvn: 1\n {10}kic: \{algorithm: aes, key: 35E8[^\n]*\n {10}kid: [^\n]*\n/, '');
    const e = errorsOf(text);
    expect(e.message).toContain(
      'keySlots.slots[1].k: a slot with a master secret derives its keys: give master alone',
    );
    expect(e.message).toContain('keySlots.slots[0].ota: a slot needs the OTA keyset(s) of its subscription');
    expect(e.message).not.toContain('755FD6F4944088DF');
    expect(e.issues.find((i) => i.path === 'keySlots.slots[1].k')?.line).toBe(lineOf(text, '    - k: 0000'));
  });

  it('slots no TAR would let anyone manage: keyset KVN and deriveKvn without the admin right', () => {
    const text = TEXT.replace('keysets: [{kvn: 1, grants: [0A]}]', 'keysets: [{kvn: 1, grants: [01]}]');
    const e = errorsOf(text);
    expect(e.message).toMatch(/ota\.keysets: slot 0: no TAR grants ADM1 \(0A\)/);
    expect(e.message).toMatch(/keySlots\.slots\[0\]\.ota: slot 1: no TAR grants ADM1/);
    expect(e.message).toMatch(/keySlots\.deriveKvn: no TAR grants ADM1 \(0A\) to keyset 1/);
  });

  it('needs the subscriber section, EF.IMSI, and not more than 31 reserve slots', () => {
    const noSub = TEXT.replace(/subscriber:\n( {2}.*\n)+/, '');
    expect(errorsOf(noSub).message).toContain('keySlots: needs the subscriber section');
    const noImsi = TEXT.replace('fid: 6F07', 'fid: 6F08');
    expect(errorsOf(noImsi).message).toContain('the switch writes EF.IMSI (6F07, transparent, 9 bytes)');
    const many = TEXT.replace(
      '    - master: 755F',
      `${'    - master: 00112233445566778899AABBCCDDEEFF\n'.repeat(30)}    - master: 755F`,
    );
    expect(errorsOf(many).message).toContain('keySlots.slots: at most 31 slots besides slot 0');
  });

  it("value checks: admin must be a key reference, KIK an AES key, the AID not an ADF's", () => {
    expect(errorsOf(TEXT.replace('admin: 0A', 'admin: 09')).message).toContain(
      'keySlots.admin: is not a key reference',
    );
    expect(
      errorsOf(
        TEXT.replace(/kik: 5E0C6BEC8098AAFFF05A8BFB5E676924/, 'kik: 5E0C6BEC8098AAFFF05A8BFB5E67692400'),
      ).message,
    ).toContain('keySlots.kik: an AES key is 16, 24 or 32 bytes');
    expect(errorsOf(TEXT.replace('keySlots:\n', 'keySlots:\n  aid: A0000000871002FF\n')).message).toContain(
      'keySlots.aid: is the AID of an ADF',
    );
  });
});
