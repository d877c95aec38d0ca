// Card OS commands against the default USIM profile: success and error status words per command.
import { describe, expect, it } from 'vitest';
import { ADM1, newCard, PIN1, tx, txData, USIM_AID } from '../support/uicc.js';

const card1 = () => newCard({ protocol: 1 });

describe('SELECT (TS 102 221 §11.1.1)', () => {
  it('selects the MF by FID, by empty data, and returns an FCP', () => {
    const c = card1();
    const a = tx(c, '00A40004023F0000');
    expect(a.sw).toBe('9000');
    expect(a.data.startsWith('62')).toBe(true);
    expect(a.data).toContain('83023F00');
    expect(tx(c, '00A4000400').sw).toBe('9000');
    expect(tx(c, '00A4000C023F00')).toEqual({ sw: '9000', data: '' });
  });

  it('selects an EF under the MF, and by path from the MF and from the current DF', () => {
    const c = card1();
    expect(tx(c, '00A40004022FE200').data).toContain('83022FE2');
    expect(tx(c, `00A404040${USIM_AID.length / 2}${USIM_AID}00`).sw).toBe('9000');
    expect(tx(c, '00A40804047FF06F0700').data).toContain('83026F07');
    expect(tx(c, '00A40804047FFF6F0700').data).toContain('83026F07');
    expect(tx(c, '00A40004023F0000').sw).toBe('9000');
    expect(tx(c, '00A40904047FF06F0700').data).toContain('83026F07');
  });

  it('selects ADF.USIM by full and partial AID, and 7FFF afterwards', () => {
    const c = card1();
    expect(tx(c, '00A40004027FFF00').sw).toBe('6A82'); // no application yet
    const a = tx(c, `00A4040407${USIM_AID}00`);
    expect(a.sw).toBe('9000');
    expect(a.data).toContain('8410A0000000871002');
    expect(a.data).toMatch(/C6/); // PIN status template on the ADF
    expect(tx(c, '00A40004027FFF00').sw).toBe('9000');
    expect(tx(c, '00A4040410A0000000871002FFFFFFFF890709000000').sw).toBe('9000');
    expect(tx(c, '00A4040405A00000009900').sw).toBe('6A82');
    expect(tx(c, '00A4040607A0000000871002').sw).toBe('6A82'); // no next occurrence
  });

  it('selects the parent and answers errors with the right status words', () => {
    const c = card1();
    tx(c, `00A4040407${USIM_AID}00`);
    tx(c, '00A40004026F0700');
    // The current DF of EF.IMSI is the ADF; its parent is the MF (§11.1.1.2, P1 03).
    expect(tx(c, '00A4030400').data).toContain('83023F00');
    expect(tx(c, '00A4000402123400').sw).toBe('6A82');
    expect(tx(c, '00A4000403123456').sw).toBe('6700');
    expect(tx(c, '00A4050402123400').sw).toBe('6A86');
    expect(tx(c, '00A4001402123400').sw).toBe('6A86');
  });
});

describe('READ/UPDATE BINARY (§11.1.3-4)', () => {
  it('reads EF.ICCID by SFI without selecting it, and an EF needing PIN1 after VERIFY', () => {
    const c = card1();
    const iccid = tx(c, '00B082000A');
    expect(iccid.sw).toBe('9000');
    expect(iccid.data).toHaveLength(20);
    tx(c, `00A4040407${USIM_AID}00`);
    expect(tx(c, '00B0870009').sw).toBe('6982'); // EF.IMSI needs PIN1
    expect(tx(c, `0020000108${PIN1}`).sw).toBe('9000');
    expect(tx(c, '00B0870009')).toEqual({ sw: '9000', data: '080910101032547698' });
    // The SFI made EF.IMSI the current EF.
    expect(tx(c, '00B0000004')).toEqual({ sw: '9000', data: '08091010' });
  });

  it('answers offset and length errors', () => {
    const c = card1();
    tx(c, '00A40004022FE200');
    expect(tx(c, '00B0000A01').sw).toBe('6B00'); // offset beyond the end
    expect(tx(c, '00B000080A').sw).toBe('6282'); // T=1: what there is, with a warning
    expect(tx(c, '00B00000').sw).toBe('6700'); // no Le
    expect(tx(c, '00B0A00001').sw).toBe('6A86'); // P1 b8 set with b7-b6 not zero
    expect(tx(c, '00B09F0001').sw).toBe('6A86'); // SFI 31 is reserved
    expect(tx(c, '00B09D0001').sw).toBe('6A82'); // no EF with SFI 1D under the MF
  });

  it('UPDATE BINARY needs the right key and stays inside the file', () => {
    const c = card1();
    tx(c, `00A4040407${USIM_AID}00`);
    tx(c, '00A40004026F0700');
    expect(tx(c, '00D6000001FF').sw).toBe('6982'); // ADM1 needed
    expect(tx(c, `002000010 8${PIN1}`.replace(' ', '')).sw).toBe('9000');
    expect(tx(c, '00D6000001FF').sw).toBe('6982'); // PIN1 is not enough
    expect(tx(c, `0020000A08${ADM1}`).sw).toBe('9000');
    expect(tx(c, '00D6000009080910101032547699').sw).toBe('9000');
    expect(tx(c, '00B0000009').data).toBe('080910101032547699');
    expect(tx(c, '00D600080201FF').sw).toBe('6700'); // past the end
    expect(tx(c, '00D6000900').sw).toBe('6700'); // Lc 0 is no valid case 3
    expect(tx(c, '00D60009').sw).toBe('6700');
    expect(tx(c, '00B2010400').sw).toBe('6981'); // record command on a transparent EF
  });

  it('without an EF selected answers 6986', () => {
    const c = card1();
    expect(tx(c, '00B0000001').sw).toBe('6986');
    expect(tx(c, '00B2010400').sw).toBe('6986');
  });
});

describe('records (§11.1.5-8)', () => {
  it('reads EF.DIR records in absolute, next and previous mode', () => {
    const c = card1();
    tx(c, '00A40004022F0000');
    const r1 = tx(c, '00B2010400');
    expect(r1.sw).toBe('9000');
    expect(r1.data.startsWith('61')).toBe(true);
    expect(tx(c, '00B2000200').data).toBe(r1.data); // next from "not set" = record 1
    expect(tx(c, '00B2000400').data).toBe(r1.data); // current
    expect(tx(c, '00B2FF0400').sw).toBe('6A83');
    expect(tx(c, '00B2000500').sw).toBe('6A86');
    expect(tx(c, '00B2010401').sw).toMatch(/^6C/); // Le shorter than the record
  });

  it('reads EF.DIR by SFI 1E from anywhere under the MF', () => {
    const c = card1();
    expect(tx(c, '00B201F400').sw).toBe('9000');
  });

  it('cyclic EFs: UPDATE RECORD previous writes record 1, INCREASE adds', () => {
    const c = card1();
    tx(c, `00A4040407${USIM_AID}00`);
    tx(c, `0020000108${PIN1}`);
    tx(c, `0020000A08${ADM1}`);
    const fcp = tx(c, '00A40004026F3900'); // EF.ACM, cyclic
    expect(fcp.sw).toBe('9000');
    const len = Number.parseInt(/8205460 ?121(....)(..)/.exec(fcp.data.replace(/ /g, ''))?.[1] ?? '0003', 16);
    expect(len).toBe(3);
    expect(tx(c, '00DC000303000001').sw).toBe('9000');
    expect(tx(c, '00DC000303000002').sw).toBe('9000');
    expect(tx(c, '00B2010403').data).toBe('000002');
    expect(tx(c, '00DC010403000009').sw).toBe('6A86'); // only PREVIOUS on cyclic
    const inc = tx(c, '803200000300001000');
    expect(inc).toEqual({ sw: '9000', data: '000012000010' });
    expect(tx(c, '00B2010403').data).toBe('000012');
    expect(tx(c, '8032000003FFFFFF00').sw).toBe('9850');
  });

  it('SEARCH RECORD finds EF.DIR records that start with a pattern', () => {
    const c = card1();
    tx(c, '00A40004022F0000');
    const s = tx(c, '00A2010402614F00'.slice(0, 14) + '00');
    expect(['9000', '6282']).toContain(s.sw);
    const hit = tx(c, '00A20104016100');
    expect(hit).toEqual({ sw: '9000', data: '01' });
    expect(tx(c, '00A2010401EE00').sw).toBe('6282');
  });
});

describe('PINs (§11.1.9-13)', () => {
  it('VERIFY counts down, reports 63Cx, blocks at 0 and UNBLOCK restores', () => {
    const c = card1();
    expect(tx(c, '0020000100').sw).toBe('6700'); // Le is no PIN
    expect(tx(c, '00200001').sw).toBe('63C3');
    expect(tx(c, '002000010839393939FFFFFFFF').sw).toBe('63C2');
    expect(tx(c, '002000010839393939FFFFFFFF').sw).toBe('63C1');
    expect(tx(c, `0020000108${PIN1}`).sw).toBe('9000'); // success resets the counter
    expect(tx(c, '00200001').sw).toBe('9000'); // verified in this session: no verification needed
    // The attempt that uses up the last try answers 63C0; only later ones 6983 (TS 102 221 §11.1.9.1.1).
    for (const sw of ['63C2', '63C1', '63C0', '6983'])
      expect(tx(c, '002000010839393939FFFFFFFF').sw).toBe(sw);
    expect(tx(c, `0020000108${PIN1}`).sw).toBe('6983');
    expect(tx(c, '002C0001').sw).toBe('63CA');
    expect(tx(c, '002C000110313131313131313135353535FFFFFFFF').sw).toBe('63C9');
    expect(tx(c, '002C000110313233343536373835353535FFFFFFFF').sw).toBe('9000');
    expect(tx(c, '002000010835353535FFFFFFFF').sw).toBe('9000');
  });

  it('CHANGE, DISABLE and ENABLE PIN', () => {
    const c = card1();
    expect(tx(c, `0024000110${PIN1}35353535FFFFFFFF`).sw).toBe('9000');
    expect(tx(c, `0020000108${PIN1}`).sw).toBe('63C2');
    expect(tx(c, '002000010835353535FFFFFFFF').sw).toBe('9000');
    expect(tx(c, '002600010835353535FFFFFFFF').sw).toBe('9000');
    // A disabled PIN1 satisfies PIN1 access conditions.
    tx(c, `00A4040407${USIM_AID}00`);
    expect(tx(c, '00B0870009').sw).toBe('9000');
    expect(tx(c, '0020000108 35353535FFFFFFFF'.replace(' ', '')).sw).toBe('6984');
    expect(tx(c, '002800010835353535FFFFFFFF').sw).toBe('9000');
    expect(tx(c, '0026000A08'.concat(ADM1)).sw).toBe('6985'); // ADM keys cannot be disabled
  });

  it('rejects malformed PIN commands', () => {
    const c = card1();
    expect(tx(c, '00200099083132333435363738').sw).toBe('6A88');
    expect(tx(c, '0020010108'.concat(PIN1)).sw).toBe('6B00');
    expect(tx(c, '00200001083132FFFF31323334').sw).toBe('6A80'); // not a PIN block
    expect(tx(c, '0020000104313233FF').sw).toBe('6700');
    expect(tx(c, '00240001083132333435363738').sw).toBe('6700');
  });
});

describe('class, instruction and life cycle', () => {
  it('answers unknown CLA with 6E00 and unknown INS with 6D00 (onomondo-uicc #125)', () => {
    const c = card1();
    expect(tx(c, 'A0A40000023F00').sw).toBe('6E00');
    expect(tx(c, '0099000000').sw).toBe('6D00');
    expect(tx(c, '80A40004023F0000').sw).toBe('6E00'); // SELECT is ISO class
    expect(tx(c, '00F2000000').sw).toBe('6E00'); // STATUS is 8X class
    expect(tx(c, '0CA40004023F0000').sw).toBe('6882'); // secure messaging
    expect(tx(c, '10A40004023F0000').sw).toBe('6884'); // command chaining: only applets take it
    for (const cla of ['20', '3F', 'B0', 'FF']) expect(tx(c, `${cla}A40004023F0000`).sw).toBe('6E00');
    expect(tx(c, '01A40004023F0000').sw).toBe('6881'); // channel 1 not open
    expect(tx(c, '0088008100').sw).toBe('6D00'); // AUTHENTICATE outside ADF.USIM
  });

  it('DEACTIVATE/ACTIVATE FILE need their access condition and change what READ answers', () => {
    const c = card1();
    tx(c, `00A4040407${USIM_AID}00`);
    tx(c, '00A40004026F0700');
    expect(tx(c, '0004000000'.slice(0, 8)).sw).toBe('6982');
    tx(c, `0020000A08${ADM1}`);
    expect(tx(c, '00040000').sw).toBe('9000');
    expect(tx(c, '00B0000009').sw).toBe('6984');
    expect(tx(c, '00A40004026F0700').sw).toBe('6283');
    expect(tx(c, '00440000').sw).toBe('9000');
    tx(c, `0020000108${PIN1}`);
    expect(tx(c, '00B0000009').sw).toBe('9000');
    expect(tx(c, '00440000026F07').sw).toBe('9000'); // with a file id
  });

  it('STATUS returns the current DF and the application name', () => {
    const c = card1();
    expect(tx(c, '80F2000000').data).toContain('83023F00');
    tx(c, `00A4040407${USIM_AID}00`);
    expect(tx(c, '80F2000100').data.startsWith('8410A0000000871002')).toBe(true);
    expect(tx(c, '80F2000C').sw).toBe('9000');
    expect(tx(c, '80F2000500').sw).toBe('6A86');
  });
});

describe('T=0 (TS 102 221 §7.3.1)', () => {
  it('case 4: 61xx then GET RESPONSE; wrong Le gets 6Cxx; partial GET RESPONSE', () => {
    const c = newCard({ protocol: 0 });
    const a = tx(c, '00A40004023F00');
    expect(a.sw).toMatch(/^61/);
    const n = Number.parseInt(a.sw.slice(2), 16);
    expect(tx(c, `00C00000${(n + 1).toString(16).padStart(2, '0')}`).sw).toBe(`6C${a.sw.slice(2)}`);
    const part = tx(c, '00C0000004');
    expect(part.sw).toBe(`61${(n - 4).toString(16).padStart(2, '0').toUpperCase()}`);
    const rest = tx(c, `00C00000${(n - 4).toString(16).padStart(2, '0')}`);
    expect(rest.sw).toBe('9000');
    expect(part.data + rest.data).toMatch(/^62/);
    expect(tx(c, '00C0000004').sw).toBe('6985'); // nothing pending
  });

  it('case 2 with the wrong Le answers 6Cxx and the resend works', () => {
    const c = newCard({ protocol: 0 });
    expect(tx(c, '00B0820000').sw).toBe('6C0A'); // P3=00 means 256 under T=0; EF.ICCID has 10
    expect(tx(c, '00B082000A').sw).toBe('9000');
    tx(c, '00A40004022F00');
    const rl = tx(c, '00B2010400');
    expect(rl.sw).toMatch(/^6C/);
    expect(tx(c, `00B20104${rl.sw.slice(2)}`).sw).toBe('9000');
  });

  it('the data is also reachable through txData helper', () => {
    const c = newCard({ protocol: 0 });
    expect(txData(c, '00A40004023F00').data).toMatch(/^62/);
  });
});

describe('logical channels (§11.1.17)', () => {
  it('keeps a separate selection per channel', () => {
    const c = card1();
    const open = tx(c, '0070000001');
    expect(open).toEqual({ sw: '9000', data: '01' });
    expect(tx(c, `01A4040407${USIM_AID}00`).sw).toBe('9000');
    tx(c, '00A40004022FE200');
    expect(tx(c, '01A40004026F0700').sw).toBe('9000');
    // Channel 0 still has EF.ICCID, channel 1 EF.IMSI.
    expect(tx(c, '00B000000A').data).toHaveLength(20);
    tx(c, `0120000108${PIN1}`);
    expect(tx(c, '01B0000009').data).toBe('080910101032547698');
    expect(tx(c, '00B0000001').data).toHaveLength(2);
  });

  it('opens at least four channels, including the 4X class range, and closes them', () => {
    const c = card1();
    const got = [1, 2, 3, 4, 5].map(() => tx(c, '0070000001').data);
    expect(got).toEqual(['01', '02', '03', '04', '05']);
    expect(tx(c, '40A40004023F0000').sw).toBe('9000'); // channel 4
    expect(tx(c, '41A40004023F0000').sw).toBe('9000'); // channel 5
    expect(tx(c, '00708002').sw).toBe('9000');
    expect(tx(c, '02A40004023F0000').sw).toBe('6881');
    expect(tx(c, '00708002').sw).toBe('6A86');
    expect(tx(c, '00708000').sw).toBe('6A86');
    expect(tx(c, '00700007').sw).toBe('9000'); // terminal-assigned number
    expect(tx(c, '00700007').sw).toBe('6A86');
  });

  it('a channel opened from a non-basic channel inherits its selection', () => {
    const c = card1();
    tx(c, '0070000001');
    tx(c, `01A4040407${USIM_AID}00`);
    expect(tx(c, '0170000001').data).toBe('02');
    expect(tx(c, '02A40004026F0700').sw).toBe('9000'); // found from the inherited ADF
  });
});

describe('secrets', () => {
  it('no command reads PINs or subscriber keys, even with ADM1', () => {
    const c = card1();
    tx(c, `0020000A08${ADM1}`);
    for (const fid of ['A001', '0000', 'FFFF']) expect(tx(c, `00A4000402${fid}00`).sw).toBe('6A82');
    const keys = c.nvm.keys().filter((k) => k.startsWith('secret/'));
    expect(keys.length).toBeGreaterThan(0);
  });
});

describe('EF.ARR rules (ISO/IEC 7816-4 §9.3.4)', async () => {
  const { parseArrRecord, allowed, AM } = await import('../../card-os/security/arr.js');
  const { fromHex } = await import('../../card-os/bytes.js');
  it('several conditions after one access mode: any one grants', () => {
    const rules = parseArrRecord(
      fromHex('800101 A40683010195 0108 A4068301 0A950108 800102 9700'.replace(/ /g, '')),
    );
    expect(allowed(rules, AM.READ, undefined, (r) => r === 0x0a)).toBe(true);
    expect(allowed(rules, AM.READ, undefined, (r) => r === 0x01)).toBe(true);
    expect(allowed(rules, AM.READ, undefined, () => false)).toBe(false);
    expect(allowed(rules, AM.UPDATE, undefined, () => true)).toBe(false); // 97 00: never
  });
  it('the 14 standard rules keep their meaning (rule 7: INCREASE needs PIN1)', () => {
    const r7 = parseArrRecord(fromHex('800103A406830101950108800158A40683010A950108840132A406830101950108'));
    expect(allowed(r7, AM.UPDATE, 0x32, (r) => r === 0x01)).toBe(true);
    expect(allowed(r7, AM.ACTIVATE, undefined, (r) => r === 0x01)).toBe(false);
    expect(allowed(r7, AM.ACTIVATE, undefined, (r) => r === 0x0a)).toBe(true);
  });
});
