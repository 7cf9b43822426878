import type { DestinationStream } from 'pino';

/** A log destination that keeps every line in memory: for tests that assert on what was logged. */
export interface MemoryDestination extends DestinationStream {
  /** Everything written so far, as one string. */
  text(): string;
  /** Every line written so far, parsed. */
  entries(): Array<Record<string, unknown>>;
}

/** Creates an empty MemoryDestination. */
export function createMemoryDestination(): MemoryDestination {
  const chunks: string[] = [];
  return {
    write(chunk: string) {
      chunks.push(chunk);
    },
    text: () => chunks.join(''),
    entries: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
