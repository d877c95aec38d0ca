// Installs an Unprotected Profile Package (TCA eUICC Profile Package: Interoperable Format Technical
// Specification, PE definitions v3.3.1) into a card template for one ISD-P: the file tree (template PEs
// merged with the Annex A templates, GenericFileManagement), the PINs, PUKs and ADM keys (PE-PINCodes,
// PE-PUKCodes), the NAAs' authentication keys (PE-AKAParameter) through the applet registry, and the
// security domain's keys. A pure function of the bytes: the eUICC keeps the UPP and calls it again at every
// power-up to rebuild the ISD-P's template, the profile's own NVM records holding its changes.
// Never throws: a bad package gives the failing PE's index, identification and PEStatus (EUICCResponse).

import type { Applet } from '../../../card-os/applet.js';
import { type Bytes, equal, fromHex } from '../../../card-os/bytes.js';
import type { CardSpec, PinSpec } from '../../../card-os/fs/model.js';
import { ber } from '../../../card-os/tlv.js';
import type { AkaSubscription } from '../../aka/subscription.js';
import { installPackages } from '../../install-packages.js';
import { APPLET_PACKAGES } from '../../registry.js';
import { child, children, derUint, uint } from '../der.js';
import { type FileStep, readFileManagement, readFileSteps, type SaipFcp } from './fcp.js';
import {
  attach,
  childByFid,
  type Draft,
  draftFile,
  fill,
  resolveLinks,
  skip,
  toFileSpec,
} from './file-tree.js';
import {
  type AkaParameter,
  type PinCode,
  type PukCode,
  readAkaParameter,
  readPinCodes,
  readPukCodes,
} from './keys.js';
import { decodeOid } from './oid.js';
import { decodeUpp, failure, PE_STATUS, type PeFailure, type ProfileElement } from './pe.js';
import { contextNumber, PE_SLOTS, type PeName } from './pe-types.js';
import { FCP_ONLY_TEMPLATES, type Template, type TemplateFile, templateByOid } from './templates.js';

export { PE_STATUS, type PeFailure } from './pe.js';

export interface DownloadedProfile {
  /** 10 bytes, EF.ICCID / ES10 coding (nibble-swapped BCD, F-padded). */
  iccid: Bytes;
  /** File tree + initial NVM records (PINs, PUKs, ADM, AKA keys, SD keys...). */
  spec: CardSpec;
  /** Installed through applets/registry.ts packages, as the host's personalisation does. */
  applets: Applet[];
  /** What the package asked for that this card does not create or run, for people (e.g. CSIM files). */
  notInstalled?: string[];
}

export type UppInstall = { ok: true; profile: DownloadedProfile } | { ok: false; failure: PeFailure };

/** Major versions of the PE definitions this installer reads (TS.48 packages are 2.1 and 2.3). */
export const SUPPORTED_MAJOR_VERSIONS = [2, 3];

/** The ATR of a downloaded profile's file system (the eUICC answers with the enabled profile's). */
export const DOWNLOADED_PROFILE_ATR = fromHex('3B9C9680B1FE451FC78031E073FE211F6475696363C2');

/** Bytes of file content one profile may take (PEStatus not-enough-memory beyond). */
export const PROFILE_MEMORY_LIMIT = 2 * 1024 * 1024;

/** NVM records of the PEs kept as received: PE-CDMAParameter (secret: the A-key) and PE-RFM, by PE index. */
export const SAIP_CDMA_PREFIX = 'secret/saip/cdma/';
export const SAIP_RFM_PREFIX = 'saip/rfm/';

/** NVM record of a PE-SecurityDomain: its instance AID and key list as received (never readable). */
export const SAIP_SD_KEYS_PREFIX = 'secret/saip/sd/';

const OPTIONAL_PES = new Set<PeName>(['opt-usim', 'opt-isim', 'opt-csim', 'opt-iot']);

class Failed extends Error {
  constructor(readonly failure: PeFailure) {
    super(failure.message);
  }
}

interface State {
  mf?: Draft;
  /** The base DF of the last PE of each template kind (ADF.USIM for 'usim'...). */
  bases: Map<PeName, Draft>;
  /** The last NAA ADF created (an akaParameter PE configures it). */
  lastAdf?: Draft;
  pins: { pe: ProfileElement; code: PinCode }[];
  puks: Map<number, PukCode>;
  aka: Map<string, AkaSubscription>;
  nvm: Map<string, Bytes>;
  memoryLeft: number;
  notInstalled: string[];
}

/** Installs a UPP. Deterministic and never throws. */
export function installUpp(upp: Bytes): UppInstall {
  try {
    return install(upp);
  } catch (e) {
    if (e instanceof Failed) return { ok: false, failure: e.failure };
    return { ok: false, failure: failure(0, PE_STATUS.badValues, 'the package could not be installed') };
  }
}

function install(upp: Bytes): UppInstall {
  const split = decodeUpp(upp);
  if (!split.ok) return split;
  const pes = split.pes;
  const iccid = readHeader(pes[0]!);
  const st: State = {
    bases: new Map(),
    pins: [],
    puks: new Map(),
    aka: new Map(),
    nvm: new Map(),
    memoryLeft: PROFILE_MEMORY_LIMIT,
    notInstalled: [],
  };
  for (const pe of pes.slice(1)) installPe(st, pe);
  const end = pes[pes.length - 1]!;
  if (!st.mf) throw fail(end, PE_STATUS.badValues, 'the package creates no MF');
  const links = resolveLinks(st.mf);
  if (links) throw fail(end, PE_STATUS.badValues, links);
  const mf = toFileSpec(st.mf);
  const spec: CardSpec = { atr: DOWNLOADED_PROFILE_ATR, mf, pins: pinSpecs(st), nvm: st.nvm };
  const sections: Record<string, unknown> = {};
  for (const p of APPLET_PACKAGES) {
    const sub = st.aka.get(p.section);
    if (sub) sections[p.section] = sub;
  }
  const applets = installPackages(mf, st.nvm, sections);
  const profile: DownloadedProfile = { iccid, spec, applets };
  if (st.notInstalled.length) profile.notInstalled = st.notInstalled;
  return { ok: true, profile };
}

function fail(pe: ProfileElement, status: number, message: string): Failed {
  return new Failed(
    failure(pe.index, status, `PE ${pe.index} (${pe.name ?? 'unknown'}): ${message}`, pe.identification),
  );
}

/** ProfileHeader: `80` major, `81` minor, `82` profileType, `83` ICCID (plain digit order), `A6` GFSTE OIDs. */
function readHeader(h: ProfileElement): Bytes {
  const major = uint(child(h.fields, 0x80)?.value);
  const minor = uint(child(h.fields, 0x81)?.value);
  if (major === undefined || minor === undefined) throw fail(h, PE_STATUS.badValues, 'no version');
  if (!SUPPORTED_MAJOR_VERSIONS.includes(major))
    throw fail(
      h,
      PE_STATUS.unsupportedProfileVersion,
      `profile version ${major}.${minor} is not supported (major ${SUPPORTED_MAJOR_VERSIONS.join(' or ')})`,
    );
  const iccid = child(h.fields, 0x83)?.value;
  if (iccid?.length !== 10 || !validIccid(iccid))
    throw fail(h, PE_STATUS.badValues, 'ICCID is not 10 bytes of BCD');
  const gfste = child(h.fields, 0xa6);
  if (gfste) {
    const oids = children(gfste.value);
    if (!oids) throw fail(h, PE_STATUS.badValues, 'malformed eUICC-Mandatory-GFSTEList');
    for (const o of oids) {
      const oid = o.tag === 0x06 ? decodeOid(o.value) : undefined;
      if (!oid) throw fail(h, PE_STATUS.badValues, 'malformed template OID');
      if (!templateByOid(oid) && !FCP_ONLY_TEMPLATES[oid])
        throw fail(h, PE_STATUS.templateNotSupported, `template ${oid} is not supported`);
    }
  }
  // EF.ICCID / ES10 coding swaps the digits of each byte (TS 102 221 §13.2).
  return Uint8Array.from(iccid, (b) => ((b & 0x0f) << 4) | (b >> 4));
}

function validIccid(b: Bytes): boolean {
  const digits = [...b].flatMap((x) => [x >> 4, x & 0x0f]);
  const end = digits.indexOf(0x0f);
  const used = end < 0 ? digits : digits.slice(0, end);
  return (
    used.length >= 18 && used.every((d) => d <= 9) && (end < 0 || digits.slice(end).every((d) => d === 0x0f))
  );
}

function installPe(st: State, pe: ProfileElement): void {
  const name = pe.name;
  if (name && PE_SLOTS[name]) {
    installTemplatePe(st, pe, name);
    return;
  }
  switch (name) {
    case 'genericFileManagement':
      installGfm(st, pe);
      return;
    case 'pinCodes': {
      const r = readPinCodes(pe.fields);
      if (!r.ok) throw fail(pe, PE_STATUS.badValues, r.message);
      for (const code of r.value) st.pins.push({ pe, code });
      return;
    }
    case 'pukCodes': {
      const r = readPukCodes(pe.fields);
      if (!r.ok) throw fail(pe, PE_STATUS.badValues, r.message);
      for (const p of r.value) {
        if (st.puks.has(p.ref)) throw fail(pe, PE_STATUS.badValues, `PUK ${p.ref} is defined twice`);
        st.puks.set(p.ref, p);
      }
      return;
    }
    case 'akaParameter': {
      const r = readAkaParameter(pe.fields);
      if (!r.ok) throw fail(pe, PE_STATUS.badValues, r.message);
      installAka(st, pe, r.value);
      return;
    }
    case 'securityDomain':
      installSecurityDomain(st, pe);
      return;
    case 'end':
      return;
    case 'cdmaParameter':
    case 'rfm':
      // No CDMA (CAVE) authentication and no RFM applet configuration here: the PE is kept as received
      // (the CDMA keys as a secret record) and reported, so the profile still installs.
      st.nvm.set(`${name === 'rfm' ? SAIP_RFM_PREFIX : SAIP_CDMA_PREFIX}${pe.index}`, pe.raw);
      st.notInstalled.push(`PE ${pe.index} ${name}: kept, not applied`);
      return;
    default:
      // application, nonStandard and PE types of later versions: there is no Java Card runtime here. A PE
      // marked mandated cannot be left out (PEStatus pe-not-supported); others are skipped.
      if (pe.mandated)
        throw fail(pe, PE_STATUS.peNotSupported, 'this PE type is not supported and is mandated');
      st.notInstalled.push(`PE ${pe.index} ${name ?? `tag ${pe.tag.toString(16)}`}: skipped`);
  }
}

function templateOf(pe: ProfileElement, name: PeName): Template | undefined {
  const t = pe.fields[1];
  // templateID [1] OBJECT IDENTIFIER (automatic tag, primitive: 81).
  const oid = t?.tag === 0x81 ? decodeOid(t.value) : undefined;
  if (!oid) throw fail(pe, PE_STATUS.badValues, 'no templateID');
  const tpl = templateByOid(oid);
  if (tpl) {
    if (tpl.pe !== name) throw fail(pe, PE_STATUS.badValues, `template ${oid} is not a ${name} template`);
    return tpl;
  }
  if (FCP_ONLY_TEMPLATES[oid] === name) return undefined;
  throw fail(pe, PE_STATUS.templateNotSupported, `template ${oid} is not supported`);
}

/** The DF a template's files go in: an optional-files template extends another's base DF. */
function baseFor(st: State, pe: ProfileElement, tpl: Template | undefined, name: PeName): Draft | undefined {
  if (!OPTIONAL_PES.has(name)) return undefined;
  const extended = tpl?.extends ? templateByOid(tpl.extends)?.pe : (name.replace('opt-', '') as PeName);
  const base = extended && st.bases.get(extended);
  if (!base) throw fail(pe, PE_STATUS.badValues, `no ${extended} PE before it`);
  return base;
}

function rootParent(st: State, pe: ProfileElement, tpl: Template | undefined): Draft | undefined {
  if (tpl?.pe === 'mf') return undefined;
  if (!st.mf) throw fail(pe, PE_STATUS.badValues, 'the MF PE must come first');
  if (!tpl?.parent) return st.mf;
  const pp = templateByOid(tpl.parent)?.pe;
  const base = pp && st.bases.get(pp);
  if (!base) throw fail(pe, PE_STATUS.badValues, `no ${pp} PE before it`);
  return base;
}

function installTemplatePe(st: State, pe: ProfileElement, name: PeName): void {
  const tpl = templateOf(pe, name);
  const slots = PE_SLOTS[name]!;
  let base = baseFor(st, pe, tpl, name);
  const seen = new Set<string>();
  for (const field of pe.fields.slice(2)) {
    const n = contextNumber(field.tag);
    const slot = n !== undefined ? slots[n - 2] : undefined;
    if (!slot || seen.has(slot))
      throw fail(pe, PE_STATUS.badValues, `unexpected field tag ${field.tag.toString(16)}`);
    seen.add(slot);
    const steps = readFileSteps(field.value);
    if (!steps) throw fail(pe, PE_STATUS.badValues, `${slot}: malformed File`);
    if (steps.some((s) => s.kind === 'doNotCreate')) continue;
    const isRoot = !OPTIONAL_PES.has(name) && n === 2;
    const tf = tpl?.files.find((f) => f.slot === slot);
    const parent = isRoot ? rootParent(st, pe, tpl) : placeIn(pe, base, tf, slot);
    const fcp = steps.find((s) => s.kind === 'fcp')?.fcp;
    const d = create(st, pe, { fcp, tf, parent, generic: false, slot, fcpOnly: !tpl });
    if (!d) continue;
    if (isRoot) base = d;
    fillSteps(pe, d, steps, slot);
  }
  if (!base) throw fail(pe, PE_STATUS.badValues, 'no base DF');
  // A "created by default" template creates the slots a PE leaves out from the template alone.
  if (tpl?.byDefault)
    for (const tf of tpl.files.slice(1)) {
      if (seen.has(tf.slot) || tf.fid === undefined || childByFid(placeIn(pe, base, tf, tf.slot), tf.fid))
        continue;
      const sized =
        tf.type === 'LF' || tf.type === 'CY'
          ? tf.records !== undefined && tf.size !== undefined
          : tf.size !== undefined;
      if (sized)
        create(st, pe, {
          fcp: undefined,
          tf,
          parent: placeIn(pe, base, tf, tf.slot),
          generic: false,
          slot: tf.slot,
        });
    }
  st.bases.set(name, base);
  if (base.type === 'ADF') st.lastAdf = base;
}

function placeIn(
  pe: ProfileElement,
  base: Draft | undefined,
  tf: TemplateFile | undefined,
  slot: string,
): Draft {
  if (!base) throw fail(pe, PE_STATUS.badValues, `${slot}: its DF is not created`);
  // A template whose base DF is itself the `in` DF (DF.PHONEBOOK's own template): the base.
  if (tf?.in === undefined || tf.in === base.fid) return base;
  const df = childByFid(base, tf.in);
  if (!df) throw fail(pe, PE_STATUS.badValues, `${slot}: DF ${tf.in.toString(16)} is not created`);
  return df;
}

interface CreateArgs {
  fcp: SaipFcp | undefined;
  tf: TemplateFile | undefined;
  parent: Draft | undefined;
  generic: boolean;
  slot?: string;
  /** A slot of a template whose table is not transcribed (CSIM): a file it leaves unsized is skipped. */
  fcpOnly?: boolean;
}

function create(st: State, pe: ProfileElement, a: CreateArgs): Draft | undefined {
  const r = draftFile({
    fcp: a.fcp,
    template: a.tf,
    parent: a.parent,
    generic: a.generic,
    slot: a.slot,
    memoryLeft: st.memoryLeft,
  });
  if (!r.ok && r.unsized && a.fcpOnly) {
    st.notInstalled.push(`${pe.name} ${a.slot}: its size is only in the template, which is not transcribed`);
    return undefined;
  }
  if (!r.ok)
    throw fail(
      pe,
      r.memory ? PE_STATUS.notEnoughMemory : PE_STATUS.badValues,
      `${a.slot ?? 'file'}: ${r.message}`,
    );
  const d = r.draft;
  st.memoryLeft -= d.size;
  if (!a.parent) {
    if (st.mf) throw fail(pe, PE_STATUS.badValues, 'a second MF');
    st.mf = d;
  } else {
    const problem = attach(a.parent, d);
    if (problem) throw fail(pe, PE_STATUS.badValues, problem);
  }
  return d;
}

function fillSteps(pe: ProfileElement, d: Draft, steps: FileStep[], what: string): void {
  for (const s of steps) {
    const problem =
      s.kind === 'offset' ? skip(d, s.offset) : s.kind === 'content' ? fill(d, s.content) : undefined;
    if (problem) throw fail(pe, PE_STATUS.badValues, `${what}: ${problem}`);
  }
}

/** GenericFileManagement: `A1 {30 {80 path | 62 createFCP | 02 offset | 81 content …} …}`, paths from the MF. */
function installGfm(st: State, pe: ProfileElement): void {
  const cmds = child(pe.fields, 0xa1);
  const list = cmds && children(cmds.value);
  if (!list) throw fail(pe, PE_STATUS.badValues, 'no fileManagementCMD');
  if (!st.mf) throw fail(pe, PE_STATUS.badValues, 'the MF PE must come first');
  for (const cmd of list) {
    const steps = cmd.tag === 0x30 ? readFileManagement(cmd.value) : undefined;
    if (!steps) throw fail(pe, PE_STATUS.badValues, 'malformed FileManagement');
    let df: Draft = st.mf;
    let current: Draft | undefined;
    for (const s of steps) {
      if (s.kind === 'path') {
        let at: Draft = st.mf;
        for (let i = 0; i < s.path.length; i += 2) {
          const next = childByFid(at, (s.path[i]! << 8) | s.path[i + 1]!);
          if (!next) throw fail(pe, PE_STATUS.badValues, `filePath ${hex(s.path)} does not exist`);
          at = next;
        }
        current = at;
        df = at.type === 'EF' ? at.parent! : at;
      } else if (s.kind === 'fcp') {
        // Not fcpOnly: a generic file without a size is a bad value, so create() returns a file.
        const d = create(st, pe, { fcp: s.fcp, tf: undefined, parent: df, generic: true })!;
        current = d;
        if (d.type !== 'EF') df = d;
      } else {
        if (!current) throw fail(pe, PE_STATUS.badValues, 'file content before any file');
        fillSteps(pe, current, [s], current.name);
      }
    }
  }
}

/** The AKA parameters configure the NAA whose ADF came last (its package's profile section). */
function installAka(st: State, pe: ProfileElement, p: AkaParameter): void {
  const aid = st.lastAdf?.aid;
  const pkg =
    aid && APPLET_PACKAGES.find((k) => k.adfAid && equal(aid.subarray(0, k.adfAid.length), k.adfAid));
  if (!pkg) throw fail(pe, PE_STATUS.badValues, 'no USIM or ISIM ADF before it');
  if (p.kind === 'keys') {
    st.aka.set(pkg.section, p.subscription);
    return;
  }
  const source = APPLET_PACKAGES.find(
    (k) => k.adfAid && equal(p.source.subarray(0, k.adfAid.length), k.adfAid),
  );
  const sub = source && st.aka.get(source.section);
  if (!sub) throw fail(pe, PE_STATUS.badValues, 'mappingSource names no application with keys');
  st.aka.set(pkg.section, sub);
}

/**
 * PE-SecurityDomain: our security-domain applet is the SCP11 (ECC) ISD of GPC Amd F, and these are the
 * symmetric SCP02/SCP03/SCP80 keysets of an MNO-SD, so they do not map onto its records. The instance and key
 * list are kept as received in a secret record (no command reads it) per instance AID.
 */
function installSecurityDomain(st: State, pe: ProfileElement): void {
  const instance = child(pe.fields, 0xa1);
  const parts = instance && children(instance.value);
  const aids = parts?.filter((t) => t.tag === 0x4f) ?? [];
  const aid = aids[2]?.value;
  if (!aid || aid.length < 5 || aid.length > 16) throw fail(pe, PE_STATUS.badValues, 'no instance AID');
  const keys = child(pe.fields, 0xa2);
  if (keys && !children(keys.value)) throw fail(pe, PE_STATUS.badValues, 'malformed keyList');
  st.nvm.set(
    `${SAIP_SD_KEYS_PREFIX}${hex(aid)}`,
    ber(0x30, ber(0x4f, aid), ...(keys ? [ber(0xa2, keys.value)] : [])),
  );
}

const PIN_NAMES: Record<number, string> = {
  0x0a: 'ADM1',
  0x0b: 'ADM2',
  0x0c: 'ADM3',
  0x0d: 'ADM4',
  0x0e: 'ADM5',
};
const isAdm = (ref: number) => (ref >= 0x0a && ref <= 0x0e) || (ref >= 0x8a && ref <= 0x8e);
const pinName = (ref: number) =>
  PIN_NAMES[ref] ??
  (ref >= 0x8a
    ? `ADM${ref - 0x8a + 6}`
    : ref >= 0x81
      ? `second PIN of application ${ref - 0x80}`
      : `PIN${ref}`);

/**
 * PinSpecs from the PIN codes: the value, retry counters (high nibble), the PUK the PIN names. pinAttributes
 * b1 set = the PIN is enabled, b3 set = it may be disabled (the TS.48 profiles: PIN1 06, ADM 03). A local PIN
 * defined in several ADFs is one key of the profile here (the card OS keeps one PIN per reference): the
 * first definition counts.
 */
function pinSpecs(st: State): PinSpec[] {
  const out: PinSpec[] = [];
  for (const { pe, code } of st.pins) {
    if (out.some((p) => p.ref === code.ref)) continue;
    const adm = isAdm(code.ref);
    const spec: PinSpec = {
      ref: code.ref,
      name: pinName(code.ref),
      value: code.value,
      maxTries: code.maxTries,
      maxUnblockTries: 0,
      enabled: adm || (code.attributes & 0x01) !== 0,
      canDisable: !adm && (code.attributes & 0x04) !== 0,
    };
    if (code.unblockRef !== undefined) {
      const puk = st.puks.get(code.unblockRef);
      if (!puk)
        throw fail(
          pe,
          PE_STATUS.badValues,
          `PIN ${code.ref} names PUK ${code.unblockRef}, which no pukCodes PE defines`,
        );
      spec.puk = puk.value;
      spec.maxUnblockTries = puk.maxTries;
    }
    out.push(spec);
  }
  return out;
}

const hex = (b: Bytes) =>
  Array.from(b, (x) => x.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();

/**
 * The simaResponse of the installation: EUICCResponse `30 {A0 {30 {80 status, 81 identification?}}, 81 00?}`
 * (PE definitions v3.3.1, AUTOMATIC TAGS): one PEStatus ok, or the failing PE's status and
 * profileInstallationAborted.
 */
export function encodeEuiccResponse(r: UppInstall): Bytes {
  if (r.ok) return ber(0x30, ber(0xa0, ber(0x30, ber(0x80, Uint8Array.of(0)))));
  const f = r.failure;
  const status = [ber(0x80, derUint(f.status))];
  if (f.identification !== undefined) status.push(ber(0x81, derUint(f.identification)));
  return ber(0x30, ber(0xa0, ber(0x30, ...status)), ber(0x81));
}
