// `uicc shell`: an interactive prompt in the manner of pySim-shell (file tree by name, Tab completion, decoded
// reads and writes, export; host/shell/), which also takes APDUs in hex and the script commands, with history.

import { appendFileSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { type Bytes, toHex } from '../../card-os/bytes.js';
import { NAMED } from '../commands.js';
import { ExchangeDecoder } from '../decode/apdu.js';
import { contentDecoder } from '../decode/content.js';
import { ScriptError } from '../script/parse.js';
import { commandBytes } from '../script/run.js';
import { complete } from '../shell/complete.js';
import { addSecurityDomains } from '../shell/euicc.js';
import { exchange } from '../shell/exchange.js';
import { discoverTree, selectNode, treeFromSpec } from '../shell/file-tree.js';
import { currentPath, SHELL_COMMANDS, type ShellContext, ShellError, send } from '../shell/session.js';
import { maskedCommandHex } from '../trace/redact.js';
import type { Transport } from '../transport/transport.js';
import { dim, red, spaced } from './transcript.js';
import { openTransport, type TransportOpts, transportOptions } from './transport-options.js';

const HELP = () =>
  [
    'pySim-shell commands (Tab completes commands and file names):',
    ...Object.values(SHELL_COMMANDS).map((c) => `  ${c.usage.padEnd(36)} ${c.help}`),
    'An APDU in hex (00 A4 00 04 02 3F 00), or a script command:',
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
  const words = t.split(/\s+/);
  // pySim-shell's CHV commands carry PINs as arguments: keep the options, mask the values.
  if (/^(verify_chv|change_chv|unblock_chv|enable_chv|disable_chv|verify_adm)$/i.test(words[0] ?? '')) {
    const kept = words.slice(1).filter((w, i, a) => w.startsWith('--') || a[i - 1] === '--pin-nr');
    return kept.length < words.length - 1 ? [words[0], ...kept, '***'].join(' ') : line;
  }
  // Anything that makes an APDU (hex, a named command, pySim's `apdu [options] HEX`) is kept as the APDU
  // masked by the one rule of traces and logs (host/trace/redact.ts).
  const apdu = /^apdu$/i.test(words[0] ?? '') ? (words[words.length - 1] ?? '') : t;
  let cmd: Bytes;
  try {
    cmd = commandBytes(apdu, { file: 'shell', line: 0 });
  } catch {
    // Not an APDU: a file-system command (select, read_binary...) stays; a mistyped secret command is masked.
    const secretWord = /^(verify|change-pin|disable-pin|enable-pin|unblock-pin)$/i.test(words[0] ?? '');
    return (secretWord && words.length > 2) || (/^apdu$/i.test(words[0] ?? '') && words.length > 1)
      ? `${words[0]} ***`
      : line;
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
  const show = (c: Bytes, r: Bytes) => {
    const d = state.decoder.describe(c, r);
    out(`> ${spaced(c)}  ${dim(d.name)}`);
    out(`< ${spaced(r)}  ${dim(d.status)}`);
    for (const l of d.details) out(`    ${l}`);
  };
  // Raw mode sends the APDU alone; otherwise 61xx/6Cxx are followed up as a terminal would (pySim's rule).
  if (state.raw) show(cmd, await transport.transmit(cmd));
  else await exchange(transport, cmd, show);
  return;
}

/** Runs one line: a pySim-shell command on the file tree, or else a hex APDU / script command. */
export async function sessionLine(
  line: string,
  ctx: ShellContext,
  state: { raw: boolean; decoder: ExchangeDecoder },
  out: (s: string) => void,
): Promise<'exit' | undefined> {
  const t = line.trim();
  const word = t.split(/\s+/)[0]!.toLowerCase();
  const c = SHELL_COMMANDS[word];
  if (!c || (word === 'status' && t !== word)) {
    const r = await shellLine(line, ctx.transport, state, out);
    // A script-style SELECT by AID moves the shell into that application too.
    const aid = /^select-(usim|aid)\b\s*(\S*)/i.exec(t);
    if (aid) {
      const want = (aid[1]!.toLowerCase() === 'usim' ? 'A0000000871002' : aid[2]!).toUpperCase();
      const adf = ctx.root.children.find((n) => n.aid && toHex(n.aid).startsWith(want));
      if (adf && want) {
        ctx.df = adf;
        ctx.ef = undefined;
      }
    }
    return r;
  }
  try {
    const r = await c.run(ctx, t.split(/\s+/).slice(1), t.slice(word.length));
    if (r !== undefined) out(r);
  } catch (e) {
    if (!(e instanceof ShellError)) throw e;
    out(red(e.message));
  }
  return;
}

/** The shell's view of the card: the profile's tree for the emulator, a discovered one for a reader. */
export async function shellContext(
  transport: Transport,
  spec: { mf: Parameters<typeof treeFromSpec>[0] } | undefined,
  decoder?: ExchangeDecoder,
): Promise<ShellContext> {
  const onExchange = decoder ? (c: Bytes, r: Bytes) => void decoder.describe(c, r) : undefined;
  const probe: ShellContext = {
    transport,
    root: { name: 'MF', fid: 0x3f00, type: 'MF', children: [] },
    df: { name: 'MF', fid: 0x3f00, type: 'MF', children: [] },
  };
  const root = spec ? treeFromSpec(spec.mf) : await discoverTree((c) => send(probe, c));
  const ctx: ShellContext = { transport, root, df: root, onExchange };
  await addSecurityDomains(root, (c) => send(ctx, c));
  await selectNode((c) => send(ctx, c), root);
  return ctx;
}

export function registerShell(program: Command): void {
  const cmd = program
    .command('shell')
    .description('interactive card shell (pySim-shell commands, APDUs, decoding)');
  transportOptions(cmd).action(async (opts: TransportOpts) => {
    const t = await openTransport(opts, 'uicc shell', { raw: true });
    const state = { raw: false, decoder: new ExchangeDecoder(contentDecoder) };
    // An eUICC shows the files of the profile enabled now (card-os/euicc-card.ts), plus its ISD-R.
    const spec = t.embedded?.euicc?.active.spec ?? t.embedded?.card.spec;
    const ctx = await shellContext(t.transport, spec, state.decoder);
    const commands = [...Object.keys(SHELL_COMMANDS), ...Object.keys(NAMED), 'help', 'exit', 'reset', 'raw'];
    const histFile = process.env.UICC_HISTORY ?? join(homedir(), '.uicc_history');
    let history: string[] = [];
    try {
      history = readFileSync(histFile, 'utf8').split('\n').filter(Boolean).reverse().slice(0, 500);
    } catch {}
    const rl = createInterface({
      input: process.stdin,
      output: process.stdout,
      history,
      terminal: process.stdin.isTTY,
      completer: (line: string) => complete(ctx, line, commands),
    });
    console.log(`uicc shell on ${t.transport.name}; ATR ${spaced(t.transport.atr())}. Type help.`);
    rl.setPrompt(`${currentPath(ctx)}> `);
    rl.prompt();
    for await (const line of rl) {
      if (line.trim()) {
        try {
          appendFileSync(histFile, `${historyLine(line)}\n`, { mode: 0o600 });
        } catch {}
      }
      const r = await sessionLine(line, ctx, state, (s) => console.log(s));
      if (r === 'exit') break;
      rl.setPrompt(`${currentPath(ctx)}> `);
      rl.prompt();
    }
    rl.close();
    await t.close();
  });
}
