// pySim-shell's eUICC commands (ADF.ISD-R, SGP.22 ES10a/b/c) in `uicc shell`: the same names, arguments and
// JSON shape (snake_case field names of the SGP.22 ASN.1, one entry = an object, several = a list), on the
// host LPA of host/euicc/lpa.ts, so there is one ES10 encoder and decoder on the host side. Each command
// runs on its own logical channel with the ISD-R selected there (SGP.22 §3.2.2 / §5.7.2), as lpac does, and
// needs the shell in ADF.ISD-R, as in pySim-shell.

import { swOf } from '../../card-os/apdu.js';
import { type Bytes, toHex } from '../../card-os/bytes.js';
import { parseBer, type Tlv } from '../../card-os/tlv.js';
import { ISD_R_AID, Lpa, LpaError } from '../euicc/lpa.js';
import { ShellError } from './error.js';
import type { ShellNode } from './file-tree.js';
import type { ShellCommand, ShellContext } from './session.js';

/** SGP.02 Annex H: the ECASD's AID (the ISD-R's is in host/euicc/lpa.ts). */
export const ECASD_AID = Uint8Array.from([
  0xa0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xff, 0xff, 0xff, 0xff, 0x89, 0x00, 0x00, 0x02, 0x00,
]);

/** The eUICC's security domains, by pySim-shell's names. */
const SECURITY_DOMAINS: { name: string; aid: Bytes }[] = [
  { name: 'ADF.ISD-R', aid: ISD_R_AID },
  { name: 'ADF.ECASD', aid: ECASD_AID },
];

/**
 * Adds the eUICC's security domains the card answers a SELECT by AID for (GP Card Spec §11.9) to the tree,
 * under the MF as pySim-shell shows them; a UICC answers 6A82 and gets none. They have no FID (-1).
 */
export async function addSecurityDomains(root: ShellNode, send: (c: Bytes) => Promise<Bytes>): Promise<void> {
  for (const sd of SECURITY_DOMAINS) {
    const r = await send(Uint8Array.from([0x00, 0xa4, 0x04, 0x00, sd.aid.length, ...sd.aid, 0x00]));
    if (swOf(r) !== 0x9000) continue;
    root.children.push({ name: sd.name, fid: -1, type: 'ADF', aid: sd.aid, children: [], parent: root });
  }
}

const isIsdR = (n: ShellNode) => n.aid !== undefined && toHex(n.aid) === toHex(ISD_R_AID);

async function withLpa<T>(ctx: ShellContext, fn: (lpa: Lpa) => Promise<T>): Promise<T> {
  if (!isIsdR(ctx.df)) throw new ShellError('not in ADF.ISD-R: select ADF.ISD-R first (an eUICC command)');
  // Every exchange reaches the transcript decoder, as the shell's own commands do.
  const t = {
    ...ctx.transport,
    transmit: async (c: Bytes) => {
      const r = await ctx.transport.transmit(c);
      ctx.onExchange?.(c, r);
      return r;
    },
  };
  let lpa: Lpa | undefined;
  try {
    lpa = await Lpa.open(t);
    return await fn(lpa);
  } catch (e) {
    if (e instanceof LpaError) throw new ShellError(e.message);
    throw e;
  } finally {
    await lpa?.close();
  }
}

/** A list of one-key objects as pySim prints it: one object if the keys differ, else the list. */
function flatten(items: Record<string, unknown>[]): unknown {
  const keys = new Set(items.map((i) => Object.keys(i)[0]));
  return keys.size === items.length ? Object.assign({}, ...items) : items;
}

const json = (v: unknown) => JSON.stringify(v, null, 2);
const version = (b: Bytes) => [...b].join('.');
const utf8 = (b: Bytes) => new TextDecoder().decode(b);

/** EUICCInfo2 (SGP.22 §5.7.8) fields by pySim's names. */
const INFO2: Record<number, [string, (b: Bytes) => unknown]> = {
  0x81: ['profile_version', version],
  0x82: ['svn', version],
  0x83: ['euicc_firmware_ver', version],
  0x84: ['ext_card_resource', (b) => toHex(b).toLowerCase()],
  0x85: ['uicc_capability', (b) => toHex(b).toLowerCase()],
  0x86: ['ts102241_version', version],
  0x87: ['global_platform_version', version],
  0x88: ['rsp_capability', (b) => toHex(b).toLowerCase()],
  0x8b: ['euicc_category', (b) => ['other', 'basicEuicc', 'mediumEuicc', 'contactlessEuicc'][b[0] ?? 0]],
  0x04: ['pp_version', version],
  0x0c: ['ss_acreditation_number', utf8],
};

function info2Json(fields: Tlv[], keyIds: (b: Bytes) => Tlv[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.tag === 0xa9 || f.tag === 0xaa) {
      const name = f.tag === 0xa9 ? 'euicc_ci_pki_list_for_verification' : 'euicc_ci_pki_list_for_signing';
      out[name] = keyIds(f.value).map((k) => ({ subject_key_identifier_seq: toHex(k.value).toLowerCase() }));
      continue;
    }
    const d = INFO2[f.tag];
    if (d) out[d[0]] = d[1](f.value);
  }
  return out;
}

/** Result names of each ES10 function as pySim decodes them (SGP.22 §5.7.x result enumerations). */
const RESULTS = {
  enable: [
    'ok',
    'iccidOrAidNotFound',
    'profileNotInDisabledState',
    'disallowedByPolicy',
    'wrongProfileReenabling',
    'catBusy',
  ],
  disable: [
    'ok',
    'iccidOrAidNotFound',
    'profileNotInEnabledState',
    'disallowedByPolicy',
    undefined,
    'catBusy',
  ],
  delete: ['ok', 'iccidOrAidNotFound', 'profileNotInDisabledState', 'disallowedByPolicy'],
  nickname: ['ok', 'iccidNotFound'],
  notification: ['ok', 'nothingToDelete'],
} as const;

const resultName = (list: readonly (string | undefined)[], code: number) =>
  list[code] ?? (code === 127 ? 'undefinedError' : code);

/** Options `--name value`, flags, and positional words. */
function args(words: string[], flags: string[] = []): { opts: Map<string, string>; pos: string[] } {
  const opts = new Map<string, string>();
  const pos: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('--')) {
      pos.push(w);
      continue;
    }
    const k = w.slice(2);
    if (flags.includes(k)) opts.set(k, 'true');
    else {
      const v = words[++i];
      if (v === undefined) throw new ShellError(`--${k} needs a value`);
      opts.set(k, v);
    }
  }
  return { opts, pos };
}

/** The profile a command names: --iccid ICCID or --isdp-aid AID, as pySim takes them. */
function profileId(words: string[], flags: string[] = []): { id: string; opts: Map<string, string> } {
  const { opts } = args(words, flags);
  const iccid = opts.get('iccid');
  const aid = opts.get('isdp-aid');
  if (iccid !== undefined && aid !== undefined) throw new ShellError('give --iccid or --isdp-aid, not both');
  if (aid !== undefined) {
    if (!/^[0-9A-Fa-f]{32}$/.test(aid))
      throw new ShellError(`--isdp-aid must be 16 bytes in hex, got "${aid}"`);
    return { id: aid, opts };
  }
  if (iccid === undefined) throw new ShellError('missing --iccid ICCID or --isdp-aid AID');
  if (!/^[0-9]{18,20}[Ff]?$/.test(iccid))
    throw new ShellError(`--iccid must be 18 to 20 digits, got "${iccid}"`);
  return { id: iccid.replace(/[Ff]$/, ''), opts };
}

export const EUICC_SHELL_COMMANDS: Record<string, ShellCommand> = {
  get_eid: {
    usage: 'get_eid',
    help: 'ES10c GetEID (in ADF.ISD-R)',
    run: async (ctx) => withLpa(ctx, async (l) => json({ eid_value: (await l.eid()).toLowerCase() })),
  },
  get_euicc_info2: {
    usage: 'get_euicc_info2',
    help: 'ES10b GetEUICCInfo2: versions, capabilities, CI key ids',
    run: async (ctx) =>
      withLpa(ctx, async (l) => json(info2Json(await l.euiccInfo2(), (b) => parseBer(b) ?? []))),
  },
  get_euicc_configured_addresses: {
    usage: 'get_euicc_configured_addresses',
    help: 'ES10a GetEuiccConfiguredAddresses: default SM-DP+ and root SM-DS',
    run: async (ctx) =>
      withLpa(ctx, async (l) => {
        const a = await l.addresses();
        return json({
          ...(a.defaultDp !== undefined ? { default_dp_address: a.defaultDp } : {}),
          ...(a.rootDs !== undefined ? { root_ds_address: a.rootDs } : {}),
        });
      }),
  },
  get_profiles_info: {
    usage: 'get_profiles_info',
    help: 'ES10c GetProfilesInfo: ICCID, ISD-P AID, state, names and class of every profile',
    run: async (ctx) =>
      withLpa(ctx, async (l) => {
        const list = (await l.profiles()).map((p) => ({
          profile_info: {
            iccid: p.iccid.toLowerCase(),
            isdp_aid: p.isdpAid.toLowerCase(),
            profile_state: p.state,
            ...(p.nickname !== undefined ? { profile_nickname: p.nickname } : {}),
            ...(p.serviceProvider !== undefined ? { service_provider_name: p.serviceProvider } : {}),
            ...(p.name !== undefined ? { profile_name: p.name } : {}),
            ...(p.class !== undefined ? { profile_class: p.class } : {}),
          },
        }));
        return json({ profile_info_seq: flatten(list) });
      }),
  },
  enable_profile: {
    usage: 'enable_profile --iccid ICCID|--isdp-aid AID [--refresh-required]',
    help: 'ES10c EnableProfile; takes effect at the next reset (`reset`)',
    run: async (ctx, words) => {
      const { id, opts } = profileId(words, ['refresh-required']);
      const code = await withLpa(ctx, (l) => l.enable(id, opts.has('refresh-required')));
      return json({ enable_result: resultName(RESULTS.enable, code) });
    },
  },
  disable_profile: {
    usage: 'disable_profile --iccid ICCID|--isdp-aid AID [--refresh-required]',
    help: 'ES10c DisableProfile; takes effect at the next reset',
    run: async (ctx, words) => {
      const { id, opts } = profileId(words, ['refresh-required']);
      const code = await withLpa(ctx, (l) => l.disable(id, opts.has('refresh-required')));
      return json({ disable_result: resultName(RESULTS.disable, code) });
    },
  },
  delete_profile: {
    usage: 'delete_profile --iccid ICCID|--isdp-aid AID',
    help: 'ES10c DeleteProfile (a disabled profile)',
    run: async (ctx, words) => {
      const { id } = profileId(words);
      const code = await withLpa(ctx, (l) => l.delete(id));
      return json({ delete_result: resultName(RESULTS.delete, code) });
    },
  },
  set_nickname: {
    usage: 'set_nickname ICCID --profile-nickname NAME | --iccid ICCID NAME',
    help: 'ES10c SetNickname (pySim: ICCID --profile-nickname NAME; without a name the nickname is cleared)',
    run: async (ctx, words) => {
      const { opts, pos } = args(words);
      const iccid = opts.get('iccid') ?? pos.shift();
      if (iccid === undefined)
        throw new ShellError('missing ICCID (usage: set_nickname ICCID --profile-nickname NAME)');
      if (!/^[0-9]{18,20}[Ff]?$/.test(iccid))
        throw new ShellError(`ICCID must be 18 to 20 digits, got "${iccid}"`);
      const nick = opts.get('profile-nickname') ?? pos.join(' ');
      const code = await withLpa(ctx, (l) => l.nickname(iccid.replace(/[Ff]$/, ''), nick));
      return json({ set_nickname_result: resultName(RESULTS.nickname, code) });
    },
  },
  list_notification: {
    usage: 'list_notification',
    help: 'ES10b ListNotification: pending notifications (sequence number, operation, address, ICCID)',
    run: async (ctx) =>
      withLpa(ctx, async (l) => {
        const list = (await l.notifications()).map((n) => ({
          notification_metadata: {
            seq_number: n.seq,
            profile_mgmt_operation: n.event,
            notification_address: n.address,
            ...(n.iccid !== undefined ? { iccid: n.iccid.toLowerCase() } : {}),
          },
        }));
        return json({ notification_metadata_list: flatten(list) });
      }),
  },
  remove_notification_from_list: {
    usage: 'remove_notification_from_list SEQ_NR',
    help: 'ES10b RemoveNotificationFromList',
    run: async (ctx, words) => {
      const s = words[0];
      if (s === undefined || !/^\d+$/.test(s)) throw new ShellError('missing SEQ_NR (a sequence number)');
      const code = await withLpa(ctx, (l) => l.removeNotification(Number(s)));
      return json({ delete_notification_status: resultName(RESULTS.notification, code) });
    },
  },
};
