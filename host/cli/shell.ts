// `uicc shell`: an interactive prompt for APDUs (hex or named commands), with decoded answers and history.

import { appendFileSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { buildCommand } from '../../card-os/apdu.js';
import type { Bytes } from '../../card-os/bytes.js';
import { NAMED } from '../commands.js';
import { ExchangeDecoder } from '../decode/apdu.js';
import { contentDecoder } from '../decode/content.js';
import { ScriptError } from '../script/parse.js';
import { commandBytes } from '../script/run.js';
import { maskedCommandHex } from '../trace/redact.js';
import { getResponseCla } from '../transport/cla.js';
import type { Transport } from '../transport/transport.js';
import { dim, red, spaced } from './transcript.js';
import { openTransport, type TransportOpts, transportOptions } from './transport-options.js';

const HELP = () =>
  [
    'Type an APDU in hex (00 A4 00 04 02 3F 00) or a named command:',
    ...Object.values(NAMED).map((c) => `  ${c.usage.padEnd(36)} ${c.help}`),
    '  reset                                 reset the card (prints the ATR)',
    '  raw on|off                            off (default): answer 61xx with GET RESPONSE automatically',
    '  help, exit',
  ].join('\n');

/**
 * What goes into the history file, by the one masking rule of traces and logs (host/trace/redact.ts): a line
 * that makes an APDU carrying a secret (PIN blocks, PUT KEY, key blocks, unciphered OTA scripts...) is kept as
 * that APDU with the secret bytes as "**"; a line that makes no APDU keeps only its first word, unless it is a
 * shell keyword (it might be a mistyped command with a PIN in it).
 */
export function historyLine(line: string): string {
  const t = line.trim();
  if (/^(help|\?|exit|quit|reset|raw (on|off))$/i.test(t) || t.startsWith('#')) return line;
  let cmd: Bytes;
  try {
    cmd = commandBytes(t, { file: 'shell', line: 0 });
  } catch {
    const first = t.split(/\s+/)[0]!;
    return first === t ? line : `${first} ***`;
  }
  const masked = maskedCommandHex(cmd);
  return masked.includes('*') ? masked : line;
}

/** One shell line -> printed lines. Exported for tests. */
export async function shellLine(
  line: string,
  transport: Transport,
  state: { raw: boolean; decoder: ExchangeDecoder },
  out: (s: string) => void,
): Promise<'exit' | undefined> {
  const t = line.trim();
  if (!t || t.startsWith('#')) return;
  const lower = t.toLowerCase();
  if (lower === 'exit' || lower === 'quit') return 'exit';
  if (lower === 'help' || lower === '?') {
    out(HELP());
    return;
  }
  if (lower === 'reset') {
    out(`ATR ${spaced(await transport.reset())}`);
    return;
  }
  if (lower.startsWith('raw ')) {
    state.raw = lower.endsWith('on');
    out(`raw mode ${state.raw ? 'on' : 'off'}`);
    return;
  }
  let cmd: Bytes;
  try {
    cmd = commandBytes(t, { file: 'shell', line: 0 });
  } catch (e) {
    out(red(e instanceof ScriptError ? e.message.replace(/^shell:0: /, '') : (e as Error).message));
    return;
  }
  const show = async (c: Bytes) => {
    const r = await transport.transmit(c);
    const d = state.decoder.describe(c, r);
    out(`> ${spaced(c)}  ${dim(d.name)}`);
    out(`< ${spaced(r)}  ${dim(d.status)}`);
    for (const l of d.details) out(`    ${l}`);
    return r;
  };
  let r = await show(cmd);
  // T=0: fetch the waiting data like a terminal would (pySim's rule), unless raw mode.
  while (!state.raw && r.length === 2 && r[0] === 0x61) {
    r = await show(buildCommand(getResponseCla(cmd[0]!), 0xc0, 0, 0, undefined, r[1] || 256));
  }
  if (!state.raw && r.length === 2 && r[0] === 0x6c)
    await show(Uint8Array.from([...cmd.subarray(0, cmd.length - 1), r[1]!]));
  return;
}

export function registerShell(program: Command): void {
  const cmd = program.command('shell').description('interactive APDU prompt with decoded responses');
  transportOptions(cmd).action(async (opts: TransportOpts) => {
    const t = await openTransport(opts, 'uicc shell', { raw: true });
    const state = { raw: false, decoder: new ExchangeDecoder(contentDecoder) };
    const histFile = join(homedir(), '.uicc_history');
    let history: string[] = [];
    try {
      history = readFileSync(histFile, 'utf8').split('\n').filter(Boolean).reverse().slice(0, 500);
    } catch {}
    const rl = createInterface({
      input: process.stdin,
      output: process.stdout,
      history,
      terminal: process.stdin.isTTY,
    });
    console.log(`uicc shell on ${t.transport.name}; ATR ${spaced(t.transport.atr())}. Type help.`);
    rl.setPrompt('uicc> ');
    rl.prompt();
    for await (const line of rl) {
      if (line.trim()) {
        try {
          appendFileSync(histFile, `${historyLine(line)}\n`, { mode: 0o600 });
        } catch {}
      }
      const r = await shellLine(line, t.transport, state, (s) => console.log(s));
      if (r === 'exit') break;
      rl.prompt();
    }
    rl.close();
    await t.close();
  });
}
