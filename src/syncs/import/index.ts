/** Report import: CSV and XLSX files streamed through a sync's `import` spec into records. */
export { detectFormat } from './format.ts';
export { type IngestOptions, ingestReport } from './ingest.ts';
export type {
  ImportFormat,
  ImportProgress,
  ImportReport,
  ImportRowError,
  ImportSink,
} from './types.ts';
