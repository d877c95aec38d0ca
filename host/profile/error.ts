// Errors in a profile: each names the file, the line, the place inside the profile (a readable path such
// as `mf.adf[USIM].files[EF.IMSI].size`) and what is wrong. The message never holds a key value.

export type PathKey = string | number;

export interface ProfileIssue {
  file: string;
  /** 1-based line, when the place could be found in the source. */
  line?: number;
  /** Readable path inside the profile ("" for the whole document). */
  path: string;
  problem: string;
}

export function formatIssue(i: ProfileIssue): string {
  return `${i.file}${i.line ? `:${i.line}` : ''}: ${i.path ? `${i.path}: ` : ''}${i.problem}`;
}

/** A profile that cannot be used. The first issue is also given as file/line/path/problem. */
export class ProfileError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly path: string;
  readonly problem: string;
  /** Every problem found, in source order. */
  readonly issues: readonly ProfileIssue[];

  constructor(issues: readonly ProfileIssue[]) {
    const sorted = [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    const first = sorted[0] ?? { file: '<profile>', path: '', problem: 'unknown problem' };
    super(sorted.map(formatIssue).join('\n'));
    this.name = 'ProfileError';
    this.file = first.file;
    if (first.line !== undefined) this.line = first.line;
    this.path = first.path;
    this.problem = first.problem;
    this.issues = sorted;
  }
}

/** Keys whose list items are records: they are labelled "record n" (1-based, as the card numbers them). */
const RECORD_LISTS = new Set(['records', 'rules', 'dir', 'msisdn', 'ecc']);

function labelOf(item: unknown): string | undefined {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return undefined;
  const o = item as Record<string, unknown>;
  for (const k of ['name', 'ref', 'kvn', 'tar']) {
    const v = o[k];
    if (typeof v === 'string' && v.trim()) return v.trim();
    if (typeof v === 'number') return String(v);
  }
  return undefined;
}

/**
 * Readable form of a path into the document `root` (the parsed YAML): list items are labelled by their
 * name (or ref / kvn / tar) when they have one, `record n` in record lists, and their index otherwise.
 */
export function describePath(root: unknown, path: readonly PathKey[]): string {
  let out = '';
  let node: unknown = root;
  let parentKey: PathKey | undefined;
  for (const key of path) {
    const child = node && typeof node === 'object' ? (node as Record<PathKey, unknown>)[key] : undefined;
    if (typeof key === 'number') {
      const label =
        typeof parentKey === 'string' && RECORD_LISTS.has(parentKey)
          ? `record ${key + 1}`
          : (labelOf(child) ?? key);
      out += `[${label}]`;
    } else out += out ? `.${key}` : key;
    parentKey = key;
    node = child;
  }
  return out;
}
