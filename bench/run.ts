/**
 * `npm run bench [-- <name>…]`: discovers the benchmarks in bench/ (every `*.bench.ts` file whose
 * default export is a Benchmark), runs the named ones or all, prints a table for each, and writes
 * bench/results/<name>.json.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatTable } from './lib/table.ts';
import type { Benchmark, BenchResult } from './lib/types.ts';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const RESULTS_DIR = join(BENCH_DIR, 'results');

async function discover(): Promise<Benchmark[]> {
  const files = readdirSync(BENCH_DIR)
    .filter((file) => file.endsWith('.bench.ts'))
    .sort();
  const benchmarks: Benchmark[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(join(BENCH_DIR, file)).href)) as { default?: Benchmark };
    const benchmark = module.default;
    if (!benchmark || typeof benchmark.run !== 'function' || typeof benchmark.name !== 'string') {
      throw new Error(`${file} must export default { name, description, run() }`);
    }
    if (`${benchmark.name}.bench.ts` !== file) {
      throw new Error(
        `${file} exports the benchmark "${benchmark.name}"; name the file ${benchmark.name}.bench.ts`,
      );
    }
    benchmarks.push(benchmark);
  }
  return benchmarks;
}

async function main(): Promise<number> {
  const all = await discover();
  const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const unknown = wanted.filter((name) => !all.some((b) => b.name === name));
  if (unknown.length > 0) {
    console.error(
      `Unknown benchmark(s): ${unknown.join(', ')}. Available: ${all.map((b) => b.name).join(', ')}`,
    );
    return 2;
  }
  const selected = wanted.length > 0 ? all.filter((b) => wanted.includes(b.name)) : all;
  mkdirSync(RESULTS_DIR, { recursive: true });
  let failed = 0;
  for (const benchmark of selected) {
    console.log(`\n## ${benchmark.name}: ${benchmark.description}\n`);
    try {
      const outcome = await benchmark.run({
        log: (message) => console.error(`  [${benchmark.name}] ${message}`),
      });
      const result: BenchResult = {
        name: benchmark.name,
        unit: outcome.unit,
        value: outcome.value,
        ceiling: outcome.ceiling,
        ratio: outcome.ceiling ? Math.round((outcome.value / outcome.ceiling) * 1000) / 1000 : null,
        goal: outcome.goal,
        met: outcome.met,
        details: outcome.details,
      };
      console.log(formatTable(outcome.table));
      console.log(
        `\n${result.value.toLocaleString('en-US')} ${result.unit}` +
          (result.ceiling === null
            ? ' (no ceiling measured)'
            : ` vs ceiling ${result.ceiling.toLocaleString('en-US')} (ratio ${result.ratio})`) +
          `\ngoal: ${result.goal} — ${result.met ? 'met' : 'NOT met'}`,
      );
      const file = join(RESULTS_DIR, `${benchmark.name}.json`);
      writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
      console.log(`written: ${file}`);
    } catch (error) {
      failed += 1;
      console.error(`${benchmark.name} failed: ${(error as Error).stack ?? error}`);
    }
  }
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
