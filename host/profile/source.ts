// Reading profile YAML: every scalar is kept as text (failsafe schema) so that hex values such as
// `ref: 81` or `fid: 6F07` and long digit strings never turn into numbers; the schema interprets them.
// A LineCounter maps nodes back to line numbers for error messages.

import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from 'yaml';
import { type PathKey, ProfileError } from './error.js';

export interface ProfileSource {
  file: string;
  /** The document as plain data (strings, lists, maps). */
  data: unknown;
  /** 1-based line of the node at `path`, or of its nearest ancestor present in the source. */
  lineOf(path: readonly PathKey[]): number | undefined;
}

/** Cap on alias expansions (yaml's maxAliasCount): a profile has no need for more. */
const MAX_ALIAS_EXPANSIONS = 1000;

export function parseYaml(text: string, file: string): ProfileSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ProfileError(
      doc.errors.map((e) => ({
        file,
        line: lineCounter.linePos(e.pos[0]).line,
        path: '',
        problem: `YAML: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  const lineAt = (n: Node | null | undefined) =>
    n?.range ? lineCounter.linePos(n.range[0]).line : undefined;
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
  } catch (e) {
    // An alias bomb ("billion laughs"): nested aliases that expand exponentially. Reported at the first
    // alias, since the expansion has no single culprit.
    let line: number | undefined;
    visit(doc, {
      Alias(_, n) {
        line = lineAt(n);
        return visit.BREAK;
      },
    });
    throw new ProfileError([
      {
        file,
        line,
        path: '',
        problem: `YAML: aliases expand too far (more than ${MAX_ALIAS_EXPANSIONS} expansions; ${(e as Error).message.split('\n')[0]})`,
      },
    ]);
  }
  return {
    file,
    data,
    lineOf: (path) => {
      let node: unknown = doc.contents;
      let line = lineAt(doc.contents);
      for (const key of path) {
        if (isAlias(node)) node = node.resolve(doc as Document);
        if (isMap(node)) {
          // A map entry is reported on its key's line.
          const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
          if (!pair) break;
          line = lineAt(pair.key as Node) ?? line;
          node = pair.value;
        } else if (isSeq(node) && typeof key === 'number' && node.items[key]) {
          node = node.items[key];
          line = lineAt(node as Node) ?? line;
        } else break;
      }
      return line;
    },
  };
}
