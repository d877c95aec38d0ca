// TS 33.501 Annex C.4 test data (SUPI IMSI with MCC 274, MNC 012, MSIN 001002086).

export const ANNEX_C4 = {
  mcc: '274',
  mnc: '012',
  msin: '001002086',
  /** C.4.2 null scheme: the scheme output is the MSIN in BCD. */
  nullOutput: '00012080f6',
  /** C.4.3 Profile A (X25519). */
  a: {
    hnPrivate: 'c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d',
    hnPublic: '5a8d38864820197c3394b92613b20b91633cbd897119273bf8e4a6f4eec0a650',
    ephPrivate: 'c80949f13ebe61af4ebdbd293ea4f942696b9e815d7e8f0096bbf6ed7de62256',
    ephPublic: 'b2e92f836055a255837debf850b528997ce0201cb82adfe4be1f587d07d8457d',
    ciphertext: 'cb02352410',
    tag: 'cddd9e730ef3fa87',
  },
  /** C.4.4 Profile B (secp256r1, compressed points). */
  b: {
    hnPrivate: 'f1ab1074477ebcc7f554ea1c5fc368b1616730155e0041ac447d6301975fecda',
    hnPublic: '0272da71976234ce833a6907425867b82e074d44ef907dfb4b3e21c1c2256ebcd1',
    hnPublicUncompressed:
      '0472da71976234ce833a6907425867b82e074d44ef907dfb4b3e21c1c2256ebcd15a7ded52fcbb097a4ed250e036c7b9c8c7004c4eedc4f068cd7bf8d3f900e3b4',
    ephPrivate: '99798858a1dc6a2c68637149a4b1dbfd1fdff5addd62a2142f06699ed7602529',
    ephPublic: '039aab8376597021e855679a9778ea0b67396e68c66df32c0f41e9acca2da9b9d1',
    ciphertext: '46a33fc271',
    tag: '6ac7dae96aa30a4d',
  },
} as const;

export const outputA = ANNEX_C4.a.ephPublic + ANNEX_C4.a.ciphertext + ANNEX_C4.a.tag;
export const outputB = ANNEX_C4.b.ephPublic + ANNEX_C4.b.ciphertext + ANNEX_C4.b.tag;
