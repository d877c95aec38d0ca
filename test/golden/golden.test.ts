// Golden transcripts: the examples and the main flows (auth, ota, ltk-update) recorded as JSONL traces and
// committed under test/golden/, compared with a fresh recording by `uicc trace diff` (docs/traces.md). A change
// of card behaviour shows up here, and in review as a diff of the .jsonl file. Host-side randomness (RAND,
// SCP11 ephemeral keys, the SMS time stamp) is covered by test/golden/ignore.yaml, nothing else.
// UPDATE_GOLDEN=1 npx vitest run test/golden  rewrites the transcripts after an intended change.

import { copyFileSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, uiccProcess as uicc } from '../support/cli.js';

const GOLDEN = join(ROOT, 'test', 'golden');
const dir = mkdtempSync(join(tmpdir(), 'uicc-golden-'));
const examples = readdirSync(join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.apdu'))
  .sort()
  .map((f) => `examples/${f}`);

const FLOWS: Record<string, string[]> = {
  examples: ['run', ...examples],
  auth: ['auth'],
  ota: ['ota', '00A40004026F07', '00B0000009'],
  'ltk-update': ['ltk-update', '--profile-id', '0'],
};

describe('golden transcripts', () => {
  for (const [name, args] of Object.entries(FLOWS)) {
    it(`${name}: the card answers as recorded in test/golden/${name}.jsonl`, async () => {
      const fresh = join(dir, `${name}.jsonl`);
      const rec = await uicc(...args, '--trace', fresh);
      expect(rec.code, rec.stdout + rec.stderr).toBe(0);
      const golden = join(GOLDEN, `${name}.jsonl`);
      if (process.env.UPDATE_GOLDEN || !existsSync(golden)) {
        if (process.env.CI) throw new Error(`${golden} is missing; record it with UPDATE_GOLDEN=1`);
        copyFileSync(fresh, golden);
      }
      const diff = await uicc('trace', 'diff', golden, fresh, '--ignore', join(GOLDEN, 'ignore.yaml'));
      expect(diff.code, diff.stdout + diff.stderr).toBe(0);
      expect(diff.stdout).toMatch(/ 0 differences/);
    });
  }
});
