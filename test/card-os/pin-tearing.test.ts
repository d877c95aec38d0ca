// Guessing a secret by cutting power (TS 102 221 §9.5, §11.1.9-11.1.13): every check of a PIN, PUK or ADM key
// is torn before each of its physical NVM writes, with the right and with a wrong value. Whatever an attacker
// can observe (the status word, or that the card lost power at a given step) may depend on the secret only if
// the try was already spent in NVM; a tear never gives a try back. So the number of guesses is bounded by the
// retry limit, however the attacker cuts power.
import { describe, expect, it } from 'vitest';
import { type CardOs, createCard } from '../../card-os/card.js';
import { PowerLoss } from '../../card-os/nvm.js';
import { readStatus } from '../../card-os/security/pin.js';
import { ADM1, newCard, PIN1, tx } from '../support/uicc.js';

const WRONG_PIN = '39393939FFFFFFFF'; // "9999"
const NEW_PIN = '34333231FFFFFFFF'; // "4321"
const PUK1 = '3132333435363738'; // "12345678", the default profile's PUK of PIN1
const WRONG_PUK = '3939393939393939';
const WRONG_ADM = '3030303030303030';

interface Check {
  name: string;
  ref: number;
  /** Which counter the check spends. */
  counter: 'tries' | 'unblockTries';
  /** Brings a fresh card into the state the check needs. */
  setup?: (card: CardOs) => void;
  apdu: (secret: string) => string;
  right: string;
  wrong: string;
}

const CHECKS: Check[] = [
  {
    name: 'VERIFY PIN1',
    ref: 0x01,
    counter: 'tries',
    apdu: (s) => `0020000108${s}`,
    right: PIN1,
    wrong: WRONG_PIN,
  },
  {
    name: 'VERIFY ADM1',
    ref: 0x0a,
    counter: 'tries',
    apdu: (s) => `0020000A08${s}`,
    right: ADM1,
    wrong: WRONG_ADM,
  },
  {
    name: 'CHANGE PIN1',
    ref: 0x01,
    counter: 'tries',
    apdu: (s) => `0024000110${s}${NEW_PIN}`,
    right: PIN1,
    wrong: WRONG_PIN,
  },
  {
    name: 'DISABLE PIN1',
    ref: 0x01,
    counter: 'tries',
    apdu: (s) => `0026000108${s}`,
    right: PIN1,
    wrong: WRONG_PIN,
  },
  {
    name: 'ENABLE PIN1',
    ref: 0x01,
    counter: 'tries',
    setup: (c) => expect(tx(c, `0026000108${PIN1}`).sw).toBe('9000'),
    apdu: (s) => `0028000108${s}`,
    right: PIN1,
    wrong: WRONG_PIN,
  },
  {
    name: 'UNBLOCK PIN1 (PUK counter)',
    ref: 0x01,
    counter: 'unblockTries',
    apdu: (s) => `002C000110${s}${NEW_PIN}`,
    right: PUK1,
    wrong: WRONG_PUK,
  },
  {
    name: 'UNBLOCK PIN1 while blocked (PUK counter)',
    ref: 0x01,
    counter: 'unblockTries',
    setup: (c) => {
      for (let i = 0; i < 3; i++) tx(c, `0020000108${WRONG_PIN}`);
      expect(tx(c, `0020000108${PIN1}`).sw).toBe('6983');
    },
    apdu: (s) => `002C000110${s}${NEW_PIN}`,
    right: PUK1,
    wrong: WRONG_PUK,
  },
];

function freshCard(check: Check): CardOs {
  const card = newCard({ protocol: 1 });
  check.setup?.(card);
  return card;
}

const counter = (card: CardOs, check: Check) => readStatus(card.nvm, check.ref)![check.counter];

/** The card as it comes back at the next power-up: rebuilt from its NVM, journal recovered. */
function powerUp(card: CardOs): CardOs {
  const c = createCard(card.spec, { applets: card.applets, nvm: card.nvm.snapshot() });
  c.protocol = 1;
  return c;
}

/** What the attacker sees: the status word, or "torn" when power was cut before NVM write `k` of the command. */
function attempt(card: CardOs, apdu: string, k: number): string {
  const start = card.nvm.steps;
  card.nvm.powerHook = (step) => {
    if (step - start === k) throw new PowerLoss(step);
  };
  try {
    return tx(card, apdu).sw;
  } catch (e) {
    if (!(e instanceof PowerLoss)) throw e;
    return 'torn';
  } finally {
    card.nvm.powerHook = undefined;
  }
}

interface Run {
  seen: string;
  before: number;
  after: number;
}

/** Runs the check on a fresh card with power cut before write k = 1, 2, ... until a run completes. */
function runsAtEveryStep(check: Check, secret: string): Run[] {
  const runs: Run[] = [];
  for (let k = 1; k < 50; k++) {
    const card = freshCard(check);
    const before = counter(card, check);
    const seen = attempt(card, check.apdu(secret), k);
    runs.push({ seen, before, after: counter(seen === 'torn' ? powerUp(card) : card, check) });
    if (seen !== 'torn') return runs;
  }
  throw new Error(`${check.name} never completed`);
}

describe('checks of a secret torn at every NVM write (TS 102 221 §9.5)', () => {
  for (const check of CHECKS) {
    it(`${check.name}: an outcome that depends on the secret has always spent a try`, () => {
      const right = runsAtEveryStep(check, check.right);
      const wrong = runsAtEveryStep(check, check.wrong);
      const steps = Math.max(right.length, wrong.length);
      for (let i = 0; i < steps; i++) {
        // Past the end of a run, the command completed before write k: the attacker sees its status word.
        const r = right[Math.min(i, right.length - 1)]!;
        const w = wrong[Math.min(i, wrong.length - 1)]!;
        // A wrong value never costs more than one try, and a torn check never raises a counter.
        expect(w.after, `wrong, cut before write ${i + 1}`).toBeGreaterThanOrEqual(w.before - 1);
        expect(w.after, `wrong, cut before write ${i + 1}`).toBeLessThanOrEqual(w.before);
        if (r.seen === 'torn')
          expect(r.after, `right, cut before write ${i + 1}`).toBeLessThanOrEqual(r.before);
        if (r.seen !== w.seen) {
          // The attacker can tell right from wrong here, so the wrong value's try must be gone for good.
          expect(w.after, `${check.name} cut before write ${i + 1}: ${r.seen} vs ${w.seen}`).toBe(
            w.before - 1,
          );
        }
      }
      // Without a tear: a wrong value spends one try, the right one restores the counter.
      expect(wrong.at(-1)!.seen).toMatch(/^63C/);
      expect(right.at(-1)!.seen).toBe('9000');
    });
  }

  it('an attacker who cuts power at a fixed write step never confirms a guess beyond the retry limit', () => {
    for (const check of CHECKS) {
      // Writes a check with a wrong value makes: power lost at a later write means the value was right.
      const wrongWrites = runsAtEveryStep(check, check.wrong).length - 1;
      for (let k = 1; k <= 6; k++) {
        let card = freshCard(check);
        const limit = counter(card, check);
        // `limit` wrong guesses, then the right one: the card must be blocked by the time it comes.
        const guesses = [...Array.from({ length: limit + 2 }, () => check.wrong), check.right];
        let confirmed = false;
        for (const g of guesses) {
          const seen = attempt(card, check.apdu(g), k);
          if (seen === '9000' || (seen === 'torn' && k > wrongWrites)) confirmed = true;
          if (seen === 'torn') card = powerUp(card);
        }
        expect(confirmed, `${check.name}, power cut before write ${k}`).toBe(false);
      }
    }
  });
});

describe('checkSecret inside a transaction (a VERIFY run by a remote script, TS 102 226)', () => {
  it('spends the try at once: rolling back or tearing the surrounding transaction does not give it back', () => {
    const card = newCard({ protocol: 1 });
    const nvm = card.nvm;
    expect(() =>
      nvm.transaction(() => {
        expect(tx(card, `0020000108${WRONG_PIN}`).sw).toBe('63C2');
        throw new Error('script aborted');
      }),
    ).toThrow('script aborted');
    expect(readStatus(nvm, 1)!.tries).toBe(2);
    expect(tx(powerUp(card), '00200001').sw).toBe('63C2');
  });
});
