// Helpers for the SMSC tests: an SMSC on a free loopback port in front of cards made from the default
// profile, an ESME bound to it, and the secured RFM request that rewrites EF.IMSI.

import { decodeSpi } from '../../applets/ota/spi.js';
import { fromHex } from '../../card-os/bytes.js';
import { defaultProfilePath } from '../../host/card-factory.js';
import { OTA_TEST_KEYSETS } from '../../host/ota/test-keys.js';
import { Esme, type EsmeOptions } from '../../host/smpp/esme.js';
import { CardFleet, msisdnRange, readProfile } from '../../host/smsc/fleet.js';
import { DEFAULT_CONFIG, Smsc, type SmscConfig } from '../../host/smsc/smsc.js';

export const ACCOUNT = { systemId: 'esme1', password: 'secret' };
export const FIRST_MSISDN = '999010000000';

export async function startSmsc(count = 3, config: Partial<SmscConfig> = {}, log?: string[]) {
  const fleet = new CardFleet({
    profile: readProfile(defaultProfilePath()),
    msisdns: msisdnRange(FIRST_MSISDN, count),
  });
  const smsc = new Smsc(
    fleet,
    { ...DEFAULT_CONFIG, accounts: [ACCOUNT, { systemId: 'other', password: 'pw2' }], ...config },
    log ? { log: (l) => void log.push(l) } : {},
  );
  const port = await smsc.listen(0);
  return { smsc, fleet, port };
}

export function esmeTo(port: number, o: Partial<EsmeOptions> = {}): Promise<Esme> {
  return Esme.connect({ host: '127.0.0.1', port, ...ACCOUNT, ...o });
}

/** EF.IMSI 001010123456700 (TS 31.102 §4.2.2 coding). */
export const NEW_IMSI = '080910101032547600';

/** RFM in the USIM context (TAR B00011): SELECT EF.IMSI, UPDATE BINARY, READ BINARY (TS 102 226 compact). */
/** SPI2 19: PoR with CC, ciphered, in the SMS-DELIVER-REPORT; 39: the same by SMS-SUBMIT (TS 31.115 §5.1.1). */
export function imsiUpdate(spi2 = 0x19, iccid = '89882110000000000000') {
  return {
    iccid,
    tar: 0xb00011,
    spi: decodeSpi(0x16, spi2)!,
    kic: 0x22,
    kid: 0x22,
    keysets: OTA_TEST_KEYSETS,
    script: fromHex(`00A40004026F07 00D6000009${NEW_IMSI} 00B0000009`.replace(/ /g, '')),
  };
}
