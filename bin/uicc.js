#!/usr/bin/env node
// Runs the built CLI (npm run build). Kept tiny so a command starts fast; subcommands load on use.
import module from 'node:module';

// Node 22.1+ keeps compiled code of the modules between runs (a no-op on Node 20, which lacks it).
module.enableCompileCache?.();
const { main } = await import('../dist/host/cli/main.js');
main(process.argv.slice(2)).then((code) => process.exit(code));
