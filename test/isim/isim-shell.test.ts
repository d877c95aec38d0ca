// The shell decodes and encodes ADF.ISIM's files with the codecs the ISIM package declares (through the
// applet registry), including EF.IST, whose FID 6F07 is EF.IMSI in ADF.USIM.
import { describe, expect, it } from 'vitest';
import { openCard } from '../../host/card-factory.js';
import { sessionLine, shellContext } from '../../host/cli/shell.js';
import { ExchangeDecoder } from '../../host/decode/apdu.js';
import { contentDecoder } from '../../host/decode/content.js';
import { embeddedTransport } from '../../host/transport/embedded.js';

describe('shell on ADF.ISIM', () => {
  it('reads and writes IMPI, IMPU, IST and P-CSCF as values', async () => {
    const state = { raw: false, decoder: new ExchangeDecoder(contentDecoder) };
    const card = openCard({ profile: 'profiles/examples/usim-isim.yaml' }).card;
    const ctx = await shellContext(embeddedTransport(card), card.spec, state.decoder);
    const sh = async (...lines: string[]) => {
      const out: string[] = [];
      for (const l of lines) await sessionLine(l, ctx, state, (s) => out.push(s));
      return out.join('\n');
    };
    await sh('select ADF.ISIM', 'verify_chv 1234', 'select EF.IMPI');
    expect(await sh('read_binary_decoded')).toBe('"001010123456789@ims.mnc001.mcc001.3gppnetwork.org"');
    await sh('select EF.IST');
    expect(await sh('read_binary_decoded')).toBe('[\n  1\n]');
    await sh('select EF.IMPU');
    expect(await sh('read_record_decoded 2')).toBe('"tel:+001010123456789"');
    // EF.AD (6FAD) in ADF.ISIM is the ISIM's own coding (TS 31.103 §4.2.5), not the USIM's.
    await sh('select EF.AD');
    expect(JSON.parse(await sh('read_binary_decoded'))).toMatchObject({ mode: expect.any(String) });
    await sh('select EF.P-CSCF');
    expect(JSON.parse(await sh('read_record_decoded 1'))).toEqual({
      fqdn: 'pcscf.ims.mnc001.mcc001.3gppnetwork.org',
    });
    // EF.IMPU's access rule (2) reads with PIN1 and updates with ADM1 only.
    await sh('select EF.IMPU');
    expect(await sh('update_record_decoded 1 "sip:bob@ims.example"')).toContain('6982');
    await sh('verify_adm 12345678');
    await sh('update_record_decoded 1 "sip:bob@ims.example"');
    expect(await sh('read_record_decoded 1')).toBe('"sip:bob@ims.example"');
  });
});
