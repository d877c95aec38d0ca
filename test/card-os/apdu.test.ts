import { describe, expect, it } from 'vitest';
import { buildCommand, channelOf, parseCommand } from '../../card-os/apdu.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { SW, swName } from '../../card-os/sw.js';

describe('command APDU codec (ISO 7816-3 §12.1)', () => {
  it('parses the four short cases', () => {
    expect(parseCommand(fromHex('00A40000')).cmd).toMatchObject({
      case: 1,
      le: undefined,
      data: new Uint8Array(0),
    });
    expect(parseCommand(fromHex('00B0000009')).cmd).toMatchObject({ case: 2, le: 9 });
    expect(parseCommand(fromHex('00B0000000')).cmd).toMatchObject({ case: 2, le: 256 });
    const c3 = parseCommand(fromHex('00A40004023F00')).cmd!;
    expect(c3.case).toBe(3);
    expect(toHex(c3.data)).toBe('3F00');
    const c4 = parseCommand(fromHex('00A40004023F0000')).cmd!;
    expect(c4).toMatchObject({ case: 4, le: 256, extended: false });
  });

  it('parses extended cases', () => {
    expect(parseCommand(fromHex('00B00000000100')).cmd).toMatchObject({ case: 2, le: 256, extended: true });
    expect(parseCommand(fromHex('00B00000000000')).cmd).toMatchObject({ case: 2, le: 65536, extended: true });
    const data = 'AB'.repeat(300);
    const c3 = parseCommand(fromHex(`00D60000 00012C ${data}`)).cmd!;
    expect(c3).toMatchObject({ case: 3, extended: true });
    expect(c3.data.length).toBe(300);
    const c4 = parseCommand(fromHex(`00D60000 00012C ${data} 0000`)).cmd!;
    expect(c4).toMatchObject({ case: 4, le: 65536 });
  });

  it('rejects malformed lengths with 6700', () => {
    for (const h of [
      '',
      '00',
      '00A400',
      '00A400040201',
      '00A40004023F',
      '00A40004023F000000',
      '00D600000000',
      '00D6000000000301',
    ]) {
      expect(parseCommand(fromHex(h)).error, h).toBe(SW.WRONG_LENGTH);
    }
  });

  it('builds what it parses', () => {
    for (const h of ['00A40000', '00B0000009', '00A40004023F00', '00A40004023F0000', '00B00000000100']) {
      const c = parseCommand(fromHex(h)).cmd!;
      expect(toHex(buildCommand(c.cla, c.ins, c.p1, c.p2, c.data, c.le, c.extended))).toBe(h);
    }
  });

  it('decodes logical channels from CLA (TS 102 221 §10.1.1)', () => {
    expect(channelOf(0x00)).toBe(0);
    expect(channelOf(0x03)).toBe(3);
    expect(channelOf(0x83)).toBe(3);
    expect(channelOf(0x40)).toBe(4);
    expect(channelOf(0x4f)).toBe(19);
    expect(channelOf(0xc1)).toBe(5);
  });

  it('names status words', () => {
    expect(swName(0x9000)).toBe('OK');
    expect(swName(0x611c)).toContain('28');
    expect(swName(0x6c09)).toContain('9');
    expect(swName(0x63c2)).toContain('2 retries');
    expect(swName(0x6a82)).toContain('not found');
    expect(swName(0x9862)).toContain('MAC');
  });
});

describe('ATR protocols (ISO 7816-3 §8.2.3)', async () => {
  const { offeredProtocols, firstProtocol } = await import('../../card-os/card.js');
  it('reads the TD bytes', () => {
    expect(offeredProtocols(fromHex('3B9C9680B1FE451FC78031E073FE211F6475696363C2'))).toEqual([0, 1]);
    expect(offeredProtocols(fromHex('3B9F96801FC78031E073FE211B633A204E8300900093'))).toEqual([0]);
    expect(offeredProtocols(fromHex('3B8080811FC7'))).toEqual([0, 1]);
    expect(firstProtocol(fromHex('3B8180000081'))).toBe(0);
    expect(offeredProtocols(fromHex('3B00'))).toEqual([0]);
    expect(offeredProtocols(fromHex('3B'))).toEqual([0]);
  });
});
