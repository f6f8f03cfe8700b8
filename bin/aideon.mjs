#!/usr/bin/env node
// The `aideon` command. Runs the TypeScript sources through tsx, so no build is needed for the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/main/cli/index.ts');
