// The operator-change scenario end to end over OTA, with the actors (manufacturer and escrow, operators,
// M2M subscriber, devices): chains until the slots run out, the three variants, lost PoRs, refusals.
import { describe, expect, it } from 'vitest';
import { CHANGE_P1, DEFAULT_KEYSLOT_AID, INS } from '../../applets/keyslots/protocol.js';
import { STAGED_RECORD } from '../../applets/keyslots/staging.js';
import { activeSlot, slotStates } from '../../applets/subscriptions/slot-store.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import type { Device } from '../../host/actors/device.js';
import { EscrowRefused } from '../../host/actors/escrow.js';
import { encodeImsi } from '../../host/codecs/imsi.js';
import { changeOutcome, stageScript } from '../../host/keyslots/remote.js';
import { changeOperator, operatorOf } from '../../host/scenario/operator-change.js';
import { attach, commit, prepare } from '../../host/scenario/steps.js';
import { World } from '../../host/scenario/world.js';

const CHAIN = ['A', 'B', 'C', 'D', 'E', 'F'];

async function attachedTo(world: World, d: Device): Promise<string | undefined> {
  const a = await attach(world, d);
  return a.ok ? a.operator.name : undefined;
}

describe('3b and derivation: A -> B -> C -> ... until the slots run out', () => {
  for (const mode of ['keys', 'derive'] as const) {
    it(`${mode === 'keys' ? '3b (pre-generated slot keys)' : 'derived slot keys'}: every slot used once, then 6A84 and the card stays`, async () => {
      const slots = 4;
      const world = new World({ slots, mode });
      const fleet = world.buildFleet(3, 'A');
      for (let i = 0; i < slots - 1; i++) {
        const r = await changeOperator(world, {
          from: CHAIN[i]!,
          to: CHAIN[i + 1]!,
          variant: mode === 'keys' ? '3b' : 'derive',
        });
        expect(r, `${CHAIN[i]} -> ${CHAIN[i + 1]}`).toMatchObject({
          cards: 3,
          moved: 3,
          failed: 0,
          resyncs: 0,
        });
        for (const d of fleet) {
          expect(await attachedTo(world, d)).toBe(CHAIN[i + 1]);
          expect(activeSlot(d.card.nvm)).toBe(i + 1);
          // The old operator lost the card, and its K no longer authenticates it.
          expect(world.operator(CHAIN[i]!).subscription(d.iccid)?.active).toBe(false);
        }
      }
      const last = CHAIN[slots - 1]!;
      const r = await changeOperator(world, {
        from: last,
        to: 'Z',
        variant: mode === 'keys' ? '3b' : 'derive',
      });
      expect(r).toMatchObject({ moved: 0, failed: 3, failures: { 'refused by the card (6A84)': 3 } });
      for (const d of fleet) {
        expect(await attachedTo(world, d)).toBe(last);
        expect(slotStates(d.card.nvm)).toEqual([2, 2, 2, 1]);
        expect(world.operator('Z').subscription(d.iccid)).toBeUndefined();
      }
      // The escrow handed each slot to one operator only, in order.
      const reveals = world.manufacturer.escrow
        .audit()
        .filter((e) => e.action === 'reveal' && e.iccid === fleet[0]!.iccid);
      expect(reveals.map((e) => [e.index, e.operator, e.outcome])).toEqual([
        [0, 'A', 'granted'],
        [1, 'B', 'granted'],
        [2, 'C', 'granted'],
        [3, 'D', 'granted'],
      ]);
      expect(JSON.stringify(world.manufacturer.escrow.audit())).not.toMatch(/"(k|opc|kik|master|seed)"/);
    });
  }
});

describe('3a: IMSI change with the keys handed over, then rotated by the new operator', () => {
  it('A -> B -> C: one resync per card at each new operator, and afterwards the old keys are useless', async () => {
    const world = new World({ slots: 2 });
    const fleet = world.buildFleet(3, 'A');
    const r1 = await changeOperator(world, { from: 'A', to: 'B', variant: '3a' });
    expect(r1).toMatchObject({ moved: 3, failed: 0, resyncs: 3, escrow: { granted: 0 } });
    const r2 = await changeOperator(world, { from: 'B', to: 'C', variant: '3a' });
    expect(r2).toMatchObject({ moved: 3, failed: 0, resyncs: 3 });
    const a = world.operator('A');
    for (const d of fleet) {
      expect(await attachedTo(world, d)).toBe('C');
      // The slot never moved (3a keeps the keys of the active slot and rotates them).
      expect(slotStates(d.card.nvm)).toEqual([1, 0]);
      const sub = a.subscription(d.iccid)!;
      const v = a.auc.generateVector(sub.imsi);
      await d.readImsi(); // selects ADF.USIM
      expect((await d.authenticate(v.rand, v.autn)).kind).toBe('mac');
      // A handed its OTA keys over; B replaced them: A's packets fail their checksum on the card.
      const read = await a.send(d, d.iccid, fromHex('00A40004026F0700B0000009'));
      expect(read.por).toMatchObject({ ok: true, status: 0x01 });
    }
  });
});

describe('the switch and the old operator', () => {
  it('before the reset the old IMSI and keys are in force; after it the new ones; then A can neither read nor change', async () => {
    const world = new World({ slots: 3 });
    const [d] = world.buildFleet(1, 'A');
    const a = world.operator('A');
    const b = world.operator('B');
    const steps = { maxAttempts: 2 };
    const aid = DEFAULT_KEYSLOT_AID;
    const imsiA = (await d!.readImsi())!;
    const imsiB = b.allocateImsi();
    const txid = fromHex('0011223344556677');
    const p = await prepare(a, d!, aid, { imsi: encodeImsi(imsiB), index: 1, txid }, steps);
    expect(p).toMatchObject({ kind: 'acked', answer: { index: 1, state: 1 } });
    expect(world.subscriber.authorise(d!.iccid, 1, 'B')).toBe(true);
    const { keysOfSecret } = await import('../../host/actors/escrow.js');
    b.provision(d!.iccid, imsiB, 1, keysOfSecret(world.manufacturer.escrow.reveal('B', d!.iccid, 1)));
    // Staged and committed at B, but not switched: A's IMSI, A's K.
    expect(await d!.readImsi()).toBe(imsiA);
    expect(await attachedTo(world, d!)).toBe('A');
    const vb = b.auc.generateVector(imsiB);
    expect((await d!.authenticate(vb.rand, vb.autn)).kind).toBe('mac');
    const c = await commit(a, d!, aid, txid, steps);
    expect(c.reset).toBe(true);
    expect(await d!.readImsi()).toBe(imsiB);
    expect(await attachedTo(world, d!)).toBe('B');
    const va = a.auc.generateVector(imsiA);
    expect((await d!.authenticate(va.rand, va.autn)).kind).toBe('mac');
    // A's OTA keys are gone from the card: RFM reads and key-slot commands are refused (PoR 01, RC/CC/DS).
    const read = await a.send(d!, d!.iccid, fromHex('00A40004026F07 00B0000009'.replace(/ /g, '')));
    expect(read.por).toMatchObject({ ok: true, status: 0x01 });
    expect(read.result).toBeUndefined();
    const again = await a.send(
      d!,
      d!.iccid,
      stageScript(aid, { imsi: encodeImsi(imsiA), index: 2, txid: fromHex('99') }),
    );
    expect(again.por).toMatchObject({ ok: true, status: 0x01 });
    expect(await d!.readImsi()).toBe(imsiB);
    // B's keys work over OTA.
    const status = await b.send(d!, d!.iccid, stageScript(aid, { imsi: encodeImsi(imsiB), index: 1, txid }));
    expect(status.result && changeOutcome(status.result)).toMatchObject({
      ok: true,
      answer: { index: 1, state: 3 },
    });
  });

  it('the escrow reveals a slot only to the operator it is assigned to, and logs every refusal', async () => {
    const world = new World({ slots: 3 });
    const [d] = world.buildFleet(1, 'A');
    const escrow = world.manufacturer.escrow;
    const iccid = d!.iccid;
    expect(() => escrow.reveal('B', iccid, 1)).toThrow(EscrowRefused); // not assigned yet
    expect(() => escrow.assign('B', iccid, 1, 'B')).toThrow(/not the card owner/);
    expect(world.subscriber.authorise(iccid, 2, 'B')).toBe(false); // out of order
    expect(world.subscriber.authorise(iccid, 1, 'B')).toBe(true);
    expect(() => escrow.reveal('A', iccid, 1)).toThrow(/assigned to another operator/);
    expect(() => escrow.reveal('C', iccid, 1)).toThrow(/assigned to another operator/);
    expect(() => escrow.reveal('B', iccid, 0)).toThrow(/assigned to another operator/);
    expect(escrow.reveal('B', iccid, 1).mode).toBe('keys');
    expect(world.subscriber.withdraw(iccid, 1)).toBe(false); // revealed: B knows it, it can never go elsewhere
    expect(world.subscriber.authorise(iccid, 1, 'C')).toBe(false);
    const refused = escrow.audit().filter((e) => e.outcome === 'refused');
    expect(refused.map((e) => [e.action, e.by, e.index, e.reason])).toEqual([
      ['reveal', 'B', 1, 'slot not assigned'],
      ['assign', 'B', 1, 'not the card owner'],
      ['assign', 'M2M subscriber', 2, 'slots are assigned in order (next is 1)'],
      ['reveal', 'A', 1, 'slot assigned to another operator'],
      ['reveal', 'C', 1, 'slot assigned to another operator'],
      ['reveal', 'B', 0, 'slot assigned to another operator'],
      ['unassign', 'M2M subscriber', 1, 'slot already revealed: it can never go to anyone else'],
      ['assign', 'M2M subscriber', 1, 'slots are assigned in order (next is 2)'],
    ]);
  });
});

describe('lost acknowledgements', () => {
  it('PoRs lost: the operator retries with the same txid and every card advances exactly one slot', async () => {
    const world = new World({ slots: 3 });
    const fleet = world.buildFleet(8, 'A');
    const r = await changeOperator(world, {
      from: 'A',
      to: 'B',
      variant: '3b',
      porLoss: 0.5,
      seed: 7,
      maxAttempts: 12,
    });
    expect(r).toMatchObject({ moved: 8, failed: 0 });
    expect(r.retries).toBeGreaterThan(0);
    for (const d of fleet) {
      expect(slotStates(d.card.nvm)).toEqual([2, 1, 0]);
      expect(operatorOf(world, d.iccid)?.name).toBe('B');
    }
  });

  it('no PoR ever: B never commits, the change is called off, the cards stay on A', async () => {
    const world = new World({ slots: 3 });
    const fleet = world.buildFleet(4, 'A');
    const r = await changeOperator(world, { from: 'A', to: 'B', variant: '3b', porLoss: 1, maxAttempts: 2 });
    expect(r).toMatchObject({ moved: 0, failed: 4, failures: { 'no PoR': 4 }, escrow: { granted: 0 } });
    for (const d of fleet) {
      expect(world.operator('B').subscription(d.iccid)).toBeUndefined();
      await d.reset();
      expect(await attachedTo(world, d)).toBe('A');
      expect(slotStates(d.card.nvm)).toEqual([1, 0, 0]);
    }
    // Later, with a better link, the same cards move.
    const again = await changeOperator(world, { from: 'A', to: 'B', variant: '3b' });
    expect(again).toMatchObject({ moved: 4, failed: 0 });
  });

  it('COMMIT never gets through: the change is called off at once, the card stays on A and moves later', async () => {
    const world = new World({ slots: 3 });
    const [d] = world.buildFleet(1, 'A');
    const a = world.operator('A');
    const send = a.send.bind(a);
    // Every COMMIT is lost on the air (the card never sees it); the other commands and their PoRs get through.
    const commitHeader = toHex(Uint8Array.of(0x80, INS.CHANGE, CHANGE_P1.COMMIT, 0x00));
    a.send = async (device, iccid, script, keysets) =>
      toHex(script).includes(commitHeader)
        ? { por: undefined, result: undefined, reset: false }
        : send(device, iccid, script, keysets);
    const r = await changeOperator(world, { from: 'A', to: 'B', variant: '3b', maxAttempts: 2 });
    expect(r).toMatchObject({
      moved: 0,
      failed: 1,
      failures: { 'COMMIT not delivered: change called off': 1 },
    });
    expect(d!.card.nvm.get(STAGED_RECORD)).toBeUndefined();
    expect(world.operator('B').subscription(d!.iccid)?.active).toBe(false);
    expect(await attachedTo(world, d!)).toBe('A');
    expect(slotStates(d!.card.nvm)).toEqual([1, 0, 0]);
    // Nothing is left staged, so a later STAGE (another txid) is acknowledged, not refused with 6985.
    a.send = send;
    const later = await prepare(
      a,
      d!,
      DEFAULT_KEYSLOT_AID,
      { imsi: encodeImsi(world.operator('B').allocateImsi()), index: 1, txid: fromHex('0102030405060708') },
      { maxAttempts: 1 },
    );
    expect(later).toMatchObject({ kind: 'acked', answer: { index: 1, state: 1 } });
  });

  it('a card that cannot be reached at A is left out (TR 33.812 §7.4.2: non-attached M2MEs)', async () => {
    const world = new World({ slots: 3 });
    const [d] = world.buildFleet(1, 'A');
    world.operator('A').release(d!.iccid);
    const r = await changeOperator(world, { from: 'A', to: 'B', variant: '3b', devices: [d!] });
    expect(r).toMatchObject({ moved: 0, failed: 1, failures: { 'no attach at A': 1 } });
    expect(toHex(d!.card.nvm.get('slot/table')!)).toBe('010000');
  });
});
