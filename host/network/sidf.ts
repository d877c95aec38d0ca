// The SIDF (TS 33.501 §6.12.5) and the ME-side SUCI calculation (§6.12.2) on the host: de-conceals a SUCI
// with the home network private key its key id names, and conceals a SUPI as a handset with service 124
// does. The ECIES arithmetic is the card's own codec (applets/usim/suci-ecies.ts), so host and card are
// checked against each other by the tests.

import {
  chooseScheme,
  decodeSuci,
  msinBcd,
  msinFromBcd,
  parseSuciString,
  type Suci,
  type SuciCalcInfo,
} from '../../applets/usim/suci.js';
import {
  eciesConceal,
  eciesDeconceal,
  eciesKeyPair,
  ephemeralKeyPair,
  profileOfScheme,
  SCHEME,
} from '../../applets/usim/suci-ecies.js';
import { type Bytes, fromHex } from '../../card-os/bytes.js';
import type { SidfKey } from '../profile/sidf.js';
import { cryptoRandom } from '../random.js';

export type DeconcealResult = { ok: true; supi: string; imsi: string } | { ok: false; reason: string };

const SCHEME_OF: Record<SidfKey['scheme'], number> = {
  'profile-a': SCHEME.PROFILE_A,
  'profile-b': SCHEME.PROFILE_B,
};

/** Parses a SUCI given as the TS 29.503 string, or as hex of the binary form (optionally in its A1 TLV). */
export function parseSuci(text: string): Suci | undefined {
  const t = text.trim();
  if (t.startsWith('suci-')) return parseSuciString(t);
  const clean = t.replace(/[\s:]/g, '');
  if (!/^([0-9a-fA-F]{2})+$/.test(clean)) return undefined;
  let b = fromHex(clean);
  if (b[0] === 0xa1 && b[1] === b.length - 2) b = b.subarray(2);
  return decodeSuci(b);
}

export function deconcealSuci(suci: Suci, keys: readonly SidfKey[]): DeconcealResult {
  let msin: string | undefined;
  if (suci.scheme === SCHEME.NULL) {
    msin = msinFromBcd(suci.output);
  } else {
    const profile = profileOfScheme(suci.scheme);
    if (!profile) return { ok: false, reason: `protection scheme ${suci.scheme} is not supported` };
    const key = keys.find((k) => k.id === suci.keyId && SCHEME_OF[k.scheme] === suci.scheme);
    if (!key)
      return { ok: false, reason: `no home network private key ${suci.keyId} for scheme ${suci.scheme}` };
    const plain = eciesDeconceal(profile, key.private, suci.output);
    if (!plain) return { ok: false, reason: 'the MAC tag does not match (wrong key or altered SUCI)' };
    msin = msinFromBcd(plain);
  }
  if (!msin) return { ok: false, reason: 'the scheme output is not an MSIN' };
  const imsi = `${suci.mcc}${suci.mnc}${msin}`;
  return { ok: true, imsi, supi: `imsi-${imsi}` };
}

export interface ConcealInput {
  imsi: string;
  mncLength: 2 | 3;
  routingIndicator?: string;
  info: SuciCalcInfo;
  /** Ephemeral private key (tests); default: fresh. */
  ephemeralPrivate?: Bytes;
}

/** The SUCI a handset computes from EF.SUCI_Calc_Info (the first usable entry of its priority list). */
export function concealSupi(i: ConcealInput): Suci {
  const choice = chooseScheme(i.info);
  if (!choice) throw new Error('the SUCI calculation information has no usable protection scheme');
  const msin = i.imsi.slice(3 + i.mncLength);
  let output = msinBcd(msin);
  let keyId = 0;
  const profile = profileOfScheme(choice.scheme);
  if (profile && choice.key) {
    const eph = i.ephemeralPrivate
      ? eciesKeyPair(profile, i.ephemeralPrivate)
      : ephemeralKeyPair(profile, cryptoRandom());
    const out = eph && eciesConceal(profile, choice.key.key, eph, output);
    if (!out) throw new Error(`home network key ${choice.key.id} is not a valid key of the scheme`);
    output = out;
    keyId = choice.key.id;
  }
  return {
    mcc: i.imsi.slice(0, 3),
    mnc: i.imsi.slice(3, 3 + i.mncLength),
    routingIndicator: i.routingIndicator ?? '0',
    scheme: choice.scheme,
    keyId,
    output,
  };
}
