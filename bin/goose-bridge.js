#!/usr/bin/env node
// The published entry point: registers tsx so the TypeScript sources run as they are
// (no build step between `npm ci` and `npx goose-bridge`), then hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
