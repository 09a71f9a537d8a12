#!/usr/bin/env node
// After tsc: make the bin executable, and precompute every command's help
// (dist/cli/help.json) so `faultline --help`/`help [command]` answer without
// loading commander (cli/fastPath.ts). The texts come from the built program
// itself, so they are what commander would print.
import { chmodSync, existsSync, writeFileSync } from 'node:fs';

const bin = new URL('../dist/cli/bin.js', import.meta.url);
if (existsSync(bin)) chmodSync(bin, 0o755);

const programUrl = new URL('../dist/cli/program.js', import.meta.url);
if (existsSync(programUrl)) {
  const { buildProgram, runCli } = await import(programUrl.href);
  const { HELP_WIDTH } = await import(new URL('../dist/cli/fastPath.js', import.meta.url).href);
  const quiet = { write: () => true };
  const paths = (cmd, prefix = []) =>
    cmd.commands
      .filter((sub) => sub.name() !== 'help')
      .flatMap((sub) => [[...prefix, sub.name()], ...paths(sub, [...prefix, sub.name()])]);
  const program = buildProgram({ stdout: quiet, stderr: quiet, env: {}, exitCode: 0 });
  const texts = {};
  for (const path of [[], ...paths(program)]) {
    const chunks = [];
    const out = { isTTY: false, write: (s) => chunks.push(s) };
    const code = await runCli([...path, '--help'], { stdout: out, stderr: quiet, env: {} });
    if (code !== 0) throw new Error(`faultline ${path.join(' ')} --help exited ${code}`);
    texts[path.join(' ')] = chunks.join('');
  }
  writeFileSync(new URL('../dist/cli/help.json', import.meta.url), JSON.stringify({ version: program.version(), width: HELP_WIDTH, texts }));
}
