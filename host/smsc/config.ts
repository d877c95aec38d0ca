// The SMSC's configuration file (YAML or JSON): the ESME accounts allowed to bind, the system_id it
// answers with, the first MSISDN of a fleet made from a profile, the cards that start powered off, how long
// a message waits for a card that is off, and the queue limit.
//
//   systemId: uicc-smsc
//   accounts:
//     - { systemId: esme1, password: secret }
//   firstMsisdn: "999010000000"
//   poweredOff: ["999010000002"]
//   retrySeconds: 60
//   maxQueued: 100000

import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { DEFAULT_CONFIG, type SmscConfig } from './smsc.js';

const schema = z
  .object({
    systemId: z.string().min(1).max(15).optional(),
    accounts: z
      .array(
        z
          .object({
            // SMPP v3.4 §4.1.1: system_id at most 16 octets and password at most 9, each with its NUL.
            systemId: z.string().min(1).max(15),
            password: z.string().max(8),
          })
          .strict(),
      )
      .min(1)
      .optional(),
    firstMsisdn: z
      .string()
      .regex(/^[0-9]{1,20}$/, 'digits only, at most 20')
      .optional(),
    poweredOff: z.array(z.string().regex(/^[0-9]{1,20}$/, 'digits only')).optional(),
    retrySeconds: z.number().positive().optional(),
    maxQueued: z.number().int().positive().optional(),
  })
  .strict();

export interface SmscFileConfig extends SmscConfig {
  firstMsisdn: string;
  poweredOff: string[];
}

export const DEFAULT_FIRST_MSISDN = '999010000000';

/** Reads the config file; errors say file:line and what is wrong. */
export function loadSmscConfig(path: string | undefined): SmscFileConfig {
  const base: SmscFileConfig = { ...DEFAULT_CONFIG, firstMsisdn: DEFAULT_FIRST_MSISDN, poweredOff: [] };
  if (!path) return base;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read SMSC config (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new Error(`${path}:${e.linePos?.[0].line ?? 1}: ${e.message.split('\n')[0]}`);
  }
  const r = schema.safeParse(doc.toJS() ?? {});
  if (!r.success) {
    const i = r.error.issues[0]!;
    const node = doc.getIn(i.path as (string | number)[], true) as { range?: [number] } | undefined;
    const line = node?.range ? lines.linePos(node.range[0]).line : 1;
    throw new Error(`${path}:${line}: ${i.path.join('.') || 'config'}: ${i.message}`);
  }
  const c = r.data;
  return {
    systemId: c.systemId ?? base.systemId,
    accounts: c.accounts ?? base.accounts,
    retryForMs: c.retrySeconds !== undefined ? c.retrySeconds * 1000 : base.retryForMs,
    maxQueued: c.maxQueued ?? base.maxQueued,
    firstMsisdn: c.firstMsisdn ?? base.firstMsisdn,
    poweredOff: c.poweredOff ?? [],
  };
}
