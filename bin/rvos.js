#!/usr/bin/env node
// rvos is TypeScript run through tsx's loader: no build step, and third-party plugins may ship .ts.
import { register } from 'tsx/esm/api';
import { execute } from '@oclif/core';

register();
await execute({ dir: import.meta.url });
