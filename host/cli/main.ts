// The `uicc` command line. Each subcommand lives in its own module; this file wires them to commander
// and turns errors into one readable line (no stack traces for people).

import { Command, CommanderError } from 'commander';
import { registerAuth } from './auth.js';
import { registerCardCommands } from './card-commands.js';
import { registerEuicc } from './euicc.js';
import { registerLtkUpdate } from './ltk-update.js';
import { registerOta } from './ota.js';
import { registerReaders } from './readers.js';
import { registerRun } from './run.js';
import { registerScenario } from './scenario.js';
import { registerServe } from './serve.js';
import { registerShell } from './shell.js';
import { registerTraceCommands } from './trace.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('uicc')
    .description('UICC (SIM/USIM) card emulator and APDU test harness')
    .version('0.1.0')
    .showHelpAfterError(false)
    .exitOverride();
  registerRun(program);
  registerShell(program);
  registerAuth(program);
  registerOta(program);
  registerLtkUpdate(program);
  registerServe(program);
  registerReaders(program);
  registerCardCommands(program);
  registerTraceCommands(program);
  registerScenario(program);
  registerEuicc(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    console.error(`uicc: ${(e as Error).message}`);
    if (process.env.UICC_DEBUG) console.error((e as Error).stack);
    return 2;
  }
}
