// ISIM (TS 31.103) on a UICC with USIM and ISIM (profiles/examples/usim-isim.yaml): the files of ADF.ISIM,
// AUTHENTICATE in the IMS AKA context with the ISIM's own keys and SQN state, and its status words.
import { describe, expect, it } from 'vitest';
import { concat, fromHex, toHex, xor } from '../../card-os/bytes.js';
import { createAuc } from '../../host/network/auc.js';
import { osmoMissing, osmoSkipReason, osmoVector } from '../support/osmo-auc-gen.js';
import { newCard, PIN1, tx, USIM_AID } from '../support/uicc.js';
import { MILENAGE_VECTORS } from '../usim/milenage-vectors.js';

const PROFILE = 'profiles/examples/usim-isim.yaml';
const ISIM_AID = 'A0000000871004';
// The profile's ISIM keys are TS 35.207 test set 2; its USIM keys are test set 1.
const SET2 = MILENAGE_VECTORS.find((v) => v.set === 2)!;
const SET1 = MILENAGE_VECTORS.find((v) => v.set === 1)!;
const IMPI_IMSI = '001010123456789';

const ascii = (hex: string) => Buffer.from(hex, 'hex').toString('latin1');
const authApdu = (rand: string, autn: string) => `0088008122 10${rand} 10${autn} 00`.replace(/ /g, '');
const autnOf = (v: typeof SET2) =>
  toHex(concat(xor(fromHex(v.sqn), fromHex(v.f5)), fromHex(v.amf), fromHex(v.f1)));

function isimCard() {
  const c = newCard({ profile: PROFILE, protocol: 1 });
  expect(tx(c, `00A4040C07${ISIM_AID}`).sw).toBe('9000');
  return c;
}

describe('ADF.ISIM files (TS 31.103 §4.2)', () => {
  it('selects by partial AID and lists ISIM in EF.DIR', () => {
    const c = newCard({ profile: PROFILE, protocol: 1 });
    expect(tx(c, '00B201F400').data).toContain('A0000000871002');
    expect(tx(c, '00B202F400').data).toContain('4F10A0000000871004FFFFFFFF8907090000');
    const fcp = tx(c, `00A4040407${ISIM_AID}00`);
    expect(fcp.sw).toBe('9000');
    expect(fcp.data).toContain('8410A0000000871004FFFFFFFF8907090000');
  });

  it('reads EF.IMPI, EF.DOMAIN, EF.IMPU, EF.IST, EF.AD, EF.P-CSCF after PIN1; EF.ARR without', () => {
    const c = isimCard();
    expect(tx(c, '00B0820000').sw).toBe('6982'); // EF.IMPI (SFI 02) needs PIN1
    expect(tx(c, '00B2013400').sw).toBe('9000'); // EF.ARR (SFI 06): always readable (rule 10)
    expect(tx(c, `0020000108${PIN1}`).sw).toBe('9000');
    const impi = tx(c, '00B0820000');
    expect(impi.data.slice(0, 4)).toBe('8031');
    expect(ascii(impi.data.slice(4))).toBe('001010123456789@ims.mnc001.mcc001.3gppnetwork.org');
    expect(ascii(tx(c, '00B0850000').data.slice(4))).toBe('ims.mnc001.mcc001.3gppnetwork.org');
    const impu1 = tx(c, '00B2012400').data; // EF.IMPU SFI 04, record 1
    expect(ascii(impu1.slice(4, 4 + 0x35 * 2))).toBe('sip:001010123456789@ims.mnc001.mcc001.3gppnetwork.org');
    expect(ascii(tx(c, '00B2022400').data.slice(4, 4 + 0x14 * 2))).toBe('tel:+001010123456789');
    expect(tx(c, '00B0870000').data).toBe('01'); // EF.IST: service 1, P-CSCF address
    expect(tx(c, '00B0830000').data).toBe('000000'); // EF.AD
    expect(tx(c, '00A4000C026F09').sw).toBe('9000');
    const pcscf = tx(c, '00B2010400').data;
    expect(pcscf.slice(0, 6)).toBe('802800'); // tag 80, FQDN address type
    expect(ascii(pcscf.slice(6, 4 + 0x28 * 2))).toBe('pcscf.ims.mnc001.mcc001.3gppnetwork.org');
  });
});

describe('AUTHENTICATE, IMS AKA context (TS 31.103 §7.1.2.1)', () => {
  it('answers DB RES CK IK (no Kc) with the ISIM keys: TS 35.207 test set 2', () => {
    const c = isimCard();
    expect(tx(c, `0020000108${PIN1}`).sw).toBe('9000');
    // Set 2's SQN is far above a fresh card's SEQ_MS: the profile's delta (2^28) refuses it with a resync.
    const r = tx(c, authApdu(SET2.rand, autnOf(SET2)));
    expect(r.sw).toBe('9000');
    expect(r.data.slice(0, 4)).toBe('DC0E');
  });

  it('authenticates with vectors of an AuC holding the ISIM keys; its SQN state is its own', () => {
    const auc = createAuc([
      {
        imsi: IMPI_IMSI,
        k: fromHex(SET2.k),
        opc: fromHex(SET2.opc),
        amf: fromHex('8000'),
        gsm: false,
        indBits: 5,
        seq: 0,
      },
    ]);
    const c = isimCard();
    tx(c, `0020000108${PIN1}`);
    for (let i = 0; i < 5; i++) {
      const v = auc.generateVector(IMPI_IMSI);
      const r = tx(c, authApdu(toHex(v.rand), toHex(v.autn)));
      expect(r).toEqual({ sw: '9000', data: `DB08${toHex(v.xres)}10${toHex(v.ck)}10${toHex(v.ik)}` });
    }
    // The USIM's SQN state did not move: the first USIM vector of an AuC with the USIM keys still passes.
    const usimAuc = createAuc([
      {
        imsi: IMPI_IMSI,
        k: fromHex(SET1.k),
        opc: fromHex(SET1.opc),
        amf: fromHex('8000'),
        gsm: true,
        indBits: 5,
        seq: 0,
      },
    ]);
    expect(tx(c, `00A4040C07${USIM_AID}`).sw).toBe('9000');
    const u = usimAuc.generateVector(IMPI_IMSI);
    expect(tx(c, authApdu(toHex(u.rand), toHex(u.autn))).sw).toBe('9000');
  });

  it('refuses without PIN1 (6982), other contexts (9864 defined, 6A86 RFU), bad lengths and a bad MAC', () => {
    const c = isimCard();
    const ok = authApdu(SET2.rand, autnOf(SET2));
    expect(tx(c, ok).sw).toBe('6982');
    tx(c, `0020000108${PIN1}`);
    expect(tx(c, ok.replace(/^00880081/, '00880080')).sw).toBe('6A86'); // 000: no GSM context in the ISIM
    expect(tx(c, ok.replace(/^00880081/, '00880084')).sw).toBe('9864'); // GBA
    expect(tx(c, ok.replace(/^00880081/, '00880082')).sw).toBe('9864'); // HTTP Digest
    expect(tx(c, ok.replace(/^00880081/, '00880083')).sw).toBe('6A86'); // RFU
    expect(tx(c, ok.replace(/^00880081/, '00880181')).sw).toBe('6A86');
    expect(tx(c, ok.replace(/^00880081/, '80880081')).sw).toBe('6E00');
    expect(tx(c, `008800811110${SET2.rand}00`).sw).toBe('6700'); // GSM-sized data: IMS AKA needs 34 bytes
    // The USIM's (set 1) vector fails the ISIM's MAC check: the keys are the ISIM's own.
    expect(tx(c, authApdu(SET1.rand, autnOf(SET1))).sw).toBe('9862');
    // And the ISIM's vector fails in the USIM.
    expect(tx(c, `00A4040C07${USIM_AID}`).sw).toBe('9000');
    expect(tx(c, ok).sw).toBe('9862');
  });

  it.skipIf(osmoMissing)(
    `agrees with osmo-auc-gen on RES, CK, IK; a replay gets AUTS${osmoSkipReason}`,
    () => {
      const c = isimCard();
      tx(c, `0020000108${PIN1}`);
      for (const [i, rand] of [
        '00112233445566778899AABBCCDDEEFF',
        'F0E1D2C3B4A5968778695A4B3C2D1E0F',
      ].entries()) {
        const ref = osmoVector({ k: SET2.k, opc: SET2.opc, rand, sqn: 32 * (i + 1), amf: '8000' });
        const r = tx(c, authApdu(rand, ref.get('AUTN')!));
        expect(r.sw).toBe('9000');
        expect(r.data.toLowerCase()).toBe(`db08${ref.get('RES')}10${ref.get('CK')}10${ref.get('IK')}`);
        expect(tx(c, authApdu(rand, ref.get('AUTN')!)).data.slice(0, 4)).toBe('DC0E'); // replay
      }
    },
  );
});
