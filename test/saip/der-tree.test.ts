// The PE-level re-encoder: every TS.48 package (and our own encoder's output) decoded into a DER tree and
// encoded again is byte-identical, so nothing the installer does not interpret is lost or reordered.

import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../host/profile/load.js';
import { decodeDer, encodeDer } from '../../host/saip/der-tree.js';
import { encodeUpp } from '../../host/saip/encode.js';
import { TS48_FILES, ts48 } from './support.js';

describe('DER tree decode -> encode', () => {
  for (const file of TS48_FILES)
    it(`${file} is byte-identical`, () => {
      const b = ts48(file);
      const tree = decodeDer(b);
      expect(tree).toBeDefined();
      expect(encodeDer(tree!)).toEqual(b);
    });

  it('our encoder output is byte-identical too', () => {
    const b = encodeUpp(loadProfile('profiles/default-usim.yaml'));
    expect(encodeDer(decodeDer(b)!)).toEqual(b);
  });

  it('malformed input gives undefined', () => {
    expect(decodeDer(Uint8Array.of(0xa0, 0x05, 0x80, 0x00))).toBeUndefined();
  });
});
