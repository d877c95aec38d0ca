// OTA RFM in the ISIM's context (TS 102 226 §6): the TAR's context comes from the applet registry (the ISIM
// package declares ADF.ISIM), so `context: isim` starts remote commands in ADF.ISIM. The profile's ISIM TAR
// B00020 grants keyset 2 ADM1 and PIN1, keyset 3 PIN1 only.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeSpi } from '../../applets/ota/spi.js';
import { decodeOtaConfig, encodeOtaConfig } from '../../applets/subscriptions/ota-records.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { createCard } from '../../card-os/card.js';
import { deliverOta } from '../../host/ota/deliver.js';
import { OtaServer } from '../../host/ota/ota-server.js';
import { OTA_TEST_KEYSETS } from '../../host/ota/test-keys.js';
import { personalise } from '../../host/personalise.js';
import { loadProfile, parseProfileText } from '../../host/profile/load.js';
import { embeddedTransport } from '../../host/transport/embedded.js';
import { newCard, PIN1, tx } from '../support/uicc.js';

const PROFILE = 'profiles/examples/usim-isim.yaml';
const ISIM_AID = 'A0000000871004FFFFFFFF8907090000';
const ISIM_TAR = 0xb00020;
const text = (t: string) => toHex(new TextEncoder().encode(t));
const OLD_IMPI = `8031${text('001010123456789@ims.mnc001.mcc001.3gppnetwork.org')}`;
const NEW_IMPI = `8016${text('alice@ims.example.org')}`.padEnd(51 * 2, 'F');

function setup() {
  const card = newCard({ profile: PROFILE });
  return { card, transport: embeddedTransport(card), server: new OtaServer() };
}

async function rfm(t: ReturnType<typeof setup>, keyset: 0x22 | 0x35, ...apdus: string[]) {
  return rfmTo(t, ISIM_TAR, keyset, ...apdus);
}

async function rfmTo(
  t: Omit<ReturnType<typeof setup>, 'card'>,
  tar: number,
  keyset: 0x22 | 0x35,
  ...apdus: string[]
) {
  const r = await deliverOta(t.transport, t.server, {
    iccid: '89882110000000000002',
    tar,
    spi: decodeSpi(0x16, 0x19)!,
    kic: keyset,
    kid: keyset,
    keysets: OTA_TEST_KEYSETS,
    script: fromHex(apdus.join('')),
  });
  expect(r.por).toMatchObject({ ok: true, status: 0, secured: true });
  return r.por?.ok ? toHex(r.por.data) : '';
}

/** EF.IMPI as the terminal reads it in ADF.ISIM after PIN1. */
function localImpi(card: ReturnType<typeof newCard>): string {
  card.protocol = 1;
  tx(card, `00A4040C10${ISIM_AID}`);
  tx(card, `0020000108${PIN1}`);
  return tx(card, '00B0820033').data;
}

describe('OTA RFM in the ISIM context', () => {
  it('the profile stores the context by its application name and reads it back', () => {
    const ota = loadProfile(PROFILE).ota!;
    const tar = ota.tars.find((t) => t.tar === ISIM_TAR)!;
    expect(tar.context).toBe('isim');
    const records = encodeOtaConfig({ keysets: [], tars: ota.tars });
    expect(decodeOtaConfig(records)?.tars.map((t) => t.context)).toEqual(['uicc', 'usim', 'isim']);
    // Stored contexts of older images keep their one-byte coding: 00 UICC, 01 USIM.
    const tars = toHex(records.get('ota/tars')!);
    expect(tars).toContain('8003B00010810100');
    expect(tars).toContain('8003B00011810101');
    // Any other application: its name in ASCII.
    expect(tars).toContain(`8003B000208104${text('isim')}`);
    // A context that is neither coding is a malformed record.
    const bad = new Map([['ota/tars', fromHex('A00B8003B00030810221218201 00'.replace(/ /g, ''))]]);
    expect(decodeOtaConfig(bad)).toBeUndefined();
  });

  it('starts in ADF.ISIM: 6F07 is EF.IST there, and an update of EF.IMPI with ADM1 rights lands', async () => {
    const t = setup();
    // READ BINARY of 6F07 gives the ISIM service table (01), not the USIM's EF.IMSI.
    expect(await rfm(t, 0x22, '00A40004026F07', '00B0000001')).toBe('02900001');
    const upd = await rfm(t, 0x22, '00A40004026F02', `00D6000033${NEW_IMPI}`, '00B0000033');
    expect(upd).toBe(`039000${NEW_IMPI}`);
    expect(localImpi(t.card)).toBe(NEW_IMPI);
  });

  it('cannot reach beyond its access rules: PIN1 rights read EF.IMPI but do not update it (6982)', async () => {
    const t = setup();
    expect(await rfm(t, 0x35, '00A40004026F02', '00B0000033')).toBe(`029000${OLD_IMPI}`.padEnd(6 + 102, 'F'));
    expect(await rfm(t, 0x35, '00A40004026F02', `00D6000033${NEW_IMPI}`)).toBe('026982');
    expect(localImpi(t.card).startsWith(OLD_IMPI)).toBe(true);
  });

  it('a file of ADF.USIM is not in its reach', async () => {
    const t = setup();
    // 6F38 (EF.UST) exists only in ADF.USIM: from ADF.ISIM it is not found.
    expect(await rfm(t, 0x22, '00A40004026F38')).toBe('016A82');
  });

  it('an ISIM TAR on a card without ADF.ISIM does not fall back to the MF: every command answers 6A82', async () => {
    const yaml = readFileSync('profiles/default-usim.yaml', 'utf8').replace('context: usim', 'context: isim');
    const { spec, applets } = personalise(parseProfileText(yaml, 'default-usim.yaml'));
    const card = createCard(spec, { applets });
    const t = { transport: embeddedTransport(card), server: new OtaServer() };
    expect(await rfmTo(t, 0xb00011, 0x22, '00A40004023F00', '00B0000001')).toBe('016A82');
  });
});
