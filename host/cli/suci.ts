// `uicc suci conceal|deconceal`: the SUCI calculation of a handset (TS 33.501 §6.12.2, from a profile's
// EF.SUCI_Calc_Info) and the SIDF (§6.12.5, home network private keys from the profile's `sidf` section
// or a key file of the same shape).

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  decodeRoutingIndicator,
  decodeSuciCalcInfo,
  encodeSuci,
  suciString,
} from '../../applets/usim/suci.js';
import { fromHex, toHex } from '../../card-os/bytes.js';
import { walk } from '../../card-os/fs/model.js';
import { defaultProfilePath } from '../card-factory.js';
import { decodeImsi } from '../codecs/imsi.js';
import { concealSupi, deconcealSuci, parseSuci } from '../network/sidf.js';
import { type CompiledProfile, loadProfile, parseYamlWith } from '../profile/load.js';
import { type SidfKey, sidfSchema } from '../profile/sidf.js';

/** The USIM files a SUCI is built from, read from a profile's initial contents. */
export function suciInputs(p: CompiledProfile) {
  const byPath = new Map([...walk(p.spec.mf)].map((f) => [f.path, f]));
  const content = (path: string) => byPath.get(`3F00/7FF0/${path}`)?.initial;
  const imsiFile = content('6F07');
  const ad = content('6FAD');
  const info = content('5FC0/4F07');
  const ri = content('5FC0/4F0A');
  const mncLength = ((ad?.[3] ?? 2) & 0x0f) === 3 ? 3 : 2;
  return {
    imsi: imsiFile && decodeImsi(imsiFile),
    mncLength: mncLength as 2 | 3,
    info: info && decodeSuciCalcInfo(info),
    routingIndicator: ri ? decodeRoutingIndicator(ri) : undefined,
  };
}

/** Home network private keys: --keys FILE (YAML/JSON `keys: [...]`), else the profile's `sidf` section. */
export function sidfKeys(opts: { keys?: string }, p: CompiledProfile | undefined): SidfKey[] {
  if (opts.keys) {
    let text: string;
    try {
      text = readFileSync(opts.keys, 'utf8');
    } catch (e) {
      throw new Error(
        `${opts.keys}: cannot read the key file (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    return parseYamlWith(text, opts.keys, sidfSchema).keys;
  }
  if (!p?.sidf) throw new Error('the profile has no sidf section with home network keys; give --keys FILE');
  return p.sidf.keys;
}

const SCHEMES = { null: 0, 'profile-a': 1, 'profile-b': 2 } as const;

export function registerSuci(program: Command): void {
  const suci = program.command('suci').description('SUCI: conceal a SUPI, de-conceal a SUCI (SIDF)');
  suci
    .command('conceal')
    .description("compute a SUCI as a handset does, from the profile's EF.SUCI_Calc_Info")
    .option('--profile <file>', 'profile (default: profiles/default-usim.yaml)')
    .option('--imsi <imsi>', "SUPI to conceal (default: the profile's EF.IMSI)")
    .option('--mnc-length <n>', "digits of the MNC in the IMSI, 2 or 3 (default: the profile's EF.AD)")
    .option('--scheme <name>', 'null, profile-a or profile-b (default: the first of the priority list)')
    .option('--routing-indicator <digits>', "1 to 4 digits (default: the profile's EF.Routing_Indicator)")
    .option('--ephemeral <hex>', 'ephemeral private key (reproducible output, e.g. the TS 33.501 C.4 ones)')
    .action(
      (opts: {
        profile?: string;
        imsi?: string;
        mncLength?: string;
        scheme?: string;
        routingIndicator?: string;
        ephemeral?: string;
      }) => {
        const p = loadProfile(opts.profile ?? defaultProfilePath());
        const inp = suciInputs(p);
        const imsi = opts.imsi ?? inp.imsi;
        if (!imsi || !/^\d{6,15}$/.test(imsi))
          throw new Error(`no valid IMSI to conceal (${imsi ?? 'none'}): give --imsi`);
        if (opts.mncLength !== undefined && opts.mncLength !== '2' && opts.mncLength !== '3')
          throw new Error(`--mnc-length must be 2 or 3, got "${opts.mncLength}"`);
        const mncLength = opts.mncLength ? (Number(opts.mncLength) as 2 | 3) : inp.mncLength;
        if (!inp.info) throw new Error("the profile's EF.SUCI_Calc_Info is missing or malformed");
        let info = inp.info;
        if (opts.scheme !== undefined) {
          const id = SCHEMES[opts.scheme as keyof typeof SCHEMES];
          if (id === undefined)
            throw new Error(`--scheme must be null, profile-a or profile-b, got "${opts.scheme}"`);
          info = { ...info, schemes: info.schemes.filter((s) => s.scheme === id) };
          if (id === 0 && !info.schemes.length) info.schemes = [{ scheme: 0, keyIndex: 0 }];
        }
        const ri = opts.routingIndicator ?? inp.routingIndicator;
        if (ri !== undefined && !/^\d{1,4}$/.test(ri))
          throw new Error(`--routing-indicator must be 1 to 4 digits`);
        if (opts.ephemeral !== undefined && !/^[0-9a-fA-F]{64}$/.test(opts.ephemeral))
          throw new Error('--ephemeral must be 32 bytes of hex');
        const s = concealSupi({
          imsi,
          mncLength,
          routingIndicator: ri,
          info,
          ephemeralPrivate: opts.ephemeral ? fromHex(opts.ephemeral) : undefined,
        });
        console.log(suciString(s));
        console.log(`5GS mobile identity: ${toHex(encodeSuci(s))}`);
      },
    );
  suci
    .command('deconceal <suci>')
    .description(
      'recover the SUPI from a SUCI (string form, or hex of the 5GS mobile identity / GET IDENTITY data)',
    )
    .option(
      '--profile <file>',
      'profile whose sidf section holds the keys (default: profiles/default-usim.yaml)',
    )
    .option('--keys <file>', 'key file (YAML/JSON: keys: [{id, scheme, private}]) instead of the profile')
    .action((text: string, opts: { profile?: string; keys?: string }) => {
      const s = parseSuci(text);
      if (!s) throw new Error(`"${text}" is not a SUCI (suci-0-MCC-MNC-RI-SCHEME-KEYID-OUTPUT, or hex)`);
      const keys = sidfKeys(opts, opts.keys ? undefined : loadProfile(opts.profile ?? defaultProfilePath()));
      const r = deconcealSuci(s, keys);
      if (!r.ok) throw new Error(`cannot de-conceal ${suciString(s)}: ${r.reason}`);
      console.log(r.supi);
    });
}
