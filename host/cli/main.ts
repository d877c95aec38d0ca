// The `uicc` command line. Each subcommand lives in its own module, loaded only when that command runs (or
// when its help is asked for): `uicc --version` or `uicc run` does not pay for the OTA, SCP11 or scenario
// code. This file wires them to commander and turns errors into one readable line (no stack traces for people).

import { Command, CommanderError } from 'commander';

type Register = (program: Command) => void;

/** A top-level command: its name, the module's register function, one-line help (shown without loading it). */
type CommandEntry = [name: string, register: string, help: string, load: () => Promise<object>];

// One line per command. A module that registers several top-level commands appears once per name.
const COMMANDS: CommandEntry[] = [
  ['run', 'registerRun', 'run APDU scripts against a card', () => import('./run.js')],
  ['shell', 'registerShell', 'interactive APDU prompt', () => import('./shell.js')],
  ['auth', 'registerAuth', 'authenticate a card against the AuC/HSS', () => import('./auth.js')],
  ['ota', 'registerOta', 'send RFM commands over OTA (SMS-PP)', () => import('./ota.js')],
  ['ltk-update', 'registerLtkUpdate', 'long-term key update over SCP11', () => import('./ltk-update.js')],
  ['serve', 'registerServe', 'run an emulated card behind pcscd', () => import('./serve.js')],
  ['readers', 'registerReaders', 'list PC/SC readers', () => import('./readers.js')],
  ['profile', 'registerCardCommands', 'check and display card profiles', () => import('./card-commands.js')],
  ['card', 'registerCardCommands', 'card images', () => import('./card-commands.js')],
  ['replay', 'registerTraceCommands', 'replay a recorded trace against a card', () => import('./trace.js')],
  ['trace', 'registerTraceCommands', 'read recorded traces', () => import('./trace.js')],
  ['scenario', 'registerScenario', 'end-to-end scenarios over emulated cards', () => import('./scenario.js')],
  ['smsc', 'registerSmsc', 'SMPP SMSC in front of emulated cards', () => import('./smsc.js')],
  ['suci', 'registerSuci', 'SUCI conceal and de-conceal (SIDF)', () => import('./suci.js')],
  ['euicc', 'registerEuicc', 'eUICC local profile management (SGP.22 ES10)', () => import('./euicc.js')],
  ['smdp', 'registerSmdp', 'test SM-DP+: ES9+ over HTTPS, profile orders', () => import('./smdp.js')],
  ['saip', 'registerSaip', 'SAIP profile packages: decode, encode', () => import('./saip.js')],
];

export const VERSION = '0.1.0';

function baseProgram(): Command {
  return new Command()
    .name('uicc')
    .description('UICC (SIM/USIM) card emulator and APDU test harness')
    .version(VERSION)
    .showHelpAfterError(false)
    .exitOverride();
}

/**
 * The program with the modules `argv` needs registered: the named command's (also for `help NAME`), or, for
 * the top-level help and unknown names, a one-line entry per command. `all` registers every module.
 */
export async function buildProgram(argv: string[] = [], all = false): Promise<Command> {
  const program = baseProgram();
  const first = argv.find((a) => !a.startsWith('-'));
  const name = first === 'help' ? argv[argv.indexOf('help') + 1] : first;
  const wanted = all ? COMMANDS : COMMANDS.filter((c) => c[0] === name);
  if (wanted.length === 0) {
    for (const [cmd, , help] of COMMANDS) program.command(cmd).description(help);
    return program;
  }
  const done = new Set<Register>();
  for (const [, fn, , load] of wanted) {
    const register = (await load()) as Record<string, Register>;
    if (!done.has(register[fn]!)) register[fn]!(program);
    done.add(register[fn]!);
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    console.error(`uicc: ${(e as Error).message}`);
    if (process.env.UICC_DEBUG) console.error((e as Error).stack);
    return 2;
  }
}
