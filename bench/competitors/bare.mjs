// Baseline: the function's handler with no instrumentation at all.
import { loadUserHandler } from './userHandler.mjs';

export const handler = loadUserHandler();
