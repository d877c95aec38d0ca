// Trace files by name: the extension picks the format (.jsonl transcript, .pcap for Wireshark).

import { extname } from 'node:path';
import type { Bytes } from '../../card-os/bytes.js';
import type { Transport } from '../transport/transport.js';
import { jsonlFileSink } from './jsonl.js';
import { pcapFileSink } from './pcap.js';
import { type RecorderOptions, TraceRecorder, type TraceSink, tracingTransport } from './recorder.js';

export function traceSinkFor(path: string): TraceSink {
  switch (extname(path).toLowerCase()) {
    case '.jsonl':
    case '.ndjson':
      return jsonlFileSink(path);
    case '.pcap':
      return pcapFileSink(path);
    default:
      throw new Error(
        `${path}: a trace file ends in .jsonl (transcript, for replay and show) or .pcap (Wireshark)`,
      );
  }
}

/** A recorder writing to every file in `paths` (formats by extension). */
export function openRecorder(paths: readonly string[], meta: Omit<RecorderOptions, 'sinks'>): TraceRecorder {
  return new TraceRecorder({ ...meta, sinks: paths.map(traceSinkFor) });
}

export interface TraceOpts {
  /** Trace files (`--trace FILE`, repeatable). */
  trace?: string[];
}

export interface Traced {
  transport: Transport;
  /** Present when tracing: add notes or ignore rules to the trace through it. */
  recorder?: TraceRecorder;
}

/**
 * Wraps `transport` in a recorder when `--trace` was given. Closing the returned transport writes the
 * rest of the trace and closes the files.
 */
export function withTrace(
  transport: Transport,
  opts: TraceOpts,
  meta: { tool?: string; profile?: string; atr?: Bytes } = {},
): Traced {
  if (!opts.trace?.length) return { transport };
  let recorder: TraceRecorder;
  try {
    recorder = openRecorder(opts.trace, {
      transport: transport.name,
      atr: meta.atr ?? transport.atr(),
      tool: meta.tool,
      profile: meta.profile,
    });
  } catch (e) {
    // A trace file that cannot be created must not leave a reader claimed.
    transport.close().catch(() => {});
    throw e;
  }
  return { transport: tracingTransport(transport, recorder), recorder };
}
