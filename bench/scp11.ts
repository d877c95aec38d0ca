// SCP11 benchmarks: complete SCP11a handshakes (GET DATA BF21 + chain check, PSO, MUTUAL AUTHENTICATE, keys,
// receipt; card and host in-process) per second with each P-256 implementation, and secure-messaging
// round trips (C-ENC + C-MAC, unwrap, R-ENC + R-MAC, unwrap) per second.

import { nobleP256, nodeP256, type P256 } from '../applets/security-domain/ec.js';
import { createScp11Card } from '../applets/security-domain/scp11-card.js';
import {
  hasSecureMessaging,
  unwrapCommand,
  unwrapResponse,
  wrapCommand,
  wrapResponse,
} from '../applets/security-domain/secure-messaging.js';
import { parseCommand, response } from '../card-os/apdu.js';
import { type Bytes, fromHex } from '../card-os/bytes.js';
import { openScp11 } from '../host/scp11/oce.js';
import { TEST_PKI } from '../host/scp11/pki.js';
import { atMost, type BenchRow, opsPerSecond, percentile } from './harness.js';

const NOW = new Date(Date.UTC(2025, 5, 1));

function newCard(ec: P256) {
  return createScp11Card({
    sdKeys: [{ kid: 0x11, kvn: 0x03, keyPair: TEST_PKI.sd.keyPair, certificates: [TEST_PKI.sd.certificate] }],
    oceCas: [{ kid: 0x10, kvn: 0x03, publicKey: TEST_PKI.klocCa.keyPair.q, keyId: TEST_PKI.klocCa.keyId }],
    now: () => NOW,
    ec,
  });
}

/** Plain commands to the SCP11 state machine, protected ones unwrapped and answered with a fixed 11 bytes. */
function transport(card: ReturnType<typeof newCard>) {
  const answer = fromHex('08A000000151000000019E');
  return async (raw: Bytes): Promise<Bytes> => {
    const cmd = parseCommand(raw).cmd!;
    if (!hasSecureMessaging(cmd.cla)) {
      const r = card.process(cmd);
      return response(r.sw, r.data);
    }
    const s = card.session!;
    const u = unwrapCommand(s, cmd);
    if ('sw' in u) return response(u.sw);
    const r = wrapResponse(s, answer, 0x9000);
    return response(r.sw, r.data);
  };
}

async function handshake(ec: P256) {
  const card = newCard(ec);
  return openScp11({
    transmit: transport(card),
    certificates: [TEST_PKI.oce.certificate],
    keyPair: TEST_PKI.oce.keyPair,
    cardCa: { publicKey: TEST_PKI.klccCa.keyPair.q, keyId: TEST_PKI.klccCa.keyId },
    sdKvn: 0x03,
    now: () => NOW,
    ec,
  });
}

/** Handshakes back to back for about `ms`; per-handshake latencies in ms. */
async function handshakeLatencies(ec: P256, ms: number): Promise<number[]> {
  for (let i = 0; i < 20; i++) await handshake(ec);
  const out: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t = performance.now();
    await handshake(ec);
    out.push(performance.now() - t);
  }
  return out;
}

export async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const ec of [nodeP256, nobleP256]) {
    const lat = await handshakeLatencies(ec, 1500);
    const mean = lat.reduce((a, b) => a + b, 0) / lat.length;
    const name = `SCP11a handshake, card + host (${ec.name})`;
    // The target (a complete handshake under 5 ms) holds for the default implementation; p99 is
    // reported as is, since it moves with whatever else shares the machine.
    rows.push(
      ec === nodeP256
        ? atMost(`${name}, median`, percentile(lat, 50), 'ms', 5)
        : { name: `${name}, median`, value: percentile(lat, 50), unit: 'ms' },
    );
    rows.push({ name: `${name}, p99`, value: percentile(lat, 99), unit: 'ms' });
    rows.push({ name: `${name}, throughput`, value: 1000 / mean, unit: 'handshake/s' });
  }

  // Secure messaging: host wrap -> card unwrap -> card wrap -> host unwrap, all in-process.
  const card = newCard(nodeP256);
  const oce = await openScp11({
    transmit: transport(card),
    certificates: [TEST_PKI.oce.certificate],
    keyPair: TEST_PKI.oce.keyPair,
    cardCa: { publicKey: TEST_PKI.klccCa.keyPair.q, keyId: TEST_PKI.klccCa.keyId },
    sdKvn: 0x03,
    now: () => NOW,
  });
  const cardSession = card.session!;
  const plain = fromHex('80F22000024F00');
  const answer = fromHex('08A000000151000000019E');
  const apdus = opsPerSecond(() => {
    const wire = parseCommand(wrapCommand(oce.session, plain)).cmd!;
    const u = unwrapCommand(cardSession, wire);
    if ('sw' in u) throw new Error('unwrap failed');
    const r = wrapResponse(cardSession, answer, 0x9000);
    unwrapResponse(oce.session, response(r.sw, r.data));
  });
  rows.push({
    name: 'wrapped APDU round trips (C-ENC/C-MAC, R-ENC/R-MAC, both ends)',
    value: apdus,
    unit: 'APDU/s',
  });
  return rows;
}
