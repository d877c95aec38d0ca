// Tab completion for `uicc shell`: command names for the first word; for `select`, the names and FIDs of the
// files reachable from the current DF (and, after a '/', of the DF the path leads to).

import { fidHex, type ShellNode } from './file-tree.js';
import { resolveFile, type ShellContext, selectables } from './session.js';

const FILE_ARG = new Set(['select']);

function fileWords(nodes: ShellNode[]): string[] {
  return [...new Set(nodes.flatMap((n) => [n.name, fidHex(n.fid)]))];
}

/** readline completer result: candidates and the word they complete. */
export function complete(ctx: ShellContext, line: string, commands: string[]): [string[], string] {
  const m = /(\S*)$/.exec(line)!;
  const word = m[1]!;
  const before = line.slice(0, line.length - word.length).trim();
  const starts = (c: string) => c.toLowerCase().startsWith(word.toLowerCase());
  if (!before) return [commands.filter(starts).sort(), word];
  const cmd = before.split(/\s+/)[0]!.toLowerCase();
  if (!FILE_ARG.has(cmd) || before.includes(' ')) return [[], word];
  const slash = word.lastIndexOf('/');
  if (slash >= 0) {
    const dirPart = word.slice(0, slash + 1);
    const last = word.slice(slash + 1);
    let df: ShellNode;
    try {
      df = dirPart === '/' ? ctx.root : resolveFile(ctx, dirPart.replace(/\/$/, ''));
    } catch {
      return [[], word];
    }
    const hits = fileWords(df.children)
      .filter((c) => c.toLowerCase().startsWith(last.toLowerCase()))
      .map((c) => dirPart + c);
    return [hits.sort(), word];
  }
  const words = ['..', '/', ...fileWords(selectables(ctx))];
  return [words.filter(starts).sort(), word];
}
