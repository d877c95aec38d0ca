// Drives `uicc shell` through a real pseudo-terminal: a tmux server on a private socket runs the built CLI,
// keys go in with `send-keys` (Tab included), and the screen comes back with `capture-pane`. Every tmux call
// has a timeout; stop() kills the server (and with it the shell).

import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ProcessResult, ROOT, uiccProcess } from './cli.js';

const run = promisify(execFile);

export interface PtyShell {
  /** Types text (no Enter). */
  type(text: string): Promise<void>;
  /** Sends tmux key names: 'Tab', 'Enter', 'C-c'. */
  keys(...names: string[]): Promise<void>;
  /** Types a line and presses Enter. */
  line(text: string): Promise<void>;
  /** The whole pane (history included, wrapped lines joined). */
  screen(): Promise<string>;
  /** Waits until the screen matches; returns it. Fails with the screen after `ms`. */
  waitFor(re: RegExp, ms?: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startPtyShell(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<PtyShell> {
  const sock = join(dir, 'tmux.sock');
  const tmux = (...a: string[]) => run('tmux', ['-S', sock, ...a], { timeout: 10_000 });
  const envArgs = Object.entries({ NO_COLOR: '1', UICC_HISTORY: join(dir, 'history'), ...env }).map(
    ([k, v]) => `${k}=${v}`,
  );
  await tmux(
    '-f',
    '/dev/null',
    'new-session',
    '-d',
    '-s',
    'uicc',
    '-x',
    '250',
    '-y',
    '50',
    '-c',
    ROOT,
    'env',
    ...envArgs,
    'node',
    join(ROOT, 'bin', 'uicc.js'),
    'shell',
    ...args,
  );
  await tmux('set-option', '-t', 'uicc', 'history-limit', '50000');
  const screen = async () => (await tmux('capture-pane', '-t', 'uicc', '-p', '-J', '-S', '-')).stdout;
  const self: PtyShell = {
    type: async (text) => void (await tmux('send-keys', '-t', 'uicc', '-l', text)),
    keys: async (...names) => void (await tmux('send-keys', '-t', 'uicc', ...names)),
    line: async (text) => {
      await self.type(text);
      await self.keys('Enter');
    },
    screen,
    waitFor: async (re, ms = 20_000) => {
      const end = Date.now() + ms;
      let last = '';
      while (Date.now() < end) {
        try {
          last = await screen();
        } catch {
          // the session ended (the shell exited): keep the last screen
        }
        if (re.test(last)) return last;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${re} on the shell's screen:\n${last}`);
    },
    stop: async () => {
      await tmux('kill-server').catch(() => undefined);
    },
  };
  return self;
}

/** Waits until the last line on the screen is the prompt of `path` (e.g. MF/ADF.USIM>). */
export async function waitForPrompt(sh: PtyShell, path: string, ms = 20_000): Promise<string> {
  const esc = path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return sh.waitFor(new RegExp(`(^|\\n)${esc}>\\s*$`), ms);
}

/**
 * The shell session the issue asks for, typed as a person would: Tab completion of a command and of a file
 * name, the path in the prompt, decoded reads, a decoded write, and an export to `exportFile`.
 */
export async function pySimStyleSession(sh: PtyShell, exportFile: string, ms = 20_000): Promise<string> {
  await waitForPrompt(sh, 'MF', ms);
  await sh.type('sel');
  await sh.keys('Tab');
  await sh.waitFor(/\nMF> select\s*$/, ms);
  await sh.line(' ADF.USIM');
  await waitForPrompt(sh, 'MF/ADF.USIM', ms);
  await sh.line('verify_chv 1234');
  await sh.waitFor(/CHV verification successful/, ms);
  await sh.type('select EF.IM');
  await sh.keys('Tab');
  await sh.waitFor(/\nMF\/ADF\.USIM> select EF\.IMSI\s*$/, ms);
  await sh.keys('Enter');
  await waitForPrompt(sh, 'MF/ADF.USIM/EF.IMSI', ms);
  await sh.line('read_binary_decoded');
  await sh.waitFor(/\n"001010123456789"\n/, ms);
  await sh.line('verify_adm 12345678');
  await sh.waitFor(/ADM verification successful/, ms);
  await sh.line('select ..');
  await waitForPrompt(sh, 'MF/ADF.USIM', ms);
  await sh.line('select EF.SPN');
  await waitForPrompt(sh, 'MF/ADF.USIM/EF.SPN', ms);
  await sh.line('read_binary_decoded');
  await sh.waitFor(/"name": "uicc test"/, ms);
  await sh.line('update_binary_decoded --json-path name "PTY Net"');
  await sh.line('read_binary_decoded');
  await sh.waitFor(/"name": "PTY Net"/, ms);
  await sh.line('select /');
  await waitForPrompt(sh, 'MF', ms);
  await sh.line(`export --filename ${exportFile}`);
  await sh.waitFor(/exported MF to /, ms * 3);
  const screen = await sh.screen();
  await sh.line('exit');
  return screen;
}

/** Runs shell lines without a terminal (stdin piped); returns stdout. Killed after 30 s. */
export async function pipedShell(dir: string, args: string[], lines: string[]): Promise<string> {
  const p = spawn('node', [join(ROOT, 'bin', 'uicc.js'), 'shell', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', UICC_HISTORY: join(dir, 'piped-history') },
    timeout: 30_000,
  });
  let out = '';
  p.stdout.on('data', (d) => {
    out += d;
  });
  p.stdin.end(`${lines.join('\n')}\n`);
  await new Promise((r) => p.once('close', r));
  return out;
}

/**
 * Runs an `export` script through `uicc run` on a fresh card image (PIN1/ADM1 as the default profile's), then
 * reads EF.SPN back through the shell: what the export tests check.
 */
export async function replayExportOnFreshCard(
  dir: string,
  exported: string,
): Promise<{ run: ProcessResult; spn: string }> {
  const fresh = join(dir, 'fresh.json');
  const run = await uiccProcess(
    'run',
    '--set',
    'PIN1=1234',
    '--set',
    'ADM1=12345678',
    '--card',
    fresh,
    exported,
  );
  const spn = await pipedShell(
    dir,
    ['--card', fresh],
    ['select ADF.USIM', 'select EF.SPN', 'read_binary_decoded', 'exit'],
  );
  return { run, spn };
}
