// ROTATE leaves no key in clear behind it: the unwrapped payload and the keys decoded from it are wiped
// once the command is answered, while NVM keeps its own copies. The real unwrap and decode run; this file
// only keeps hold of what they return, to look at it afterwards.
import { describe, expect, it, vi } from 'vitest';
import type * as Rotation from '../../applets/keyslots/rotation.js';
import { encodeRotationPayload, wrapPayload } from '../../applets/keyslots/rotation.js';
import { KIK_RECORD } from '../../applets/keyslots/staging.js';
import { encodeOtaConfig, keysetRecordName, OTA_RECORD_TARS } from '../../applets/ota/ota-config.js';
import { type Bytes, fromHex, toHex } from '../../card-os/bytes.js';
import type { CardOs } from '../../card-os/card.js';
import { tx } from '../support/uicc.js';
import { authWith, m2mCard, openApplet } from './support.js';

const seen = vi.hoisted(() => ({ plain: [] as Bytes[], decoded: [] as Rotation.RotationPayload[] }));

vi.mock('../../applets/keyslots/rotation.js', async (importOriginal) => {
  const real = await importOriginal<typeof Rotation>();
  return {
    ...real,
    unwrapPayload: (kik: Bytes, wrapped: Bytes) => {
      const plain = real.unwrapPayload(kik, wrapped);
      if (plain) seen.plain.push(plain);
      return plain;
    },
    decodeRotationPayload: (b: Bytes) => {
      const p = real.decodeRotationPayload(b);
      if (p) seen.decoded.push(p);
      return p;
    },
  };
});

const KIK0 = fromHex('5E0C6BEC8098AAFFF05A8BFB5E676924');
const NEW = { k: '00112233445566778899AABBCCDDEEFF', opc: 'FFEEDDCCBBAA99887766554433221100' };
const NEW_KIK = '2B7E151628AED2A6ABF7158809CF4F3C';
const KIC = '0F0E0D0C0B0A09080706050403020100';

/** A card with the admin right, and nothing caught yet. */
function freshCard(): CardOs {
  const card = m2mCard();
  openApplet(card);
  seen.plain.length = 0;
  seen.decoded.length = 0;
  return card;
}

function rotate(card: CardOs, payload: Bytes): string {
  const wrapped = wrapPayload(KIK0, payload);
  const data = `8201AA86${wrapped.length.toString(16).padStart(2, '0')}${toHex(wrapped)}`;
  return tx(card, `805E0000${(data.length / 2).toString(16).padStart(2, '0')}${data}`).sw;
}

const isZero = (b: Bytes | undefined) => b !== undefined && b.length > 0 && b.every((x) => x === 0);

describe('ROTATE wipes the keys it handled', () => {
  it('after a rotation: payload and decoded keys zeroed, NVM holding the new keys intact', () => {
    const m2m = freshCard();
    const r = encodeOtaConfig({
      keysets: [
        {
          kvn: 1,
          kic: { alg: 'aes', key: fromHex(KIC) },
          kid: { alg: 'aes', key: fromHex('1F1E1D1C1B1A19181716151413121110') },
        },
      ],
      tars: [],
    });
    r.delete(OTA_RECORD_TARS);
    const payload = encodeRotationPayload({
      k: fromHex(NEW.k),
      opc: fromHex(NEW.opc),
      keysets: [...r.values()],
      kik: fromHex(NEW_KIK),
    });
    expect(rotate(m2m, payload)).toBe('9000');
    expect(seen.plain).toHaveLength(1);
    expect(isZero(seen.plain[0])).toBe(true);
    const p = seen.decoded[0]!;
    for (const b of [p.k, p.opc, p.kik, ...p.keysets]) expect(isZero(b)).toBe(true);
    // The card's own copies are untouched (NVM and its journal keep the buffers they are given).
    expect(toHex(m2m.nvm.get(KIK_RECORD)!)).toBe(NEW_KIK);
    expect(toHex(m2m.nvm.get(keysetRecordName(1))!)).toContain(KIC);
    expect(authWith(m2m, NEW)).toBe('ok');
  });

  it('after a refusal (keysets that would lock the operator out): wiped too', () => {
    const m2m = freshCard();
    const r = encodeOtaConfig({
      keysets: [{ kvn: 5, kic: { alg: 'aes', key: fromHex(KIC) }, kid: { alg: 'aes', key: fromHex(KIC) } }],
      tars: [],
    });
    r.delete(OTA_RECORD_TARS);
    expect(
      rotate(
        m2m,
        encodeRotationPayload({ k: fromHex(NEW.k), opc: fromHex(NEW.opc), keysets: [...r.values()] }),
      ),
    ).toBe('6A80');
    expect(isZero(seen.plain[0])).toBe(true);
    const p = seen.decoded[0]!;
    for (const b of [p.k, p.opc, ...p.keysets]) expect(isZero(b)).toBe(true);
  });
});
