// The default profile running on the card OS: what a terminal reads back through APDUs is what the
// profile says, including SFI-addressed reads (the SFIs of the files' own FCPs).

import { describe, expect, it } from 'vitest';
import { toHex } from '../../card-os/bytes.js';
import { createCard } from '../../card-os/card.js';
import { loadDefaultProfile } from '../../host/profile/load.js';

const apdu = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/\s/g, ''), 'hex'));

describe('default profile on the card OS', () => {
  const p = loadDefaultProfile();
  const card = createCard(p.spec, { protocol: 1 });

  it('answers reset with the profile ATR', () => {
    expect(toHex(card.powerOn())).toBe('3B9C9680B1FE451FC78031E073FE211F6475696363C2');
  });

  it('serves EF.ICCID, EF.IMSI (after PIN1) and EF.AD by SFI', () => {
    card.powerOn();
    expect(toHex(card.transmit(apdu('00 B0 82 00 0A')))).toBe('98881201000000000020' + '9000'); // SFI 02 in the MF
    expect(toHex(card.transmit(apdu('00 A4 04 04 10 A0000000871002FFFFFFFF8907090000 00'))).slice(-4)).toBe(
      '9000',
    );
    expect(toHex(card.transmit(apdu('00 B0 83 00 04')))).toBe('000000029000'); // SFI 03 = EF.AD
    expect(toHex(card.transmit(apdu('00 B0 87 00 09'))).slice(-4)).toBe('6982'); // EF.IMSI needs PIN1
    expect(toHex(card.transmit(apdu('00 20 00 01 08 31323334FFFFFFFF')))).toBe('9000');
    expect(toHex(card.transmit(apdu('00 B0 87 00 09')))).toBe('0809101010325476989000'); // SFI 07 = EF.IMSI
    expect(toHex(card.transmit(apdu('00 B0 9E 00 12'))).slice(0, 36)).toBe('FF'.repeat(15) + '000001'); // SFI 1E = EF.EPSLOCI
  });
});
