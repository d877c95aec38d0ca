// The pySim-shell command set of `uicc shell`, line by line on the embedded card: selection by name, FID,
// path, .. and /, completion candidates, decoded reads and writes, CHV commands, errors.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openCard, projectRoot } from '../../host/card-factory.js';
import { historyLine, sessionLine, shellContext } from '../../host/cli/shell.js';
import { ExchangeDecoder } from '../../host/decode/apdu.js';
import { contentDecoder } from '../../host/decode/content.js';
import { complete } from '../../host/shell/complete.js';
import { currentPath, SHELL_COMMANDS, type ShellContext } from '../../host/shell/session.js';
import { embeddedTransport } from '../../host/transport/embedded.js';

let ctx: ShellContext;
const state = { raw: false, decoder: new ExchangeDecoder(contentDecoder) };
const commands = Object.keys(SHELL_COMMANDS);

async function sh(...lines: string[]): Promise<string> {
  const out: string[] = [];
  for (const l of lines) await sessionLine(l, ctx, state, (s) => out.push(s));
  return out.join('\n');
}

beforeEach(async () => {
  const card = openCard().card;
  ctx = await shellContext(embeddedTransport(card), card.spec, state.decoder);
});

describe('select', () => {
  it('takes names, FIDs, paths, .. and /, and the prompt follows', async () => {
    await sh('select ADF.USIM');
    expect(currentPath(ctx)).toBe('MF/ADF.USIM');
    await sh('select 6F07');
    expect(currentPath(ctx)).toBe('MF/ADF.USIM/EF.IMSI');
    await sh('select ..');
    expect(currentPath(ctx)).toBe('MF/ADF.USIM');
    await sh('select ..');
    expect(currentPath(ctx)).toBe('MF');
    await sh('select MF/DF.TELECOM/DF.PHONEBOOK/EF.PBR');
    expect(currentPath(ctx)).toBe('MF/DF.TELECOM/DF.PHONEBOOK/EF.PBR');
    await sh('select /');
    expect(currentPath(ctx)).toBe('MF');
    await sh('select 3F00/7FF0/5F3B/4F20');
    expect(currentPath(ctx)).toBe('MF/ADF.USIM/DF.GSM-ACCESS/EF.Kc');
    await sh('select /', 'select a0000000871002');
    expect(currentPath(ctx)).toBe('MF/ADF.USIM');
  });

  it('prints the FCP as JSON and says where a file is when it is not in the current DF', async () => {
    expect(await sh('select EF.ICCID')).toContain('"fid": "2FE2"');
    expect(await sh('select EF.IMSI')).toContain(
      'no file "EF.IMSI" in MF (it is at MF/ADF.USIM/EF.IMSI); try dir',
    );
    expect(await sh('select MF/ADF.USIM/EF.NOPE')).toContain('no file "EF.NOPE" in MF/ADF.USIM');
    expect(currentPath(ctx)).toBe('MF/EF.ICCID');
  });
});

describe('completion', () => {
  it('completes commands and the names and FIDs of the current DF, and paths', async () => {
    expect(complete(ctx, 'sel', [...commands, 'select-aid'])[0]).toEqual(['select', 'select-aid']);
    expect(complete(ctx, 'read_rec', commands)[0]).toEqual([
      'read_record',
      'read_record_decoded',
      'read_records',
      'read_records_decoded',
    ]);
    expect(complete(ctx, 'select ADF.U', commands)[0]).toEqual(['ADF.USIM']);
    await sh('select ADF.USIM');
    expect(complete(ctx, 'select EF.IM', commands)).toEqual([['EF.IMSI'], 'EF.IM']);
    expect(complete(ctx, 'select 6F0', commands)[0]).toEqual(['6F05', '6F06', '6F07', '6F08', '6F09']);
    expect(complete(ctx, 'select MF/DF.TELECOM/DF.PH', commands)[0]).toEqual(['MF/DF.TELECOM/DF.PHONEBOOK']);
    expect(complete(ctx, 'read_binary EF', commands)[0]).toEqual([]);
  });
});

describe('reading and writing', () => {
  it('decodes transparent and record EFs, says when an EF has no codec, and reports status words', async () => {
    await sh('select ADF.USIM', 'select EF.IMSI');
    expect(await sh('read_binary_decoded')).toContain(
      'read_binary EF.IMSI: 6982 (Security status not satisfied)',
    );
    expect(await sh('verify_chv 1111')).toContain('CHV verification failed: wrong code, 2 tries left');
    expect(await sh('verify_chv')).toBe('2 tries left');
    expect(await sh('verify_chv 1234')).toBe('CHV verification successful');
    expect(await sh('read_binary_decoded')).toBe('"001010123456789"');
    expect(await sh('read_binary')).toBe('080910101032547698');
    expect(await sh('read_binary --offset 1 --length 2')).toBe('0910');
    await sh('select EF.PUCT');
    expect(JSON.parse(await sh('read_binary_decoded'))).toEqual({ currency: '', eppu: 0, ex: 0 });
    await sh('select EF.ECC');
    expect(await sh('read_record_decoded 2')).toBe('{\n  "code": "911"\n}');
    expect(await sh('read_records')).toBe('1: 11F2FF00\n2: 19F1FF00\n3: FFFFFFFF');
    expect(await sh('read_binary')).toContain('EF.ECC is linear-fixed, not a transparent file');
  });

  it('writes decoded values, whole or one field by --json-path, and hex', async () => {
    await sh('select ADF.USIM', 'verify_chv 1234', 'verify_adm 12345678', 'select EF.SPN');
    await sh('update_binary_decoded {"name": "Net One", "hideWhenRoaming": true}');
    expect(JSON.parse(await sh('read_binary_decoded'))).toEqual({ name: 'Net One', hideWhenRoaming: true });
    await sh('update_binary_decoded --json-path name Two');
    expect(JSON.parse(await sh('read_binary_decoded'))).toEqual({ name: 'Two', hideWhenRoaming: true });
    expect(await sh('update_binary_decoded {"name": 5, "colour": 1}')).toContain('cannot encode EF.SPN');
    await sh('select EF.ECC');
    expect(await sh('update_record_decoded --json-path code 3 999')).toContain(
      'contents are empty or malformed',
    );
    await sh('update_record_decoded --json-path code 2 999');
    expect(await sh('read_record 2')).toBe('99F9FF00');
    await sh('update_record 3 21F3FF01');
    expect(await sh('read_record_decoded 3')).toContain('"code": "123"');
    expect(await sh('update_record 3 21F3FG01')).toContain('DATA must be hex bytes');
  });

  it('sends raw APDUs and lists and exports the tree without secrets', async () => {
    expect(await sh('apdu 00A40004023F00')).toMatch(/^SW: 61[0-9A-F]{2}/);
    expect(await sh('dir')).toMatch(/2FE2 {2}EF\.ICCID +transparent 10 bytes/);
    expect(await sh('tree')).toMatch(/ {4}EF\.IMSI +6F07 {2}transparent 9 bytes/);
    await sh('verify_chv 1234', 'select ADF.USIM');
    const exp = await sh('export');
    expect(exp).toContain('select-aid A0000000871002FFFFFFFF8907090000\nselect 6F07');
    expect(exp).toContain('read-binary 9 0 => 080910101032547698 9000');
    expect(exp).not.toMatch(/31323334|3132333435363738/);
    expect(currentPath(ctx)).toBe('MF/ADF.USIM');
  });
});

describe('history', () => {
  it('keeps no CHV or ADM value', () => {
    expect(historyLine('verify_chv 1234')).toBe('verify_chv ***');
    expect(historyLine('verify_chv --pin-nr 0x81 5678')).toBe('verify_chv --pin-nr 0x81 ***');
    expect(historyLine('change_chv 4321 1234')).toBe('change_chv ***');
    expect(historyLine('verify_adm 12345678')).toBe('verify_adm ***');
    expect(historyLine('verify_chv')).toBe('verify_chv');
  });
});

describe('an EF without a codec', () => {
  it('says so and shows the hex', async () => {
    // A proprietary EF (FID 6FF0 is not assigned by TS 31.102) in an otherwise minimal profile.
    const dir = mkdtempSync(join(tmpdir(), 'uicc-shell-'));
    try {
      const base = readFileSync(join(projectRoot(), 'profiles/examples/minimal.yaml'), 'utf8');
      const vendor = [
        '        - name: EF.VENDOR',
        '          fid: 6FF0',
        '          structure: transparent',
        '          size: 4',
        '          arr: 1',
        '          hex: 0102A0B0',
      ].join('\n');
      const file = join(dir, 'vendor.yaml');
      writeFileSync(file, base.replace('      files:\n', `      files:\n${vendor}\n`));
      const card = openCard({ profile: file }).card;
      ctx = await shellContext(embeddedTransport(card), card.spec, state.decoder);
      await sh('select ADF.USIM', 'select EF.VENDOR');
      expect(await sh('read_binary_decoded')).toBe('EF.VENDOR has no codec; hex: 0102A0B0');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
