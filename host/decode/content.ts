// File contents in words, for transcripts: delegates to the EF codecs by file id.

import type { Bytes } from '../../card-os/bytes.js';
import { decodeFile } from '../codecs/index.js';

export function contentDecoder(fid: string, data: Bytes): string | undefined {
  const v = decodeFile(fid, data);
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}
