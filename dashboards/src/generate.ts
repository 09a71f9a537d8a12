// `node --import tsx dashboards/src/generate.ts`: writes dashboards/*.json.
// The test in test/dashboards/ fails when the committed files differ from this output.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderDashboards } from './catalog.js';

const dir = fileURLToPath(new URL('..', import.meta.url));
for (const { file, text } of renderDashboards()) {
  writeFileSync(dir + file, text);
  process.stdout.write(`wrote dashboards/${file}\n`);
}
