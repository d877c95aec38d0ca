// Case-1 commands under T=0 (ISO/IEC 7816-3 §12.2.2): the terminal sends the header with P3=00. Every OS
// command that is case 1 for its parameters must take that as "no data", exactly like the 4-byte APDU.
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../card-os/commands/table.js';
import { ADM1, newCard, tx, USIM_AID } from '../support/uicc.js';

interface Case1 {
  name: string;
  /** Commands that put the card in the state the command needs. */
  setup: string[];
  /** The case-1 command, 4 bytes. */
  apdu: string;
  sw: string;
}

const CASES: Case1[] = [
  { name: 'VERIFY PIN', setup: [], apdu: '00200001', sw: '63C3' }, // retry counter (§11.1.9)
  { name: 'UNBLOCK PIN', setup: [], apdu: '002C0001', sw: '63CA' }, // retry counter (§11.1.13)
  {
    name: 'DEACTIVATE FILE',
    setup: [`0020000A08${ADM1}`, `00A4040C07${USIM_AID}`, '00A4000C026F07'],
    apdu: '00040000',
    sw: '9000',
  },
  {
    name: 'ACTIVATE FILE',
    setup: [`0020000A08${ADM1}`, `00A4040C07${USIM_AID}`, '00A4000C026F07'],
    apdu: '00440000',
    sw: '9000',
  },
  { name: 'MANAGE CHANNEL', setup: ['0070000001'], apdu: '00708001', sw: '9000' }, // close
  { name: 'MANAGE CHANNEL', setup: [], apdu: '00700002', sw: '9000' }, // open channel 2
  { name: 'SELECT', setup: [], apdu: '00A4000C', sw: '9000' }, // the MF, no data back
  { name: 'SELECT', setup: [`00A4040C07${USIM_AID}`], apdu: '00A4030C', sw: '9000' }, // parent
  { name: 'STATUS', setup: [], apdu: '80F2000C', sw: '9000' },
];

function run(apdu: string, setup: string[], protocol: 0 | 1) {
  const c = newCard({ protocol });
  for (const s of setup) expect(tx(c, s).sw, s).toMatch(/^(9000|61..)$/);
  return { card: c, answer: tx(c, apdu) };
}

describe('case-1 commands under T=0 with P3=00', () => {
  it('covers every OS command that has a case-1 form', () => {
    const declared = Object.values(COMMANDS)
      .filter((d) => d?.case1)
      .map((d) => d!.name);
    expect(new Set(CASES.map((c) => c.name))).toEqual(new Set(declared));
  });

  for (const c of CASES) {
    it(`${c.name} ${c.apdu}: P3=00 answers like the 4-byte command`, () => {
      const four = run(c.apdu, c.setup, 0);
      const five = run(`${c.apdu}00`, c.setup, 0);
      expect(four.answer).toEqual({ sw: c.sw, data: '' });
      expect(five.answer).toEqual(four.answer);
      // Same state afterwards: the same status answer on the basic channel.
      expect(tx(five.card, '80F20000').sw).toBe(tx(four.card, '80F20000').sw);
    });
  }

  it('lpac closes its logical channel with 00 70 80 01 00', () => {
    const c = newCard({ protocol: 0 });
    expect(tx(c, '0070000001')).toEqual({ sw: '9000', data: '01' });
    expect(tx(c, '0070800100').sw).toBe('9000');
    expect(tx(c, '01F2000C').sw).toBe('6881'); // the channel is closed
  });

  it('P3=00 still means Le=256 for case-2 commands, and T=1 keeps the 5-byte APDU as case 2', () => {
    const c = newCard({ protocol: 0 });
    expect(tx(c, '00A4000C022FE2').sw).toBe('9000');
    expect(tx(c, '00B0000000').sw).toBe('6C0A'); // EF.ICCID is 10 bytes
    const t1 = newCard({ protocol: 1 });
    tx(t1, '0070000001');
    expect(tx(t1, '0070800100').sw).toBe('6700');
    expect(tx(t1, '00708001').sw).toBe('9000');
  });

  it('a case-3 command with P3=00 is still refused (no data where data is needed)', () => {
    const c = newCard({ protocol: 0 });
    expect(tx(c, '0024000100').sw).toBe('6700'); // CHANGE PIN has no case-1 form
  });
});
