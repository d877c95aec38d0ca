// Encrypted card images (scrypt + AES-256-GCM): the image and its journal entries hold no secret in clear;
// a wrong key and a changed byte are refused with a clear message.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../card-os/bytes.js';
import { openCard } from '../../host/card-factory.js';
import { cardKeyFrom } from '../../host/card-store/seal.js';
import { captureCli } from '../support/cli.js';
import { ADM1, PIN1, tx, USIM_AID } from '../support/uicc.js';

const dir = () => mkdtempSync(join(tmpdir(), 'uicc-sealed-'));
const key = (p: string) => ({ passphrase: p, source: 'test' });
// The default profile's K (TS 35.208 test set 1, as in profiles/default-usim.yaml).
const K_HEX = '465B5CE8B199B49FAA5F0A2EE238A6BC';

describe('encrypted card images', () => {
  it('round trip; no PIN, K or IMSI in clear in the image or the journal', () => {
    const path = join(dir(), 'c.img');
    const a = openCard({ card: path, key: key('correct horse') });
    a.card.protocol = 1;
    tx(a.card, `00A4040407${USIM_AID}`);
    tx(a.card, `0020000A08${ADM1}`);
    tx(a.card, '00A40004026F07');
    expect(tx(a.card, '00D6000009080910101032547633').sw).toBe('9000');
    a.save();
    const journal = readFileSync(`${path}.journal`);
    expect(toHex(journal)).not.toContain('080910101032547633');
    a.close();
    const text = readFileSync(path, 'utf8');
    expect(JSON.parse(text).format).toBe('uicc-card-image-sealed');
    for (const clear of [K_HEX, '31323334FFFFFFFF', 'default-usim', 'secret/'])
      expect(text.toUpperCase()).not.toContain(clear.toUpperCase());
    const b = openCard({ card: path, key: key('correct horse') });
    b.card.protocol = 1;
    tx(b.card, `00A4040407${USIM_AID}`);
    tx(b.card, `0020000108${PIN1}`);
    expect(tx(b.card, '00B0870009').data).toBe('080910101032547633');
    b.close();
  });

  it('a wrong key, no key, a key for a clear image and a changed byte are refused, naming the image', () => {
    const d = dir();
    const path = join(d, 'c.img');
    openCard({ card: path, key: key('right') }).close();
    expect(() => openCard({ card: path, key: key('wrong') })).toThrow(
      `${path}: cannot decrypt card image: wrong key (test) or the image was modified`,
    );
    expect(() => openCard({ card: path })).toThrow(`${path}: card image is encrypted: give its passphrase`);
    const f = JSON.parse(readFileSync(path, 'utf8'));
    const data = Buffer.from(f.data, 'base64');
    data[40]! ^= 0x01;
    writeFileSync(path, JSON.stringify({ ...f, data: data.toString('base64') }));
    expect(() => openCard({ card: path, key: key('right') })).toThrow(
      /cannot decrypt card image: wrong key .* or the image was modified/,
    );
    const clear = join(d, 'clear.img');
    openCard({ card: clear }).close();
    expect(() => openCard({ card: clear, key: key('x') })).toThrow(
      `${clear}: card image is not encrypted, but a key was given (test)`,
    );
  });

  it('a changed journal entry is refused (GCM), even with its checksum recomputed', async () => {
    const path = join(dir(), 'c.img');
    openCard({ card: path, key: key('k') }).close();
    const a = openCard({ card: path, key: key('k') });
    a.card.protocol = 1;
    tx(a.card, '002000010839393939FFFFFFFF');
    a.save();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: 2 ** 22 + 1, command: 'crashed', since: '' }));
    const j = readFileSync(`${path}.journal`);
    j[j.length - 1]! ^= 1; // the tag of the only entry
    // Recompute the (unkeyed) checksum as an attacker could.
    const { createHash } = await import('node:crypto');
    const payload = j.subarray(44);
    const gen = j.subarray(8, 24);
    createHash('sha256')
      .update(gen)
      .update(Buffer.from([0, 0, 0, 0]))
      .update(payload)
      .digest()
      .copy(j, 28, 0, 16);
    writeFileSync(`${path}.journal`, j);
    expect(() => openCard({ card: path, key: key('k') })).toThrow(
      `${path}.journal: card journal entry 1 does not decrypt: wrong key or modified`,
    );
  });

  it('the passphrase comes from --card-key-file or UICC_CARD_KEY; bad key files are refused', () => {
    const d = dir();
    writeFileSync(join(d, 'key'), 'from file\n');
    expect(cardKeyFrom(join(d, 'key'), 'env')?.passphrase).toBe('from file');
    expect(cardKeyFrom(undefined, 'env')).toEqual({ passphrase: 'env', source: 'UICC_CARD_KEY' });
    expect(cardKeyFrom(undefined, undefined)).toBeUndefined();
    writeFileSync(join(d, 'empty'), '\n');
    expect(() => cardKeyFrom(join(d, 'empty'))).toThrow('card key file is empty');
    expect(() => cardKeyFrom('/dev/zero')).toThrow('/dev/zero: card key file is not a regular file');
    expect(() => cardKeyFrom(undefined, '')).toThrow('UICC_CARD_KEY is set but empty');
  });

  describe('through the CLI', () => {
    const { uicc, text } = captureCli();
    it('uicc card new --card-key-file, then uicc run needs the key', async () => {
      const d = dir();
      const img = join(d, 'c.img');
      writeFileSync(join(d, 'key'), 'pass phrase');
      writeFileSync(join(d, 's.apdu'), 'select-usim => 61xx\n');
      expect(await uicc('card', 'new', '--out', img, '--card-key-file', join(d, 'key'))).toBe(0);
      expect(await uicc('run', join(d, 's.apdu'), '--card', img)).toBe(2);
      expect(text()).toContain(`${img}: card image is encrypted`);
      expect(await uicc('run', join(d, 's.apdu'), '--card', img, '--card-key-file', join(d, 'key'))).toBe(0);
    });
  });
});
