// What the shell and the script checks cost: the parse-time check of APDU scripts (lines per second), the
// file-tree discovery a shell does on a card it has no profile for (SELECT of every standard FID, in-process),
// and an export of the whole default card.

import { fromHex } from '../card-os/bytes.js';
import { openCard } from '../host/card-factory.js';
import { shellContext } from '../host/cli/shell.js';
import { parseScriptText } from '../host/script/parse.js';
import { exportScript } from '../host/shell/export.js';
import { discoverTree } from '../host/shell/file-tree.js';
import { send } from '../host/shell/session.js';
import { embeddedTransport } from '../host/transport/embedded.js';
import { type BenchRow, latencies, opsPerSecond, percentile } from './harness.js';

const LINES = [
  '00 A4 00 04 02 3F 00 => 61xx # the MF',
  'select-usim',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a script variable, not a template
  'verify pin1 ${PIN1} => 9000',
  'select 6F07 // EF.IMSI',
  'read-binary 9 => 08 09 10 10 10 32 54 76 98 9000',
  'update-record 1 11F2FF00',
];
const SCRIPT = Array.from({ length: 1000 }, (_, i) => LINES[i % LINES.length]).join('\n');

export async function bench(): Promise<BenchRow[]> {
  const parse = opsPerSecond(() => parseScriptText(SCRIPT, 'bench.apdu'), 1500, 1000);

  const card = openCard().card;
  const t = embeddedTransport(card);
  const probe = await shellContext(t, card.spec);
  const discover = await latencies(async () => {
    await discoverTree((c) => send(probe, c));
  }, 30);

  const ctx = await shellContext(t, card.spec);
  for (const l of ['002000010831323334FFFFFFFF', '0020000A083132333435363738']) await send(ctx, fromHex(l));
  const exp = await latencies(async () => {
    await exportScript(ctx, ctx.root);
  }, 20);

  return [
    { name: 'script pre-check (parse + build every line)', value: parse, unit: 'lines/s' },
    {
      name: 'shell tree discovery by SELECT (in-process), median',
      value: percentile(discover, 50),
      unit: 'ms',
    },
    { name: 'shell export of the default card (in-process), median', value: percentile(exp, 50), unit: 'ms' },
  ];
}
