// Preload (NODE_OPTIONS="--import .../module-log.js") for tests that check what a CLI command loads: every
// module the process loads is appended to the file named by $UICC_MODULE_LOG, one path or URL a line. ES
// modules are seen by a loader hook (module-log-hooks.js); what `require` loads by a wrapper around
// Module.prototype.require, because Node 20's loader hooks do not see an ES module loaded by `require`
// (card-os/lazy-schema.ts loads zod that way).

import { appendFileSync } from 'node:fs';
import Module, { createRequire, register } from 'node:module';

const log = process.env.UICC_MODULE_LOG;
if (log) {
  register(new URL('./module-log-hooks.js', import.meta.url), { data: { log } });
  const original = Module.prototype.require;
  Module.prototype.require = function require(id) {
    let path = id;
    try {
      path = createRequire(this.filename).resolve(id);
    } catch {
      // Logged as written; the require below reports the error.
    }
    appendFileSync(log, `${path}\n`);
    return original.call(this, id);
  };
}
