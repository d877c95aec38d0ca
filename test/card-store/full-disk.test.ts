// A full disk or a file size limit must not destroy a card image: the command fails naming the file and
// the previous image stays as it was (the writer checks every write's count, fsyncs, and renames only a
// complete file). Run through the built CLI, as people hit it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileDurably } from '../../card-os/image.js';
import { uiccProcess, uiccWith } from '../support/cli.js';

const WRONG_PIN1 = 'select-usim => 61xx\nverify pin1 39393939 => 63C2\n';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'uicc-fulldisk-'));
  writeFileSync(join(dir, 'wrong.apdu'), WRONG_PIN1);
  writeFileSync(join(dir, 'tries.apdu'), 'select-usim => 61xx\nverify pin1\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function triesLeft(img: string): Promise<string> {
  const r = await uiccProcess('run', '--json', join(dir, 'tries.apdu'), '--card', img);
  expect(r.code, r.stderr).toBe(0);
  const last = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((e) => e.type === 'exchange')
    .at(-1);
  return last.sw;
}

describe('card image writes under a file size limit (ulimit -f)', () => {
  it('a limit below the image size: the answer is kept in the journal, the image is intact, exit non-zero', async () => {
    const img = join(dir, 'limit.img');
    expect((await uiccProcess('card', 'new', '--out', img)).code).toBe(0);
    const before = readFileSync(img);
    // bash's ulimit -f counts 1024-byte blocks: half the image fits, the whole image does not.
    const blocks = Math.floor(before.length / 2048);
    const r = await uiccWith({ shell: `ulimit -f ${blocks}` }, 'run', join(dir, 'wrong.apdu'), '--card', img);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${img}: cannot write card image`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readFileSync(img).equals(before)).toBe(true);
    // The wrong PIN was answered 63C2 and made durable before the answer: it counts at the next run.
    expect(await triesLeft(img)).toBe('63C2');
  });

  it('a limit of 0: nothing can be written, the command fails and the image is unchanged', async () => {
    const img = join(dir, 'zero.img');
    expect((await uiccProcess('card', 'new', '--out', img)).code).toBe(0);
    const before = readFileSync(img);
    const r = await uiccWith({ shell: 'ulimit -f 0' }, 'run', join(dir, 'wrong.apdu'), '--card', img);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(img);
    expect(readFileSync(img).equals(before)).toBe(true);
    expect(await triesLeft(img)).toBe('63C3');
  });
});

// A small tmpfs, mounted by the test (root only): a real ENOSPC, not a simulated one.
const isRoot = process.getuid?.() === 0;
const skipReason = isRoot ? undefined : 'mounting a small tmpfs needs root';
if (skipReason && process.env.CI) throw new Error(`full-disk tests cannot run under CI: ${skipReason}`);

describe.skipIf(!!skipReason)('card image writes on a full file system (tmpfs)', () => {
  let mnt: string;
  beforeAll(() => {
    mnt = mkdtempSync(join(tmpdir(), 'uicc-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', mnt], { timeout: 10_000 });
  });
  afterAll(() => {
    try {
      execFileSync('umount', [mnt], { timeout: 10_000 });
    } finally {
      rmSync(mnt, { recursive: true, force: true });
    }
  });

  /** Fills the file system, leaving about `free` bytes. */
  function fill(free: number): string {
    const f = join(mnt, `filler-${Math.random().toString(36).slice(2)}`);
    const avail = Number(
      execFileSync('df', ['-B1', '--output=avail', mnt], { timeout: 10_000 }).toString().split('\n')[1],
    );
    const n = Math.max(0, avail - free);
    try {
      writeFileSync(f, Buffer.alloc(n));
    } catch {}
    return f;
  }

  it('writeFileDurably: ENOSPC names the file and keeps the old content, no temp file left', () => {
    const f = join(mnt, 'plain.img');
    writeFileDurably(f, 'old content');
    const filler = fill(0);
    expect(() => writeFileDurably(f, Buffer.alloc(64 * 1024, 1))).toThrow(
      `${f}: cannot write card image (ENOSPC)`,
    );
    expect(readFileSync(f, 'utf8')).toBe('old content');
    expect(existsSync(`${f}.tmp-${process.pid}`)).toBe(false);
    rmSync(filler);
  });

  it('uicc run on a full disk exits non-zero naming the image; the image stays intact', async () => {
    const img = join(mnt, 'card.img');
    expect((await uiccProcess('card', 'new', '--out', img)).code).toBe(0);
    const before = readFileSync(img);
    // No room at all: the journal cannot be created, the exchange fails.
    let filler = fill(0);
    let r = await uiccProcess('run', join(dir, 'wrong.apdu'), '--card', img);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(img);
    expect(readFileSync(img).equals(before)).toBe(true);
    rmSync(filler);
    // Room for the journal, not for a second copy of the image: the write is kept, the image intact.
    filler = fill(8192);
    r = await uiccProcess('run', join(dir, 'wrong.apdu'), '--card', img);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${img}: cannot write card image (ENOSPC)`);
    expect(readFileSync(img).equals(before)).toBe(true);
    expect(statSync(`${img}.journal`).size).toBeGreaterThan(24);
    rmSync(filler);
    expect(await triesLeft(img)).toBe('63C2');
  });
});
