// USIM authentication figures: Milenage vectors/s at the AuC and AUTHENTICATE (3G context) calls/s on
// the card side, in-process. The card target (issue: >= 200,000 AUTHENTICATE APDUs/s on one core)
// applies to the pure authenticate(); APDU parsing and routing add to it in the applet.

import { authenticate } from '../applets/aka/authenticate.js';
import { decodeSqnState, encodeSqnState, initialSqnState, type SqnState } from '../applets/aka/sqn.js';
import { decodeSubscriberKeys, encodeSubscriberKeys } from '../applets/aka/subscriber-keys.js';
import { concat, fromHex } from '../card-os/bytes.js';
import { createAuc } from '../host/network/auc.js';
import { atLeast, type BenchRow, opsPerSecond } from './harness.js';

const IMSI = '001010000000001';
const K = fromHex('465b5ce8b199b49faa5f0a2ee238a6bc');
const OPC = fromHex('cd63cb71954a9f4e48a5994e37a02baf');

export async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // Vectors are generated outside the timed card loop; SEQ_HE advances by one per vector.
  const auc = createAuc([
    { imsi: IMSI, k: K, opc: OPC, amf: fromHex('8000'), gsm: true, indBits: 5, seq: 0 },
  ]);
  rows.push({
    name: 'AuC: Milenage auth vectors (RAND, XRES, CK, IK, AUTN, Kc)',
    value: opsPerSecond(() => auc.generateVector(IMSI)),
    unit: 'vectors/s',
  });

  // Card side: a pool of AUTNs with fresh SQNs, replayed against a state that starts empty each
  // pass, so every call is a full success path (MAC check, SQN check, new state, DB answer).
  const POOL = 4096;
  const fresh = createAuc([
    { imsi: IMSI, k: K, opc: OPC, amf: fromHex('8000'), gsm: true, indBits: 5, seq: 0 },
  ]);
  const commands = Array.from({ length: POOL }, () => {
    const v = fresh.generateVector(IMSI);
    return { p1: 0, p2: 0x81, data: concat(Uint8Array.of(16), v.rand, Uint8Array.of(16), v.autn) };
  });
  const keys = decodeSubscriberKeys(encodeSubscriberKeys({ algorithm: 'milenage', k: K, opc: OPC }))!;
  const empty = initialSqnState();
  let state: SqnState = empty;
  let i = 0;
  let failures = 0;
  const perSecond = opsPerSecond(() => {
    if (i === POOL) {
      i = 0;
      state = empty;
    }
    const r = authenticate(commands[i++]!, keys, state, { gsmAccess: true });
    if (r.sqnState) state = r.sqnState;
    else failures++;
  });
  if (failures) throw new Error(`bench: ${failures} AUTHENTICATE calls failed`);
  rows.push(
    atLeast('USIM AUTHENTICATE 3G context (pure authenticate(), fresh SQN)', perSecond, 'calls/s', 200_000),
  );

  // What the applet adds per success: encoding the new SQN state for NVM (and decoding it at start-up).
  const bytes = encodeSqnState(state);
  rows.push({
    name: 'SQN state encode for NVM (32 IND slots)',
    value: opsPerSecond(() => encodeSqnState(state)),
    unit: 'ops/s',
  });
  rows.push({
    name: 'SQN state decode from NVM (32 IND slots)',
    value: opsPerSecond(() => decodeSqnState(bytes)),
    unit: 'ops/s',
  });
  return rows;
}
