import { describe, expect, it } from 'vitest';
import { fromHex } from '../../card-os/bytes.js';
import {
  compileRule,
  differingBytes,
  fieldMask,
  matches,
  RuleError,
  rulesFromDocument,
} from '../../host/trace/ignore.js';

const rule = (
  match: string,
  masks: { command?: string; response?: string; sw?: string } = { response: 'xx*' },
) => compileRule({ match, ...masks }, 'test');

describe('ignore rule patterns', () => {
  it('match hex with x wildcards per nibble, exact length unless it ends in *', () => {
    expect(matches(rule('00 88 00 81 *'), fromHex('0088008122AABB'))).toBe(true);
    expect(matches(rule('0x 88 00 81 *'), fromHex('0188008122'))).toBe(true);
    expect(matches(rule('0x 88 00 81 *'), fromHex('8088008122'))).toBe(false);
    expect(matches(rule('00 B0 00 00 09'), fromHex('00B0000009'))).toBe(true);
    expect(matches(rule('00 B0 00 00 09'), fromHex('00B000000900'))).toBe(false);
    expect(matches(rule('00 B0 xx xx *'), fromHex('00B0'))).toBe(false);
    expect(matches(rule('ATR'), fromHex('3B00'))).toBe(false);
  });

  it('mask nibbles: "." compares, "x" ignores, a final * ignores the rest and the length', () => {
    const m = fieldMask([rule('00 B0 *', { response: '.. x. xx' })], 'response');
    expect(differingBytes(fromHex('112233'), fromHex('1192FF'), m)).toEqual([]);
    expect(differingBytes(fromHex('112233'), fromHex('112A33'), m)).toEqual([1]);
    // Beyond a mask without *, bytes are compared and a length change is a difference.
    expect(differingBytes(fromHex('11223344'), fromHex('11223355'), m)).toEqual([3]);
    expect(differingBytes(fromHex('112233'), fromHex('11223344'), m)).toEqual([3]);
    const open = fieldMask([rule('00 B0 *', { response: '.. *' })], 'response');
    expect(differingBytes(fromHex('11'), fromHex('11223344'), open)).toEqual([]);
    expect(differingBytes(fromHex('12'), fromHex('11'), open)).toEqual([0]);
  });

  it('counts mask positions from the start of the whole response (GET RESPONSE pieces)', () => {
    const m = fieldMask([rule('00 B0 *', { response: '.... xxxx' })], 'response');
    // A piece starting at byte 2 of the response: its first two bytes are ignored.
    expect(differingBytes(fromHex('AABB'), fromHex('CCDD'), m, 2)).toEqual([]);
    expect(differingBytes(fromHex('AABB'), fromHex('CCDD'), m, 0)).toEqual([0, 1]);
  });

  it('ignores a nibble if any of several rules does', () => {
    const m = fieldMask([rule('00 xx *', { sw: '..x.' }), rule('00 xx *', { sw: '...x' })], 'sw');
    expect(differingBytes(fromHex('6310'), fromHex('63FF'), m)).toEqual([]);
    expect(differingBytes(fromHex('6310'), fromHex('6410'), m)).toEqual([0]);
  });

  it('refuses malformed rules with a message that names the rule', () => {
    expect(() => compileRule({ match: '00 B', response: 'xx' }, 'f.yaml: rule 2')).toThrow(
      /f\.yaml: rule 2: match must be hex bytes/,
    );
    expect(() => compileRule({ match: '00', response: 'xx' }, 'r')).toThrow(/at least CLA and INS/);
    expect(() => compileRule({ match: '00B0' }, 'r')).toThrow(/ignores nothing/);
    expect(() => compileRule({ match: '00B0', response: 'x0' }, 'r')).toThrow(
      /"\." \(compare\) and "x" \(ignore\)/,
    );
    expect(() => compileRule({ match: '00B0', sw: 'xx' }, 'r')).toThrow(/4 nibbles/);
    expect(() => compileRule({ match: '00B0', response: 'xx', other: 1 }, 'r')).toThrow(RuleError);
    expect(() => rulesFromDocument({ rules: [] }, 'side.yaml')).toThrow(
      /side\.yaml: expected a list of ignore rules/,
    );
  });

  it('reads a side file document: a list or { ignore: list }', () => {
    expect(rulesFromDocument([{ match: '00B0*', response: 'xx*' }], 'a')).toHaveLength(1);
    expect(rulesFromDocument({ ignore: [{ match: 'ATR', response: 'xx*' }] }, 'b')[0]!.match).toBe('ATR');
  });
});
