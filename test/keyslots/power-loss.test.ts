// Tearing: a power loss injected before every physical NVM write of STAGE, COMMIT and of the switch at
// reset. At each point the card's NVM, as recovered at the next power-up, is wholly the old subscription or
// wholly the new one, and the card then authenticates with exactly one of the two key sets.
import { describe, expect, it } from 'vitest';
import { STAGED_RECORD } from '../../applets/keyslots/staging.js';
import { keysetRecordName } from '../../applets/ota/ota-config.js';
import { activeSlot, slotRecord } from '../../applets/subscriptions/slot-store.js';
import { USIM_KEYS } from '../../applets/usim/applet.js';
import { toHex } from '../../card-os/bytes.js';
import { type CardOs, createCard } from '../../card-os/card.js';
import { contentKey } from '../../card-os/fs/model.js';
import { type Nvm, PowerLoss } from '../../card-os/nvm.js';
import { encodeImsi } from '../../host/codecs/imsi.js';
import { commit, holds, m2mCard, openApplet, SLOT0, SLOT1, stage } from './support.js';

const NEW_IMSI = '001020000000009';
const TXID = '5151515151515151';

/** The NVM as the card will find it at power-up (journal recovered), before any applet runs. */
function recovered(card: CardOs): Nvm {
  return createCard(card.spec, { nvm: card.nvm.snapshot() }).nvm;
}

function side(card: CardOs, nvm: Nvm): 'old' | 'new' {
  const imsiFile = card.index.byPath.get('3F00/7FF0/6F07')!;
  const imsi = toHex(nvm.get(contentKey(imsiFile)) ?? imsiFile.initial);
  const k = toHex(nvm.get(USIM_KEYS)!).slice(4, 36);
  const keyset = toHex(nvm.get(keysetRecordName(1))!);
  const active = activeSlot(nvm);
  const isNew = active === 1;
  // Every record agrees with the slot table: never a mix.
  expect(k).toBe(isNew ? SLOT1.k : SLOT0.k);
  expect(imsi === toHex(encodeImsi(NEW_IMSI))).toBe(isNew);
  expect(keyset.includes('35E82E77DFDED2B484A3238F0853C969')).toBe(isNew);
  expect(nvm.has(slotRecord(0))).toBe(!isNew);
  if (isNew) expect(nvm.has(STAGED_RECORD)).toBe(false);
  return isNew ? 'new' : 'old';
}

function powerUp(card: CardOs): CardOs {
  const c = createCard(card.spec, { applets: card.applets, nvm: card.nvm.snapshot() });
  c.protocol = 1;
  return c;
}

/** Runs `act` with a power loss before physical write `k` (counted from now); true if power was lost. */
function tearAt(card: CardOs, k: number, act: () => void): boolean {
  const start = card.nvm.steps;
  card.nvm.powerHook = (step) => {
    if (step - start === k) throw new PowerLoss(step);
  };
  try {
    act();
    return false;
  } catch (e) {
    if (!(e instanceof PowerLoss)) throw e;
    return true;
  } finally {
    card.nvm.powerHook = undefined;
  }
}

function stagedCard(committed: boolean): CardOs {
  const card = m2mCard();
  openApplet(card);
  expect(stage(card, NEW_IMSI, 1, TXID).sw).toBe('9000');
  if (committed) expect(commit(card, TXID).sw).toMatch(/^91/);
  return card;
}

describe('power loss at every write', () => {
  it('during STAGE: the card stays on the old subscription, and the retry stages exactly once', () => {
    let k = 1;
    for (; ; k++) {
      const card = m2mCard();
      openApplet(card);
      const lost = tearAt(card, k, () => stage(card, NEW_IMSI, 1, TXID));
      if (!lost) break;
      const up = powerUp(card);
      expect(side(up, up.nvm)).toBe('old');
      expect(holds(up, SLOT0)).toBe(true);
      expect(holds(up, SLOT1)).toBe(false);
      openApplet(up);
      expect(stage(up, NEW_IMSI, 1, TXID).sw).toBe('9000');
      expect(commit(up, TXID).sw).toMatch(/^91/);
      up.reset();
      expect(side(up, up.nvm)).toBe('new');
    }
    expect(k).toBeGreaterThan(3); // journal, commit mark, the record, journal cleared
  });

  it('during COMMIT: before the mark the card stays old (staged), after it the power-up switches', () => {
    const outcomes = new Set<string>();
    for (let k = 1; ; k++) {
      const card = stagedCard(false);
      if (!tearAt(card, k, () => commit(card, TXID))) break;
      const up = powerUp(card);
      const s = side(up, up.nvm);
      outcomes.add(s);
      expect(holds(up, s === 'new' ? SLOT1 : SLOT0)).toBe(true);
      expect(holds(up, s === 'new' ? SLOT0 : SLOT1)).toBe(false);
    }
    expect(outcomes).toEqual(new Set(['old', 'new']));
  });

  it('during the switch at reset: never between; the next power-up completes the switch', () => {
    let steps = 0;
    const outcomes = new Set<string>();
    for (let k = 1; ; k++) {
      const card = stagedCard(true);
      if (!tearAt(card, k, () => card.reset())) {
        steps = k - 1;
        break;
      }
      outcomes.add(side(card, recovered(card)));
      const up = powerUp(card);
      expect(side(up, up.nvm)).toBe('new');
      expect(holds(up, SLOT1)).toBe(true);
      expect(holds(up, SLOT0)).toBe(false);
    }
    // One transaction: journal, commit mark, one write per record, journal cleared.
    expect(steps).toBeGreaterThanOrEqual(10);
    expect(outcomes).toEqual(new Set(['old', 'new']));
  });
});
