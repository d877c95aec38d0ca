// Security domain through the card's APDU interface (the default profile's card, embedded, in-process):
// complete SCP11a handshakes (SELECT, GET DATA BF21 + chain check, PSO, MUTUAL AUTHENTICATE, receipt; the
// card's default protocol T=0, so with GET RESPONSE), wrapped APDUs and profile updates through the card.

import { buildProfileUpdate } from '../applets/security-domain/profile-update.js';
import { unwrapResponse, wrapCommand } from '../applets/security-domain/secure-messaging.js';
import { buildCommand } from '../card-os/apdu.js';
import { type Bytes, fromHex } from '../card-os/bytes.js';
import type { CardOs } from '../card-os/card.js';
import { openCard } from '../host/card-factory.js';
import { send } from '../host/network/attach.js';
import { openScp11 } from '../host/scp11/oce.js';
import { TEST_PKI } from '../host/scp11/pki.js';
import { embeddedTransport } from '../host/transport/embedded.js';
import { atMost, type BenchRow, opsPerSecond, percentile } from './harness.js';

const SD_AID = fromHex('A000000151000000');
const OCE = {
  certificates: [TEST_PKI.oce.certificate],
  keyPair: TEST_PKI.oce.keyPair,
  cardCa: { publicKey: TEST_PKI.klccCa.keyPair.q, keyId: TEST_PKI.klccCa.keyId },
  sdKvn: 0x03,
};

async function handshake(card: CardOs) {
  const t = embeddedTransport(card);
  await send(t, buildCommand(0x00, 0xa4, 0x04, 0x00, SD_AID, 256));
  return openScp11({ transmit: (c) => send(t, c), ...OCE });
}

async function handshakeLatencies(card: CardOs, ms: number): Promise<number[]> {
  for (let i = 0; i < 20; i++) await handshake(card);
  const out: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t = performance.now();
    await handshake(card);
    out.push(performance.now() - t);
  }
  return out;
}

/** One wrapped exchange, synchronous: host wrap, card (T=1, no GET RESPONSE), host unwrap. */
function exchange(card: CardOs, session: Parameters<typeof wrapCommand>[0], apdu: Bytes): void {
  const r = unwrapResponse(session, card.transmit(wrapCommand(session, apdu)));
  if (r.sw !== 0x9000) throw new Error(`wrapped command answered ${r.sw.toString(16)}`);
}

export async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const card = openCard().card;
  const lat = await handshakeLatencies(card, 1500);
  const mean = lat.reduce((a, b) => a + b, 0) / lat.length;
  const name = 'SCP11a handshake through the card (SELECT..MUTUAL AUTH, T=0, host + card)';
  rows.push(atMost(`${name}, median`, percentile(lat, 50), 'ms', 5));
  rows.push({ name: `${name}, p99`, value: percentile(lat, 99), unit: 'ms' });
  rows.push({ name: `${name}, throughput`, value: 1000 / mean, unit: 'handshake/s' });

  const fast = openCard().card;
  fast.protocol = 1;
  const oce = await handshake(fast);
  const getCardData = fromHex('80CA006600');
  rows.push({
    name: 'wrapped GET DATA 0066 through the card (C-MAC/C-ENC, R-MAC/R-ENC, T=1, host + card)',
    value: opsPerSecond(() => exchange(fast, oce.session, getCardData)),
    unit: 'APDU/s',
  });
  const keys = {
    k: fromHex('00112233445566778899AABBCCDDEEFF'),
    opc: fromHex('FFEEDDCCBBAA99887766554433221100'),
  };
  const update = () => exchange(fast, oce.session, buildProfileUpdate(oce.session, Uint8Array.of(0), keys));
  rows.push({
    name: 'profile updates through the card (wrapped D4, S-DEK keys, NVM transaction, T=1)',
    value: opsPerSecond(update),
    unit: 'update/s',
  });
  return rows;
}
