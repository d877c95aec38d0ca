// `export` in the shell: the contents of every EF under a DF as an APDU script (docs/script-format.md) that
// `uicc run` replays on another card to give it the same contents. Each file is selected, written, and read
// back with an expectation, so the run fails if a file ends up different. PIN1 and ADM1 come from variables
// (`uicc run --set PIN1=... --set ADM1=...`): secrets never appear in an export.

import { toHex } from '../../card-os/bytes.js';
import { fidHex, pathOf, type ShellNode, walkTree } from './file-tree.js';
import { fileOps, type ShellContext, ShellError, selectFile } from './session.js';

/** Script lines that select `n` on a fresh card (an ADF by AID, then FIDs; otherwise a path from the MF). */
export function selectLines(n: ShellNode): string[] {
  const chain: ShellNode[] = [];
  for (let x: ShellNode | undefined = n; x; x = x.parent) chain.unshift(x);
  let adf = -1;
  chain.forEach((x, i) => {
    if (x.type === 'ADF' && x.aid) adf = i;
  });
  if (adf >= 0)
    return [
      `select-aid ${toHex(chain[adf]!.aid!)}`,
      ...chain.slice(adf + 1).map((x) => `select ${fidHex(x.fid)}`),
    ];
  return [`select ${chain.map((x) => fidHex(x.fid)).join('/')}`];
}

/** A script variable reference, `${NAME}` (docs/script-format.md). */
const variable = (name: string) => `\${${name}}`;

async function exportEf(ctx: ShellContext, ef: ShellNode): Promise<string[]> {
  const head = [`@step ${pathOf(ef)}`, ...selectLines(ef)];
  await selectFile(ctx, ef);
  if (ef.structure === 'transparent') {
    const data = await fileOps.readBinary(ctx);
    const lines = [...head];
    for (let at = 0; at < data.length; at += 255) {
      const part = toHex(data.subarray(at, at + 255));
      lines.push(`update-binary ${part} ${at}`);
    }
    for (let at = 0; at < data.length; at += 256) {
      const part = data.subarray(at, at + 256);
      lines.push(`read-binary ${part.length} ${at} => ${toHex(part)} 9000`);
    }
    return lines;
  }
  if (ef.structure === 'linear-fixed' || ef.structure === 'cyclic') {
    const count = ef.recordCount ?? 0;
    const records = [];
    for (let i = 1; i <= count; i++) records.push(await fileOps.readRecord(ctx, i));
    const lines = [...head];
    if (ef.structure === 'cyclic') {
      // TS 102 221 §11.1.6: PREVIOUS mode writes the oldest record, which becomes record 1; writing the
      // oldest content first leaves the records in their original order.
      for (let i = count; i >= 1; i--) {
        const r = records[i - 1]!;
        lines.push(`00 DC 00 03 ${r.length.toString(16).padStart(2, '0').toUpperCase()} ${toHex(r)}`);
      }
    } else for (const [i, r] of records.entries()) lines.push(`update-record ${i + 1} ${toHex(r)}`);
    for (const [i, r] of records.entries())
      lines.push(`read-record ${i + 1} ${r.length} => ${toHex(r)} 9000`);
    return lines;
  }
  return [`# ${pathOf(ef)}: ${ef.structure} files are not exported`];
}

export async function exportScript(ctx: ShellContext, df: ShellNode): Promise<string> {
  const back = ctx.ef ?? ctx.df;
  const out = [
    `# uicc shell export of ${pathOf(df)}`,
    '# Replay: uicc run --set PIN1=<PIN1> --set ADM1=<ADM1 hex or digits> THIS_FILE',
    `verify pin1 ${variable('PIN1')} => 9000`,
    `verify adm1 ${variable('ADM1')} => 9000`,
  ];
  for (const n of walkTree(df)) {
    if (n.type !== 'EF') continue;
    try {
      out.push(...(await exportEf(ctx, n)));
    } catch (e) {
      if (!(e instanceof ShellError)) throw e;
      out.push(`# ${pathOf(n)}: not exported (${e.message})`);
    }
  }
  await selectFile(ctx, back).catch(() => undefined);
  return out.join('\n');
}
