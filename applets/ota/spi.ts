// Security Parameter Indicator, TS 102 225 §5.1.1 (with the 31.115 use of SPI2 b6).
// SPI1: b2b1 RC/CC/DS, b3 ciphering, b5b4 counter mode. SPI2: b2b1 PoR, b4b3 PoR RC/CC/DS, b5 PoR
// ciphered, b6 PoR sent by SMS-SUBMIT instead of the SMS-DELIVER-REPORT (TS 31.115 §6.1).

export type Integrity = 'none' | 'rc' | 'cc' | 'ds';
export type CounterMode = 'none' | 'available' | 'higher' | 'one-higher';
export type PorRequest = 'none' | 'always' | 'on-error';

export interface Spi {
  integrity: Integrity;
  ciphered: boolean;
  counter: CounterMode;
  por: PorRequest;
  porIntegrity: Integrity;
  porCiphered: boolean;
  porViaSubmit: boolean;
}

const INTEGRITY: readonly Integrity[] = ['none', 'rc', 'cc', 'ds'];
const COUNTER: readonly CounterMode[] = ['none', 'available', 'higher', 'one-higher'];
const POR: readonly (PorRequest | undefined)[] = ['none', 'always', 'on-error', undefined];

/** Decodes SPI1/SPI2. Returns undefined for the reserved PoR value (SPI2 b2b1 = 11). */
export function decodeSpi(spi1: number, spi2: number): Spi | undefined {
  const por = POR[spi2 & 3];
  if (!por) return undefined;
  return {
    integrity: INTEGRITY[spi1 & 3]!,
    ciphered: (spi1 & 0x04) !== 0,
    counter: COUNTER[(spi1 >> 3) & 3]!,
    por,
    porIntegrity: INTEGRITY[(spi2 >> 2) & 3]!,
    porCiphered: (spi2 & 0x10) !== 0,
    porViaSubmit: (spi2 & 0x20) !== 0,
  };
}

export function encodeSpi(s: Spi): [number, number] {
  const spi1 = INTEGRITY.indexOf(s.integrity) | (s.ciphered ? 0x04 : 0) | (COUNTER.indexOf(s.counter) << 3);
  const spi2 =
    POR.indexOf(s.por) |
    (INTEGRITY.indexOf(s.porIntegrity) << 2) |
    (s.porCiphered ? 0x10 : 0) |
    (s.porViaSubmit ? 0x20 : 0);
  return [spi1, spi2];
}

/** Strength order used by the minimum security level check: a stronger value satisfies a weaker one. */
const INTEGRITY_RANK: Record<Integrity, number> = { none: 0, rc: 1, cc: 2, ds: 3 };
const COUNTER_RANK: Record<CounterMode, number> = { none: 0, available: 1, higher: 2, 'one-higher': 3 };

/**
 * Minimum Security Level check (TS 102 226, MSL parameter of an application's TAR): the MSL byte is coded
 * like SPI1, and every field of the received SPI1 must be at least as strong as the MSL asks: RC < CC < DS
 * for integrity, ciphering if b3 is set, and for the counter none < available < higher < one-higher
 * (ranking "one higher" above "higher" is our reading: it is the stricter replay check).
 */
export function meetsMsl(spi: Spi, msl: number): boolean {
  const need = decodeSpi(msl & 0x1f, 0);
  if (!need) return false;
  return (
    INTEGRITY_RANK[spi.integrity] >= INTEGRITY_RANK[need.integrity] &&
    (spi.ciphered || !need.ciphered) &&
    COUNTER_RANK[spi.counter] >= COUNTER_RANK[need.counter]
  );
}
