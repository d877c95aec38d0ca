// SUCI figures: GET IDENTITY APDUs/s through the card (the USIM conceals with a fresh ephemeral key each
// time: one key generation and one ECDH per command) for Profile A (X25519) and Profile B (P-256), and SIDF
// de-concealments/s on the host (one ECDH, KDF, HMAC, AES-CTR each).

import { usimApplet } from '../applets/usim/applet.js';
import { encodeSuciCalcInfo } from '../applets/usim/suci.js';
import { swOf } from '../card-os/apdu.js';
import { type Bytes, fromHex, toHex } from '../card-os/bytes.js';
import { type CardOs, createCard } from '../card-os/card.js';
import { openCard } from '../host/card-factory.js';
import { deconcealSuci, parseSuci } from '../host/network/sidf.js';
import type { BenchRow } from './harness.js';
import { opsPerSecond } from './harness.js';

// The TS 33.501 Annex C.4 home network keys (public test keys, also in the default profile).
const HN = {
  a: {
    pub: '5a8d38864820197c3394b92613b20b91633cbd897119273bf8e4a6f4eec0a650',
    priv: 'c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d',
  },
  b: {
    pub: '0272da71976234ce833a6907425867b82e074d44ef907dfb4b3e21c1c2256ebcd1',
    priv: 'f1ab1074477ebcc7f554ea1c5fc368b1616730155e0041ac447d6301975fecda',
  },
};

function cardFor(scheme: 1 | 2): CardOs {
  const base = openCard().card;
  const c = createCard(base.spec, {
    applets: base.applets.map((a) => (a.name === 'USIM' ? usimApplet(a.aid!) : a)),
  });
  c.protocol = 1;
  const tx = (h: string) => swOf(c.transmit(fromHex(h)));
  const ok = (sw: number, what: string) => {
    if (sw !== 0x9000) throw new Error(`bench: ${what} answered ${sw.toString(16)}`);
  };
  ok(tx('00A4040C07A0000000871002'), 'SELECT ADF.USIM');
  ok(tx('002000010831323334FFFFFFFF'), 'VERIFY PIN1');
  ok(tx('0020000A083132333435363738'), 'VERIFY ADM1');
  const info = encodeSuciCalcInfo(
    {
      schemes: [{ scheme, keyIndex: 1 }],
      keys: [{ id: scheme, key: fromHex(scheme === 1 ? HN.a.pub : HN.b.pub) }],
    },
    100,
  );
  ok(tx('00A4000C025FC0'), 'SELECT DF.5GS');
  ok(tx('00A4000C024F07'), 'SELECT EF.SUCI_Calc_Info');
  ok(tx(`00D6000064${toHex(info)}`), 'UPDATE BINARY');
  ok(tx('00A4040C07A0000000871002'), 'SELECT ADF.USIM');
  return c;
}

export async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const getIdentity = fromHex('8078000100');
  const sucis: Record<string, string> = {};
  for (const [name, scheme] of [
    ['A (X25519)', 1],
    ['B (P-256)', 2],
  ] as const) {
    const card = cardFor(scheme);
    let last: Bytes = new Uint8Array(0);
    const v = opsPerSecond(() => {
      last = card.transmit(getIdentity);
    }, 1500);
    if (swOf(last) !== 0x9000) throw new Error(`bench: GET IDENTITY answered ${toHex(last.subarray(-2))}`);
    sucis[name] = toHex(last.subarray(0, -2));
    rows.push({ name: `GET IDENTITY (SUCI, Profile ${name}) through the card`, value: v, unit: 'APDUs/s' });
  }
  const keys = [
    { id: 1, scheme: 'profile-a' as const, private: fromHex(HN.a.priv) },
    { id: 2, scheme: 'profile-b' as const, private: fromHex(HN.b.priv) },
  ];
  for (const [name, hex] of Object.entries(sucis)) {
    const suci = parseSuci(hex)!;
    let ok = true;
    const v = opsPerSecond(() => {
      ok = deconcealSuci(suci, keys).ok && ok;
    }, 1500);
    if (!ok) throw new Error(`bench: SIDF failed on Profile ${name}`);
    rows.push({ name: `SIDF de-concealment (Profile ${name})`, value: v, unit: 'SUCIs/s' });
  }
  return rows;
}
