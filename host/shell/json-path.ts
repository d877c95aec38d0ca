// `--json-path` of update_binary_decoded / update_record_decoded: a dotted path into the decoded value
// (`specific_facilities.ofm`, `$.name`, `plmns[0].mcc`), as pySim-shell takes it.

function segments(path: string): (string | number)[] {
  const p = path.trim().replace(/^\$\.?/, '');
  if (!p) return [];
  const out: (string | number)[] = [];
  for (const part of p.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new Error(`cannot read JSON path "${path}" at "${part}"`);
    if (m[1]) out.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** A copy of `doc` with the element at `path` replaced by `value`. */
export function setJsonPath(doc: unknown, path: string, value: unknown): unknown {
  const segs = segments(path);
  if (segs.length === 0) return value;
  if (doc === undefined)
    throw new Error(`JSON path "${path}" changes a decoded value, but the contents are empty or malformed`);
  const root = structuredClone(doc);
  if (root === null || typeof root !== 'object')
    throw new Error(`JSON path "${path}" needs a decoded object, the contents hold ${JSON.stringify(root)}`);
  let at = root as Record<string | number, unknown>;
  for (const s of segs.slice(0, -1)) {
    const next = at[s];
    if (next === null || typeof next !== 'object') {
      if (next !== undefined) throw new Error(`JSON path "${path}": "${s}" is not an object or list`);
      at[s] = {};
    }
    at = at[s] as Record<string | number, unknown>;
  }
  at[segs[segs.length - 1]!] = value;
  return root;
}

/** A command-line value: JSON when it parses as JSON, the text itself otherwise. */
export function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
