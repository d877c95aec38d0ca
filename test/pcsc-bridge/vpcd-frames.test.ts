import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, fromHex } from '../../card-os/bytes.js';
import {
  controlName,
  createFrameParser,
  encodeControl,
  encodeFrame,
  VPCD_CTRL,
  type VpcdParseEvent,
} from '../../pcsc-bridge/vpcd-frames.js';

const apdu = (hex: string): VpcdParseEvent => ({ kind: 'apdu', apdu: fromHex(hex) });
const ctrl = (code: number): VpcdParseEvent => ({ kind: 'control', code });

describe('vpcd frame encoder', () => {
  it('prefixes the big-endian length (virtualsmartcard/doc/api.txt: 00 01 04 is get ATR)', () => {
    expect(encodeControl(VPCD_CTRL.GET_ATR)).toEqual(fromHex('000104'));
    expect(encodeFrame(fromHex('00A40004023F00'))).toEqual(fromHex('000700A40004023F00'));
    const big = new Uint8Array(0x1234).fill(0xab);
    expect(Array.from(encodeFrame(big).subarray(0, 3))).toEqual([0x12, 0x34, 0xab]);
  });

  it('refuses an empty payload (vpcd reads length 0 as "card removed") and one beyond 65535 bytes', () => {
    expect(() => encodeFrame(new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodeFrame(new Uint8Array(0x10000))).toThrow(/1\.\.65535/);
  });

  it('names the control bytes', () => {
    expect(controlName(0)).toBe('power off');
    expect(controlName(1)).toBe('power on');
    expect(controlName(2)).toBe('reset');
    expect(controlName(4)).toBe('get ATR');
    expect(controlName(0x7f)).toBe('unknown control byte 7F');
  });
});

describe('vpcd frame parser', () => {
  it('parses frames merged into one read (power on + get ATR in one segment, vsmartcard#50)', () => {
    const p = createFrameParser();
    const events = p.push(concat(encodeControl(1), encodeControl(4), encodeFrame(fromHex('00B000000A'))));
    expect(events).toEqual([ctrl(1), ctrl(4), apdu('00B000000A')]);
    expect(p.buffered()).toBe(0);
  });

  it('parses a frame split byte by byte, yielding it once complete', () => {
    const p = createFrameParser();
    const wire = concat(encodeFrame(fromHex('00A40004023F00')), encodeControl(0));
    const events: VpcdParseEvent[] = [];
    for (let i = 0; i < wire.length; i++) {
      const got = p.push(wire.subarray(i, i + 1));
      if (i < 8) expect(got).toEqual([]);
      events.push(...got);
    }
    expect(events).toEqual([apdu('00A40004023F00'), ctrl(0)]);
    expect(p.buffered()).toBe(0);
  });

  it('splits the length field itself across reads, and a frame across a merged boundary', () => {
    const p = createFrameParser();
    const wire = concat(encodeFrame(fromHex('0102030405')), encodeFrame(fromHex('AABBCCDD')));
    expect(p.push(wire.subarray(0, 1))).toEqual([]);
    expect(p.push(wire.subarray(1, 9))).toEqual([apdu('0102030405')]);
    expect(p.buffered()).toBe(2);
    expect(p.push(wire.subarray(9))).toEqual([apdu('AABBCCDD')]);
  });

  it('hands out plain Uint8Array copies: reusing the socket chunk does not change a parsed frame', () => {
    const p = createFrameParser();
    const chunk = Buffer.from(encodeFrame(fromHex('11223344')));
    const [ev] = p.push(chunk);
    chunk.fill(0);
    expect(ev).toEqual(apdu('11223344'));
    expect(Object.getPrototypeOf((ev as { apdu: Uint8Array }).apdu)).toBe(Uint8Array.prototype);
  });

  it('reports a zero-length frame as one non-fatal diagnostic and goes on', () => {
    const p = createFrameParser();
    const events = p.push(concat(fromHex('0000'), encodeControl(4)));
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ kind: 'error', fatal: false });
    expect((events[0] as { message: string }).message).toMatch(/zero-length frame/);
    expect(events[1]).toEqual(ctrl(4));
    expect(p.broken).toBe(false);
  });

  it('reports an absurd length as fatal, drops the stream and ignores later input without throwing', () => {
    const p = createFrameParser({ maxPayload: 300 });
    const events = p.push(concat(encodeControl(1), fromHex('FFFF414243')));
    expect(events[0]).toEqual(ctrl(1));
    expect(events[1]).toMatchObject({ kind: 'error', fatal: true });
    expect((events[1] as { message: string }).message).toMatch(/65535 bytes, more than the 300-byte limit/);
    expect(p.broken).toBe(true);
    expect(p.buffered()).toBe(0);
    expect(p.push(encodeControl(4))).toEqual([]);
  });

  it('detects an absurd length that arrives split across reads', () => {
    const p = createFrameParser({ maxPayload: 1000 });
    expect(p.push(fromHex('01'))).toEqual([]);
    expect(p.push(fromHex('04'))).toEqual([]); // 0x0104 = 260: within the limit, waits for the payload
    expect(p.buffered()).toBe(2);
    const q = createFrameParser({ maxPayload: 1000 });
    expect(q.push(fromHex('F0'))).toEqual([]);
    expect(q.push(fromHex('00'))[0]).toMatchObject({ kind: 'error', fatal: true });
  });

  it('passes unknown 1-byte payloads and short APDUs on for the card side to judge', () => {
    const p = createFrameParser();
    expect(p.push(concat(encodeControl(0x7f), encodeFrame(fromHex('0102'))))).toEqual([
      ctrl(0x7f),
      apdu('0102'),
    ]);
  });

  it('keeps a 65535-byte frame fed one byte at a time intact (no quadratic copying)', () => {
    const p = createFrameParser();
    const payload = new Uint8Array(0xffff).map((_, i) => i & 0xff);
    const wire = encodeFrame(payload);
    let got: VpcdParseEvent[] = [];
    for (let i = 0; i < wire.length; i++) got = got.concat(p.push(wire.subarray(i, i + 1)));
    expect(got).toHaveLength(1);
    expect((got[0] as { apdu: Uint8Array }).apdu).toEqual(payload);
  });

  it('yields the same frames however the stream is cut (property)', () => {
    const payloads = fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), {
      minLength: 1,
      maxLength: 12,
    });
    fc.assert(
      fc.property(payloads, fc.array(fc.nat(), { maxLength: 20 }), (frames, cuts) => {
        const wire = concat(...frames.map(encodeFrame));
        const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
        const p = createFrameParser();
        const out: VpcdParseEvent[] = [];
        let prev = 0;
        for (const c of [...points, wire.length]) {
          out.push(...p.push(wire.subarray(prev, c)));
          prev = c;
        }
        const expected = frames.map((f) => (f.length === 1 ? ctrl(f[0]!) : { kind: 'apdu', apdu: f }));
        expect(out).toEqual(expected);
        expect(p.buffered()).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
