/**
 * A benchmark: one file `bench/<name>.bench.ts` whose default export is this object. The runner
 * (bench/run.ts) discovers the files, runs them, prints their tables and writes their results.
 */
export interface Benchmark {
  /** Matches the file name: `npm run bench -- <name>` runs it. */
  name: string;
  description: string;
  run(context: BenchContext): Promise<BenchOutcome>;
}

export interface BenchContext {
  /** Progress for the person watching (stderr); results go in the outcome. */
  log(message: string): void;
}

/** What a benchmark measured. The runner adds `name` and `ratio` and writes it as JSON. */
export interface BenchOutcome {
  unit: string;
  /** The headline figure. */
  value: number;
  /** The reference measured in the same run (or null when it could not be measured). */
  ceiling: number | null;
  /** The goal, in words. */
  goal: string;
  met: boolean;
  /** Every other figure. */
  details: Record<string, unknown>;
  /** Rows printed as the benchmark's table. */
  table: Array<Record<string, string | number | null>>;
}

/** The file written to bench/results/<name>.json, exactly this shape. */
export interface BenchResult {
  name: string;
  unit: string;
  value: number;
  ceiling: number | null;
  ratio: number | null;
  goal: string;
  met: boolean;
  details: Record<string, unknown>;
}
