// Applet APDUs through the whole card path, in-process, one core:
// - AUTHENTICATE (3G context, fresh AuC vectors): target >= 200,000 APDU/s (issue: USIM AUTHENTICATE);
// - secured ENVELOPEs (SMS-PP, AES CMAC + AES-CBC, one UPDATE BINARY, PoR in the response): target >= 50,000/s.

import { decodeSpi } from '../applets/ota/spi.js';
import { swOf } from '../card-os/apdu.js';
import type { Bytes } from '../card-os/bytes.js';
import { fromHex } from '../card-os/bytes.js';
import { openCard } from '../host/card-factory.js';
import { hssFromProfile } from '../host/cli/auth.js';
import { authenticateApdu } from '../host/network/attach.js';
import { createAuc } from '../host/network/auc.js';
import { OtaServer } from '../host/ota/ota-server.js';
import { OTA_TEST_KEYSETS } from '../host/ota/test-keys.js';
import { atLeast, type BenchRow, opsPerSecond } from './harness.js';

/**
 * AUTHENTICATE APDUs/s through the card of a profile (default: the default USIM, Milenage), with `n` vectors
 * of the profile's own HSS built beforehand; PIN1 verified with the default profile's value.
 */
export function authenticateRate(profile?: string, n = 400_000): number {
  const opened = openCard({ profile });
  const card = opened.card;
  card.protocol = 1;
  const sub = hssFromProfile(opened.profile);
  // One AuC node per IND slot, so that every vector is fresh for the card (TS 33.102 Annex C.3.2).
  const auc = createAuc([sub]);
  const apdus: Bytes[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v = auc.generateVector(sub.imsi);
    apdus[i] = authenticateApdu(v.rand, v.autn);
  }
  card.transmit(fromHex('00A4040C07A0000000871002'));
  card.transmit(fromHex('002000010831323334FFFFFFFF')); // PIN1 before AUTHENTICATE (TS 31.102 §7.1.2)
  if (swOf(card.transmit(apdus[0]!)) !== 0x9000) throw new Error('bench set-up: AUTHENTICATE failed');
  const t = performance.now();
  for (let i = 1; i < n; i++) card.transmit(apdus[i]!);
  return ((n - 1) * 1000) / (performance.now() - t);
}

function envelopeRate(): number {
  const card = openCard().card;
  card.protocol = 1;
  const server = new OtaServer();
  // SPI 06 19: CC + ciphering, no counter (so one packet can be sent again and again); PoR CC + ciphered,
  // in the ENVELOPE response. The script selects EF.IMSI and updates it (TAR B00011, ADF.USIM context).
  const prepared = server.prepare({
    iccid: 'bench',
    tar: 0xb00011,
    spi: decodeSpi(0x06, 0x19)!,
    kic: 0x22,
    kid: 0x22,
    keysets: OTA_TEST_KEYSETS,
    script: fromHex('00A4000C026F07 00D6000009080910101032547698'.replace(/ /g, '')),
  });
  const env = prepared.envelopes[0]!;
  // T=1 with Le: the PoR comes back in the ENVELOPE response itself.
  const apdu = Uint8Array.from([...env, 0x00]);
  const r = card.transmit(apdu);
  if (swOf(r) !== 0x9000 || r.length < 10)
    throw new Error(`bench set-up: ENVELOPE answered ${swOf(r).toString(16)}`);
  return opsPerSecond(() => card.transmit(apdu), 2000);
}

export async function bench(): Promise<BenchRow[]> {
  // The ENVELOPE figure first: the AUTHENTICATE run leaves a large heap of pre-built APDUs behind.
  const envelopes = envelopeRate();
  return [
    atLeast(
      'usim: AUTHENTICATE 3G APDU through the card (fresh vectors)',
      authenticateRate(),
      'APDU/s',
      200_000,
    ),
    atLeast(
      'ota: secured ENVELOPE (AES CC+enc, 1 UPDATE BINARY, PoR) through the card',
      envelopes,
      'ENVELOPE/s',
      50_000,
    ),
  ];
}
