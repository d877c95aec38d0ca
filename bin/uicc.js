#!/usr/bin/env node
// Runs the built CLI (npm run build). Kept tiny so a command starts fast.
import { main } from '../dist/host/cli/main.js';

main(process.argv.slice(2)).then((code) => process.exit(code));
