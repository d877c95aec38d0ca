// Value schemas (zod) built on first use. Every `uicc run` needs the EF codecs' decoders (the transcript
// decodes what the card answers), but their schemas only when a value a person wrote is validated or
// encoded (profile compile, shell writes, `uicc card show --set`...). zod is about a third of the modules a
// run would load, so the codec modules declare their schemas through `lazySchema` and zod itself is loaded,
// synchronously, the first time one of them is used.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Zod from 'zod';

export type ZodModule = typeof Zod;

let loaded: ZodModule | undefined;

/** Where the package's ES module entry is: the one `import 'zod'` resolves to. */
function zodEntry(): string {
  // Test runners that rewrite `import.meta` may leave out `resolve`; the entry is then read from the
  // package's own `exports` (its "import" condition), which is what `resolve` would pick.
  if (typeof import.meta.resolve === 'function') return fileURLToPath(import.meta.resolve('zod'));
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('zod/package.json');
  const pkg = require(pkgPath) as { exports: { '.': { import: string } } };
  return join(dirname(pkgPath), pkg.exports['.'].import);
}

/**
 * The zod module, loaded on first call. `require` of an ES module (Node >= 20.19 / 22.12, the versions
 * package.json's engines allow) goes through the same module cache as `import`, so this is the very
 * instance every `import * as z from 'zod'` gets: schemas built here and there compose and share zod's
 * configuration (locale, registries).
 */
export function zod(): ZodModule {
  if (!loaded) loaded = createRequire(import.meta.url)(zodEntry()) as ZodModule;
  return loaded;
}

/**
 * A schema that is built (and zod loaded) on its first use. It stands for the built schema everywhere:
 * `.parse`, `.optional()`, as a member of another schema, `instanceof` (zod checks its traits through
 * properties), so callers need not know it is lazy.
 */
export function lazySchema<T extends object>(build: (z: ZodModule) => T): T {
  let built: T | undefined;
  const schema = (): T => {
    built ??= build(zod());
    return built;
  };
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(schema(), key),
    set: (_, key, value) => Reflect.set(schema(), key, value),
    has: (_, key) => Reflect.has(schema(), key),
    ownKeys: () => Reflect.ownKeys(schema()),
    getOwnPropertyDescriptor: (_, key) => {
      const d = Reflect.getOwnPropertyDescriptor(schema(), key);
      // A proxy may only call a property non-configurable if its (empty) target has it so.
      return d && { ...d, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(schema()),
  });
}
