// Activation codes (SGP.22 §4.1): the five strings of pySim's unit test (tests/unittests/test_esim.py,
// TestActivationCode) round-trip unchanged; bad codes are refused with the field named.
import { describe, expect, it } from 'vitest';
import {
  ActivationCodeError,
  formatActivationCode,
  parseActivationCode,
} from '../../host/smdp/activation-code.js';

describe('activation codes', () => {
  it("round-trips pySim's examples field by field", () => {
    const cases = [
      ['1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815', '04386-AGYFT-A74Y8-3F815', undefined, false],
      ['1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$$1', '04386-AGYFT-A74Y8-3F815', undefined, true],
      [
        '1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$1.3.6.1.4.1.31746$1',
        '04386-AGYFT-A74Y8-3F815',
        '1.3.6.1.4.1.31746',
        true,
      ],
      [
        '1$SMDP.GSMA.COM$04386-AGYFT-A74Y8-3F815$1.3.6.1.4.1.31746',
        '04386-AGYFT-A74Y8-3F815',
        '1.3.6.1.4.1.31746',
        false,
      ],
      ['1$SMDP.GSMA.COM$$1.3.6.1.4.1.31746', '', '1.3.6.1.4.1.31746', false],
    ] as const;
    for (const [s, matchingId, smdpOid, cc] of cases) {
      const ac = parseActivationCode(s);
      expect(ac.smdpAddress).toBe('SMDP.GSMA.COM');
      expect(ac.matchingId).toBe(matchingId);
      expect(ac.smdpOid).toBe(smdpOid);
      expect(ac.confirmationCodeRequired).toBe(cc);
      expect(formatActivationCode(ac, false)).toBe(s);
      expect(formatActivationCode(ac)).toBe(`LPA:${s}`);
      expect(parseActivationCode(`LPA:${s}`)).toEqual(ac);
    }
  });

  it('takes a port after the host name (a local test SM-DP+)', () => {
    const ac = parseActivationCode('LPA:1$localhost:8443$ABC-1');
    expect(ac).toEqual({
      smdpAddress: 'localhost:8443',
      matchingId: 'ABC-1',
      confirmationCodeRequired: false,
    });
  });

  it('refuses bad codes saying what is wrong', () => {
    const bad: [string, RegExp][] = [
      ['hello', /not an activation code/],
      ['2$SMDP.GSMA.COM$X', /format "2" is not supported/],
      ['1$SMDP.GSMA.COM', /expected 1\$<SM-DP\+ address>\$<matching ID>/],
      ['1$$X', /SM-DP\+ address is empty/],
      ['1$smdp_bad!.com$X', /not a host name/],
      ['1$host:99999$X', /port out of range/],
      ['1$SMDP.GSMA.COM$X$1.2.x', /OID "1.2.x"/],
      ['1$SMDP.GSMA.COM$X$$2', /flag "2"/],
      ['1$SMDP.GSMA.COM$A B', /matching ID "A B"/],
      ['1$a$b$1.2$1$extra', /more than 5 fields/],
    ];
    for (const [s, msg] of bad) {
      expect(() => parseActivationCode(s), s).toThrow(ActivationCodeError);
      expect(() => parseActivationCode(s), s).toThrow(msg);
    }
    expect(() =>
      formatActivationCode({ smdpAddress: 'a.b', matchingId: 'x$y', confirmationCodeRequired: false }),
    ).toThrow(/matching ID "x\$y"/);
  });
});
