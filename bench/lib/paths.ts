// Where the benchmark files and the repository live.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchLibDir = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(benchLibDir, '..', '..');
export const competitorsDir = join(repoRoot, 'bench', 'competitors');
export const nodeModulesDir = join(repoRoot, 'node_modules');
