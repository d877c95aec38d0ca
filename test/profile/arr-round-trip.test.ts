// EF.ARR end to end (TS 102 221 §9.2.4, SC DO templates of ISO/IEC 7816-4 §5.4.3.2: A0 OR, A7 NOT, AF AND):
// rules written in the profile syntax are encoded by the host codec, put into the card's EF.ARR, and the
// card's evaluator decides READ BINARY for every combination of verified keys. The expected answer comes
// from the rule text itself, so an encoder and an evaluator that disagree on a tag fail here.
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../card-os/bytes.js';
import type { CardOs } from '../../card-os/card.js';
import { AM, parseArrRecord, satisfied } from '../../card-os/security/arr.js';
import { decodeAccessRule, encodeAccessRule } from '../../host/codecs/access-rule.js';
import { ADM1, newCard, PIN1, tx } from '../support/uicc.js';

const PIN2 = '35363738FFFFFFFF';
const KEYS = [
  { name: 'PIN1', ref: 0x01, verify: `0020000108${PIN1}` },
  { name: '2PIN1', ref: 0x81, verify: `0020008108${PIN2}` },
  { name: 'ADM1', ref: 0x0a, verify: `0020000A08${ADM1}` },
];

const RULES = [
  'PIN1&ADM1',
  'PIN1|ADM1',
  '!PIN1',
  '!(PIN1|2PIN1)',
  '(PIN1&ADM1)|2PIN1',
  'ADM1&!2PIN1',
  '!(PIN1&2PIN1)&ADM1',
  '2PIN1&(ADM1|!PIN1)',
  'always',
  'never',
];

/**
 * The meaning of the rule text, read as a JavaScript boolean expression (independent of both the host's parser
 * and the card's evaluator): key names become whether they are verified, & and | become && and ||.
 */
function meaning(rule: string, verified: readonly string[]): boolean {
  const js = rule
    .replace(/[A-Za-z0-9]+/g, (w) =>
      w === 'always' ? 'true' : w === 'never' ? 'false' : String(verified.includes(w)),
    )
    .replace(/&/g, '&&')
    .replace(/\|/g, '||');
  return new Function(`return ${js};`)() as boolean;
}

const subsets = Array.from({ length: 1 << KEYS.length }, (_, m) => KEYS.filter((_, i) => m & (1 << i)));

/** The default card with the EF.ARR record that EF.ICCID uses replaced by `rule` (as personalisation would). */
function cardWithIccidRule(rule: string): CardOs {
  const card = newCard({ protocol: 1 });
  const iccid = card.index.byPath.get('3F00/2FE2')!;
  const arr = card.index.arrFile.get(iccid)!;
  const len = arr.recordLength!;
  const content = card.content(arr).slice();
  content.set(encodeAccessRule(`read: ${rule}`, len), (iccid.arr!.record - 1) * len);
  card.setContent(arr, content);
  return card;
}

describe('EF.ARR rules: host encoder against card evaluator', () => {
  it('codes AND as AF, NOT as A7, nested OR as A0, and a top-level OR as several SC DOs', () => {
    const crt = (r: string) => `A40683010${r}950108`;
    expect(toHex(encodeAccessRule('read: PIN1&ADM1'))).toBe(`800101AF10${crt('1')}${crt('A')}`);
    expect(toHex(encodeAccessRule('read: !PIN1'))).toBe(`800101A708${crt('1')}`);
    expect(toHex(encodeAccessRule('read: PIN1|ADM1'))).toBe(`800101${crt('1')}${crt('A')}`);
    expect(toHex(encodeAccessRule('read: ADM1&(PIN1|!PIN1)'))).toBe(
      `800101AF1C${crt('A')}A012${crt('1')}A708${crt('1')}`,
    );
  });

  it('decodes what it encodes back to the same text', () => {
    for (const r of RULES) expect(decodeAccessRule(encodeAccessRule(`read: ${r}`))).toBe(`read: ${r}`);
    // A NOT template holding several SC DOs means none of them.
    expect(decodeAccessRule(fromHex('800101A710A406830101950108A40683010A950108'))).toBe(
      'read: !(PIN1|ADM1)',
    );
  });

  it('the card evaluates every encoded rule as the text says, for every set of verified keys', () => {
    for (const rule of RULES) {
      const parsed = parseArrRecord(encodeAccessRule(`read: ${rule}`));
      for (const keys of subsets) {
        const has = (ref: number) => keys.some((k) => k.ref === ref);
        const want = meaning(
          rule,
          keys.map((k) => k.name),
        );
        expect(satisfied(parsed[0]!.condition, has), `${rule} with ${keys.map((k) => k.name)}`).toBe(want);
      }
    }
  });

  it('through the card: READ BINARY of a file whose rule is the encoded text, after VERIFY of each key set', () => {
    for (const rule of RULES) {
      for (const keys of subsets) {
        const card = cardWithIccidRule(rule);
        for (const k of keys) expect(tx(card, k.verify).sw).toBe('9000');
        expect(tx(card, '00A4000C022FE2').sw).toBe('9000');
        const want = meaning(
          rule,
          keys.map((k) => k.name),
        );
        expect(tx(card, '00B000000A').sw, `read: ${rule} with ${keys.map((k) => k.name)}`).toBe(
          want ? '9000' : '6982',
        );
      }
    }
  });

  it('fails closed: a template the card does not understand (empty, unknown inside, too deep) grants nothing', () => {
    const none = () => false;
    const all = () => true;
    // NOT(NOT(...(always))) nested ten deep: an even count would mean "always" if the card recursed that far.
    let deep = '9000';
    for (let i = 0; i < 10; i++) deep = `A7${(deep.length / 2).toString(16).padStart(2, '0')}${deep}`;
    for (const hex of ['800101A700', '800101A703 9E0110', '800101AF00', `800101${deep}`]) {
      const rules = parseArrRecord(fromHex(hex.replace(/ /g, '')));
      expect(rules.some((r) => r.am !== undefined && satisfied(r.condition, none) && r.am & AM.READ)).toBe(
        false,
      );
      expect(rules.some((r) => r.am !== undefined && satisfied(r.condition, all) && r.am & AM.READ)).toBe(
        false,
      );
    }
  });
});
