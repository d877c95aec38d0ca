// Loading profiles: YAML text -> validated document -> CardSpec. Every problem is reported as a
// ProfileError naming the file, line, place and reason, e.g.
//   profiles/x.yaml:42: mf.adf[USIM].files[EF.IMSI].size: 8 is too small for the contents (9 bytes)

import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as z from 'zod';
import { readInputFile } from '../input-file.js';
import { type CompiledProfile, CompileIssues, compileDocument } from './compile.js';
import { describePath, type PathKey, ProfileError, type ProfileIssue } from './error.js';
import { type ProfileDoc, profileSchema } from './schema.js';
import { type ProfileSource, parseYaml } from './source.js';

export type { OtaProfile, SecurityDomainProfile, SubscriberProfile } from './applets.js';
export type { CompiledProfile } from './compile.js';
export { describeProfile } from './describe.js';
export { ProfileError, type ProfileIssue } from './error.js';
export type { ProfileDoc } from './schema.js';

function kind(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'nothing';
  return typeof v === 'object' ? 'a map' : `"${String(v)}"`;
}

function zodProblem(i: z.core.$ZodIssue): { path: PathKey[]; problem: string }[] {
  const path = i.path as PathKey[];
  if (i.code === 'unrecognized_keys')
    return i.keys.map((k) => ({ path: [...path, k], problem: `unknown key "${k}"` }));
  if (i.code === 'invalid_type') {
    const problem =
      i.input === undefined
        ? 'is required'
        : `expected ${i.expected === 'object' ? 'a map' : i.expected}, got ${kind(i.input)}`;
    return [{ path, problem }];
  }
  return [{ path, problem: i.message }];
}

function issuesAt(src: ProfileSource, list: { path: PathKey[]; problem: string }[]): ProfileIssue[] {
  return list.map(({ path, problem }) => {
    const issue: ProfileIssue = { file: src.file, path: describePath(src.data, path), problem };
    const line = src.lineOf(path);
    if (line !== undefined) issue.line = line;
    return issue;
  });
}

/**
 * Compiles a validated profile document. `source` (from parseProfileText) lets errors carry the file and
 * line; without it they carry the path only.
 */
export function compileProfile(doc: ProfileDoc, source?: ProfileSource): CompiledProfile {
  try {
    return compileDocument(doc);
  } catch (e) {
    if (!(e instanceof CompileIssues)) throw e;
    const src: ProfileSource = source ?? { file: '<profile>', data: doc, lineOf: () => undefined };
    throw new ProfileError(issuesAt(src, e.issues));
  }
}

/** Parses, validates and compiles profile YAML. `file` is the name used in error messages. */
export function parseProfileText(text: string, file: string): CompiledProfile {
  const src = parseYaml(text, file);
  const r = profileSchema.safeParse(src.data, { reportInput: true });
  if (!r.success) throw new ProfileError(issuesAt(src, r.error.issues.flatMap(zodProblem)));
  return compileProfile(r.data, src);
}

/** Parses a YAML (or JSON) side file with a schema, with the same file:line errors as a profile. */
export function parseYamlWith<T>(text: string, file: string, schema: z.ZodType<T>): T {
  const src = parseYaml(text, file);
  const r = schema.safeParse(src.data, { reportInput: true });
  if (!r.success) throw new ProfileError(issuesAt(src, r.error.issues.flatMap(zodProblem)));
  return r.data;
}

export function loadProfile(path: string): CompiledProfile {
  let text: string;
  try {
    text = readInputFile(path, 'the profile');
  } catch (e) {
    const problem = (e as Error).message.replace(`${path}: `, '');
    throw new ProfileError([{ file: path, path: '', problem }]);
  }
  return parseProfileText(text, path);
}

/** profiles/default-usim.yaml of the project, found from this module whether it runs from source or dist/. */
export function defaultProfileFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const f = join(dir, 'profiles', 'default-usim.yaml');
    if (existsSync(f)) return f;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find profiles/default-usim.yaml');
    dir = up;
  }
}

export function loadDefaultProfile(): CompiledProfile {
  const file = defaultProfileFile();
  const shown = relative(process.cwd(), file);
  return loadProfile(shown.startsWith('..') || isAbsolute(shown) ? file : shown);
}
