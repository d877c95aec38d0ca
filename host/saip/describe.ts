// `uicc saip decode`: a profile package for people: the PE list (type, identification, template), the keys
// (PINs, PUKs, ADM, AKA, security-domain keys) with every secret masked by the trace rule (host/trace/redact.ts:
// "**" per byte), and the file tree the card installs from it, or the PEStatus the installer gives.

import { children, uint } from '../../applets/euicc/der.js';
import { type DownloadedProfile, installUpp } from '../../applets/euicc/saip/install.js';
import { readAkaParameter, readPinCodes, readPukCodes } from '../../applets/euicc/saip/keys.js';
import { decodeOid } from '../../applets/euicc/saip/oid.js';
import { decodeUpp, type ProfileElement } from '../../applets/euicc/saip/pe.js';
import { PE_SLOTS } from '../../applets/euicc/saip/pe-types.js';
import { templateByOid } from '../../applets/euicc/saip/templates.js';
import { type Bytes, toHex } from '../../card-os/bytes.js';
import { type FileSpec, fidHex } from '../../card-os/fs/model.js';
import { isKeyFile, maskedHex } from '../trace/redact.js';

const SERVICES = [
  'contactless',
  'usim',
  'isim',
  'csim',
  'milenage',
  'tuak128',
  'cave',
  'gba-usim',
  'gba-isim',
  'mbms',
  'eap',
  'javacard',
  'multos',
  'multiple-usim',
  'multiple-isim',
  'multiple-csim',
  'tuak256',
  'usim-test-algorithm',
  'ber-tlv',
  'dfLink',
  'cat-tp',
  'get-identity',
  'profile-a-x25519',
  'profile-b-p256',
  'suciCalculatorApi',
  'dns-resolution',
  'scp11ac',
  'scp11c-authorization-mechanism',
  's16mode',
  'eaka',
];

/** The one masking rule: every byte of a secret shows as "**". */
export function secret(b: Bytes): string {
  return maskedHex(b, [{ in: 'command', at: 0, len: b.length, what: 'secret', secret: 'secret' }], 'command');
}

const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');

function headerLines(h: ProfileElement): string[] {
  const f = (tag: number) => h.fields.find((t) => t.tag === tag)?.value;
  const iccid = f(0x83);
  const type = f(0x82);
  const out = [
    `version ${uint(f(0x80)) ?? '?'}.${uint(f(0x81)) ?? '?'}${type ? `, "${new TextDecoder().decode(type)}"` : ''}, ICCID ${iccid ? toHex(iccid).replace(/F+$/, '') : '?'}`,
  ];
  const services = f(0xa5) && children(f(0xa5)!);
  if (services)
    out.push(
      `mandatory services: ${services.map((s) => SERVICES[s.tag - 0x80] ?? `[${s.tag - 0x80}]`).join(' ')}`,
    );
  const oids = f(0xa6) && children(f(0xa6)!);
  if (oids) out.push(`templates: ${oids.map((o) => templateName(decodeOid(o.value))).join(', ')}`);
  return out;
}

function templateName(oid: string | undefined): string {
  if (!oid) return '(malformed OID)';
  const t = templateByOid(oid);
  return t ? `${oid} (${t.name})` : oid;
}

function keyLines(pe: ProfileElement): string[] {
  switch (pe.name) {
    case 'pinCodes': {
      const r = readPinCodes(pe.fields);
      if (!r.ok) return [r.message];
      return r.value.map(
        (p) =>
          `key ${hex2(p.ref)} ${secret(p.value)} attributes ${hex2(p.attributes)}, ${p.maxTries} tries` +
          (p.unblockRef !== undefined ? `, PUK ${hex2(p.unblockRef)}` : ''),
      );
    }
    case 'pukCodes': {
      const r = readPukCodes(pe.fields);
      if (!r.ok) return [r.message];
      return r.value.map((p) => `PUK ${hex2(p.ref)} ${secret(p.value)}, ${p.maxTries} tries`);
    }
    case 'akaParameter': {
      const r = readAkaParameter(pe.fields);
      if (!r.ok) return [r.message];
      if (r.value.kind === 'mapping') return [`keys of the application ${toHex(r.value.source)}`];
      const s = r.value.subscription;
      const second =
        s.algorithm === 'tuak'
          ? `TOPc ${secret(s.topc!)}`
          : s.algorithm === 'milenage'
            ? `OPc ${secret(s.opc!)}`
            : '';
      const alg = { milenage: 'Milenage', tuak: 'TUAK', test: 'TS 34.108 test algorithm' }[s.algorithm];
      return [`${alg}, K ${secret(s.k)}${second ? `, ${second}` : ''}`];
    }
    case 'securityDomain': {
      const inst = pe.fields.find((t) => t.tag === 0xa1);
      const aids = (inst && children(inst.value)?.filter((t) => t.tag === 0x4f)) ?? [];
      const out = [`instance ${aids[2] ? toHex(aids[2].value) : '?'}`];
      const keys = pe.fields.find((t) => t.tag === 0xa2);
      for (const k of (keys && children(keys.value)) ?? []) {
        const f = children(k.value) ?? [];
        const v = (tag: number) => f.find((t) => t.tag === tag)?.value;
        const comps = (f.find((t) => t.tag === 0x30) && children(f.find((t) => t.tag === 0x30)!.value)) ?? [];
        const data = comps.map((c) => {
          const cf = children(c.value) ?? [];
          const type = cf.find((t) => t.tag === 0x80)?.value;
          const d = cf.find((t) => t.tag === 0x86)?.value;
          return `type ${type ? toHex(type) : '?'} ${d ? secret(d) : '?'}`;
        });
        out.push(
          `KVN ${toHex(v(0x83) ?? new Uint8Array())} key ${toHex(v(0x82) ?? new Uint8Array())}: ${data.join(', ')}`,
        );
      }
      return out;
    }
    default:
      return [];
  }
}

function fileLines(f: FileSpec, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  const attrs: string[] = [f.type === 'EF' ? (f.structure ?? '') : f.type];
  if (f.aid) attrs.push(`AID ${toHex(f.aid)}`);
  if (f.structure === 'linear-fixed' || f.structure === 'cyclic')
    attrs.push(`${f.recordCount} x ${f.recordLength}`);
  else if (f.type === 'EF') attrs.push(`${f.size} bytes`);
  if (f.sfi !== undefined) attrs.push(`SFI ${hex2(f.sfi)}`);
  if (f.arr) attrs.push(`ARR ${fidHex(f.arr.fid)}/${f.arr.record}`);
  if (f.contentOf) attrs.push(`link to ${f.contentOf}`);
  let content = '';
  if (f.type === 'EF' && f.initial.length) {
    const shown = f.initial.subarray(0, 32);
    content = ` ${isKeyFile(f.fid) ? secret(shown) : toHex(shown)}${f.initial.length > 32 ? '…' : ''}`;
  }
  out.push(`${pad}${fidHex(f.fid)} ${f.name} (${attrs.join(', ')})${content}`);
  for (const c of f.children) fileLines(c, depth + 1, out);
}

/** The decode listing of a UPP. */
export function describeUpp(upp: Bytes): { lines: string[]; installs: boolean } {
  const split = decodeUpp(upp);
  if (!split.ok) return { lines: [`not a profile package: ${split.failure.message}`], installs: false };
  const out = [`${split.pes.length} profile elements, ${upp.length} bytes`];
  for (const pe of split.pes) {
    const name = pe.name ?? `unknown (tag ${pe.tag.toString(16)})`;
    const id =
      pe.identification !== undefined ? ` id ${pe.identification}${pe.mandated ? ', mandated' : ''}` : '';
    const tid =
      pe.name && PE_SLOTS[pe.name] && pe.fields[1]?.tag === 0x81 ? decodeOid(pe.fields[1].value) : undefined;
    out.push(`PE ${pe.index} ${name}${id}${tid ? `, template ${templateName(tid)}` : ''}`);
    const more = pe.name === 'header' ? headerLines(pe) : keyLines(pe);
    for (const l of more) out.push(`    ${l}`);
  }
  const r = installUpp(upp);
  if (!r.ok) {
    out.push(
      `installation fails: PE ${r.failure.peIndex}, PEStatus ${r.failure.status}: ${r.failure.message}`,
    );
    return { lines: out, installs: false };
  }
  out.push(...installedLines(r.profile));
  return { lines: out, installs: true };
}

function installedLines(p: DownloadedProfile): string[] {
  const out = ['installs as:', `  applets: ${p.applets.map((a) => a.name).join(', ') || 'none'}`];
  for (const n of p.notInstalled ?? []) out.push(`  not installed: ${n}`);
  fileLines(p.spec.mf, 1, out);
  return out;
}
