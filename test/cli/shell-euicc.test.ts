// pySim-shell's eUICC commands in `uicc shell` on the embedded default eUICC (profiles/default-euicc.yaml):
// the ISD-R and ECASD in the tree by name, `select ISD-R`, and get_eid ... remove_notification_from_list with
// pySim's names and JSON shape, run through the host LPA (host/euicc/lpa.ts) against the card's ISD-R.
import { beforeEach, describe, expect, it } from 'vitest';
import { openCard } from '../../host/card-factory.js';
import { sessionLine, shellContext } from '../../host/cli/shell.js';
import { ExchangeDecoder } from '../../host/decode/apdu.js';
import { contentDecoder } from '../../host/decode/content.js';
import { complete } from '../../host/shell/complete.js';
import { currentPath, SHELL_COMMANDS, type ShellContext } from '../../host/shell/session.js';
import { embeddedTransport } from '../../host/transport/embedded.js';

let ctx: ShellContext;
const state = { raw: false, decoder: new ExchangeDecoder(contentDecoder) };

async function sh(...lines: string[]): Promise<string> {
  const out: string[] = [];
  for (const l of lines) await sessionLine(l, ctx, state, (s) => out.push(s));
  return out.join('\n');
}

/** The JSON a command printed. */
const jsonOf = async (line: string) => JSON.parse(await sh(line));

describe('uicc shell on an eUICC', () => {
  beforeEach(async () => {
    const opened = openCard({ profile: 'profiles/default-euicc.yaml' });
    const euicc = opened.euicc!;
    ctx = await shellContext(embeddedTransport(euicc), euicc.active.spec, state.decoder);
  });

  it('shows the ISD-R and ECASD in the tree by name; select ISD-R moves there', async () => {
    const dir = await sh('dir');
    expect(dir).toContain('----  ADF.ISD-R            ADF A0000005591010FFFFFFFF8900000100');
    expect(dir).toContain('----  ADF.ECASD            ADF A0000005591010FFFFFFFF8900000200');
    expect(dir).toContain('ADF.USIM'); // the enabled profile's files
    expect(complete(ctx, 'select ADF.IS', Object.keys(SHELL_COMMANDS))[0]).toEqual(['ADF.ISD-R']);
    await sh('select ISD-R');
    expect(currentPath(ctx)).toBe('MF/ADF.ISD-R');
    await sh('select /', 'select ADF.ECASD');
    expect(currentPath(ctx)).toBe('MF/ADF.ECASD');
  });

  it('get_eid, get_euicc_configured_addresses, get_euicc_info2 print pySim-shaped JSON', async () => {
    await sh('select ADF.ISD-R');
    expect(await jsonOf('get_eid')).toEqual({ eid_value: '89049032123451234512345678901235' });
    expect(await jsonOf('get_euicc_configured_addresses')).toEqual({
      default_dp_address: 'smdp.example.com',
      root_ds_address: 'lpa.ds.gsma.com',
    });
    const info = await jsonOf('get_euicc_info2');
    expect(info.svn).toBe('2.5.0');
    expect(info.profile_version).toBe('2.3.0');
    expect(info.euicc_ci_pki_list_for_verification[0].subject_key_identifier_seq).toMatch(/^[0-9a-f]{40}$/);
  });

  it('get_profiles_info lists the three profiles; enable_profile switches after a reset', async () => {
    await sh('select ADF.ISD-R');
    const before = (await jsonOf('get_profiles_info')).profile_info_seq;
    expect(before).toHaveLength(3);
    expect(before[0].profile_info).toEqual({
      iccid: '89882110000000000002',
      isdp_aid: 'a0000005591010ffffffff8900001000',
      profile_state: 'enabled',
      profile_nickname: 'Personal',
      service_provider_name: 'Operator A',
      profile_name: 'Operator A Mobile',
      profile_class: 'operational',
    });
    expect(before[2].profile_info.profile_class).toBe('test');
    expect(await jsonOf('enable_profile --iccid 89882110000000000101 --refresh-required')).toEqual({
      enable_result: 'ok',
    });
    expect(await jsonOf('enable_profile --iccid 89882110000000000101')).toEqual({
      enable_result: 'profileNotInDisabledState',
    });
    // The terminal sees Operator B's files after the reset the REFRESH asks for.
    await sh('reset', 'select /', 'select ADF.USIM', 'verify_chv 1234', 'select EF.IMSI');
    expect(await sh('read_binary_decoded')).toBe('"001010000000002"');
  });

  it('disable, delete, set_nickname, list and remove notifications, with the SGP.22 result names', async () => {
    await sh('select ADF.ISD-R');
    expect(await jsonOf('delete_profile --iccid 89882110000000000002')).toEqual({
      delete_result: 'profileNotInDisabledState',
    });
    expect(await jsonOf('disable_profile --isdp-aid A0000005591010FFFFFFFF8900001000')).toEqual({
      disable_result: 'ok',
    });
    expect(await jsonOf('disable_profile --iccid 89882110000000000002')).toEqual({
      disable_result: 'profileNotInEnabledState',
    });
    expect(await jsonOf('delete_profile --iccid 89882110000000000283')).toEqual({ delete_result: 'ok' });
    expect(await jsonOf('delete_profile --iccid 89882110000000000283')).toEqual({
      delete_result: 'iccidOrAidNotFound',
    });
    expect(await jsonOf('set_nickname 89882110000000000101 --profile-nickname Trip')).toEqual({
      set_nickname_result: 'ok',
    });
    expect(await jsonOf('set_nickname --iccid 89882110000000000999 Lab')).toEqual({
      set_nickname_result: 'iccidNotFound',
    });
    const profiles = (await jsonOf('get_profiles_info')).profile_info_seq;
    expect(profiles).toHaveLength(2);
    expect(profiles[1].profile_info.profile_nickname).toBe('Trip');
    const n = (await jsonOf('list_notification')).notification_metadata_list;
    expect(n).toEqual([
      {
        notification_metadata: {
          seq_number: 1,
          profile_mgmt_operation: 'disable',
          notification_address: 'smdp.operator-a.example',
          iccid: '89882110000000000002',
        },
      },
      {
        notification_metadata: {
          seq_number: 2,
          profile_mgmt_operation: 'delete',
          notification_address: 'smdp.test.example',
          iccid: '89882110000000000283',
        },
      },
    ]);
    expect(await jsonOf('remove_notification_from_list 1')).toEqual({ delete_notification_status: 'ok' });
    expect(await jsonOf('remove_notification_from_list 1')).toEqual({
      delete_notification_status: 'nothingToDelete',
    });
    // One notification left: pySim prints a one-entry list as an object.
    expect(
      (await jsonOf('list_notification')).notification_metadata_list.notification_metadata.seq_number,
    ).toBe(2);
  });

  it('refuses bad arguments and commands outside ADF.ISD-R, sending nothing', async () => {
    const exchanges: string[] = [];
    const decoderSeen = ctx.onExchange;
    ctx.onExchange = (c, r) => {
      exchanges.push(`${c}`);
      decoderSeen?.(c, r);
    };
    expect(await sh('get_eid')).toContain('not in ADF.ISD-R: select ADF.ISD-R first');
    expect(exchanges).toEqual([]);
    await sh('select ADF.ISD-R');
    exchanges.length = 0;
    expect(await sh('enable_profile')).toContain('missing --iccid ICCID or --isdp-aid AID');
    expect(await sh('enable_profile --iccid 12AB')).toContain('--iccid must be 18 to 20 digits');
    expect(await sh('delete_profile --isdp-aid A000')).toContain('--isdp-aid must be 16 bytes in hex');
    expect(
      await sh('disable_profile --iccid 89882110000000000002 --isdp-aid A0000005591010FFFFFFFF8900001000'),
    ).toContain('give --iccid or --isdp-aid, not both');
    expect(await sh('remove_notification_from_list x')).toContain('missing SEQ_NR');
    expect(await sh('set_nickname')).toContain('missing ICCID');
    expect(exchanges).toEqual([]);
  });
});

describe('uicc shell on a UICC', () => {
  it('shows no ISD-R (the card answers its SELECT with 6A82) and the eUICC commands say where they work', async () => {
    const card = openCard().card;
    ctx = await shellContext(embeddedTransport(card), card.spec, state.decoder);
    expect(await sh('dir')).not.toContain('ISD-R');
    expect(await sh('select ISD-R')).toContain('no file "ISD-R" in MF');
    expect(await sh('get_profiles_info')).toContain('not in ADF.ISD-R');
  });
});
