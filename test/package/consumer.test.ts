// The package as another project gets it: `npm pack` of the build, installed from the tarball into a copy of
// examples/consumer (not a relative import), then that project's strict type check, its vitest suite against
// the public API, and APDU scripts through the installed `uicc` binary (its own and the packaged examples).
// Dependencies come from the npm registry or its local cache; the run takes a minute or two on 2 cores.

import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'uicc-consumer-'));
const app = join(work, 'consumer');

// The nested npm and vitest must not see this vitest's worker settings.
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS' && k !== 'TEST',
  ),
);
env.UICC_CACHE_DIR = join(work, 'cache');
env.NO_COLOR = '1';

async function sh(cmd: string, args: string[], cwd: string, timeout = 120_000) {
  try {
    return await run(cmd, args, { cwd, env, timeout, maxBuffer: 16 << 20 });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${x.message}\n${x.stdout ?? ''}\n${x.stderr ?? ''}`);
  }
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('examples/consumer against the packed package', () => {
  it('installs the tarball, type-checks strictly, passes its suite and runs scripts through the binary', async () => {
    expect(existsSync(join(ROOT, 'dist', 'api', 'index.d.ts')), 'npm test builds dist/ first').toBe(true);
    // The build is current (npm test builds); --ignore-scripts skips a second build by prepack.
    await sh('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], ROOT);
    const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tgz).toBeDefined();
    cpSync(join(ROOT, 'examples', 'consumer'), app, {
      recursive: true,
      filter: (s) => !s.includes('node_modules') && !s.endsWith('report.xml'),
    });
    await sh(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, tgz!)],
      app,
      480_000,
    );
    expect(existsSync(join(app, 'node_modules', 'uicc', 'dist', 'profile-cache'))).toBe(true);

    await sh('npx', ['tsc', '--noEmit', '-p', '.'], app);
    const suite = await sh('npx', ['vitest', 'run'], app);
    expect(suite.stdout).toMatch(/Tests\s+\d+ passed/);
    expect(suite.stdout).not.toMatch(/failed|skipped/);

    const own = await sh('npx', ['uicc', 'run', '--junit', 'report.xml', 'scripts/read-imsi.apdu'], app);
    expect(own.stdout).toContain('0 failed');
    const examples = readdirSync(join(app, 'node_modules', 'uicc', 'examples')).map(
      (f) => `node_modules/uicc/examples/${f}`,
    );
    expect(examples.length).toBeGreaterThanOrEqual(3);
    const packaged = await sh('npx', ['uicc', 'run', ...examples], app);
    expect(packaged.stdout).toContain(', 0 failed');
    expect((await sh('npx', ['uicc', '--version'], app)).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  }, 900_000);
});
