// Encrypted card images: for images of real subscriptions, whose records hold K, OPc, PINs and OTA keys in
// clear otherwise. A passphrase (--card-key-file FILE or UICC_CARD_KEY) goes through scrypt (RFC 7914) to
// a 256-bit key; the image and every journal entry are sealed with AES-256-GCM (NIST SP 800-38D), each
// with a fresh 96-bit nonce, so a wrong key or any changed byte is detected before anything is used.

import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

export const SEALED_FORMAT = 'uicc-card-image-sealed';

/** scrypt cost: N = 2^15, r = 8, p = 1 (RFC 7914 §2's interactive-use figures), ~0.1 s per open. */
const KDF = { N: 1 << 15, r: 8, p: 1 };

export interface CardKey {
  /** The passphrase (kept only to derive keys for new salts). */
  readonly passphrase: string;
  /** Where it came from, for messages. */
  readonly source: string;
}

export interface DerivedKey {
  salt: Uint8Array;
  key: Uint8Array;
  N: number;
  r: number;
  p: number;
}

const MAX_KEY_FILE = 4096;

/** The passphrase from --card-key-file or UICC_CARD_KEY (the file wins); undefined = images in clear. */
export function cardKeyFrom(file: string | undefined, env = process.env.UICC_CARD_KEY): CardKey | undefined {
  if (file !== undefined) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(file);
    } catch (e) {
      throw new Error(`${file}: cannot read card key file (${(e as NodeJS.ErrnoException).code})`);
    }
    if (!st.isFile()) throw new Error(`${file}: card key file is not a regular file`);
    if (st.size > MAX_KEY_FILE)
      throw new Error(`${file}: card key file is larger than ${MAX_KEY_FILE} bytes`);
    const text = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    if (!text) throw new Error(`${file}: card key file is empty`);
    return { passphrase: text, source: file };
  }
  if (env !== undefined) {
    if (!env) throw new Error('UICC_CARD_KEY is set but empty');
    return { passphrase: env, source: 'UICC_CARD_KEY' };
  }
  return undefined;
}

export function deriveKey(k: CardKey, salt: Uint8Array = randomBytes(16), cost = KDF): DerivedKey {
  const key = scryptSync(k.passphrase, salt, 32, { ...cost, maxmem: 128 * cost.N * cost.r * 2 });
  return { salt, key: new Uint8Array(key), ...cost };
}

/** nonce (12) || ciphertext || tag (16). `aad` binds the sealed bytes to their place (image, journal entry). */
export function seal(key: Uint8Array, plain: Uint8Array, aad: Uint8Array): Uint8Array {
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad);
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([nonce, body, c.getAuthTag()]);
}

/** Throws (no detail: a wrong key and a changed byte look the same to GCM) when the tag does not verify. */
export function open(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  if (sealed.length < 28) throw new Error('sealed data too short');
  const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()]);
}

interface SealedFile {
  format: typeof SEALED_FORMAT;
  version: 1;
  kdf: { name: 'scrypt'; salt: string; N: number; r: number; p: number };
  data: string;
}

const AAD = new TextEncoder().encode(SEALED_FORMAT);

export function isSealed(text: string): boolean {
  return text.trimStart().startsWith('{') && text.includes(`"${SEALED_FORMAT}"`);
}

export function sealImage(dk: DerivedKey, imageText: string): string {
  const f: SealedFile = {
    format: SEALED_FORMAT,
    version: 1,
    kdf: { name: 'scrypt', salt: Buffer.from(dk.salt).toString('hex'), N: dk.N, r: dk.r, p: dk.p },
    data: Buffer.from(seal(dk.key, new TextEncoder().encode(imageText), AAD)).toString('base64'),
  };
  return `${JSON.stringify(f)}\n`;
}

/** Opens a sealed image; errors say what is wrong (the caller adds the file name). */
export function openImage(k: CardKey | undefined, text: string): { text: string; key: DerivedKey } {
  let f: SealedFile;
  try {
    f = JSON.parse(text) as SealedFile;
  } catch {
    throw new Error('encrypted card image is not JSON');
  }
  if (f.version !== 1)
    throw new Error(
      `encrypted card image version ${JSON.stringify(f.version)} is not supported (this build reads 1)`,
    );
  const kdf = f.kdf;
  if (kdf?.name !== 'scrypt' || typeof kdf.salt !== 'string' || typeof f.data !== 'string')
    throw new Error('encrypted card image has no scrypt parameters or data');
  if (!k)
    throw new Error(
      'card image is encrypted: give its passphrase with --card-key-file FILE or UICC_CARD_KEY',
    );
  const cost = { N: kdf.N, r: kdf.r, p: kdf.p };
  if (![cost.N, cost.r, cost.p].every(Number.isInteger) || cost.N > 1 << 20 || cost.r > 32 || cost.p > 16)
    throw new Error('encrypted card image has out-of-range scrypt parameters');
  const dk = deriveKey(k, Buffer.from(kdf.salt, 'hex'), cost);
  let plain: Uint8Array;
  try {
    plain = open(dk.key, Buffer.from(f.data, 'base64'), AAD);
  } catch {
    throw new Error(`cannot decrypt card image: wrong key (${k.source}) or the image was modified`);
  }
  return { text: new TextDecoder().decode(plain), key: dk };
}
