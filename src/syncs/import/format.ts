import { PatchbayError } from '../../errors/index.ts';
import type { ImportFormat } from './types.ts';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const CSV_TYPES = new Set(['text/csv', 'application/csv', 'text/comma-separated-values']);

/**
 * The format of an uploaded report, from its file name first and its content type second.
 * The extension wins because browsers label a `.csv` as `application/vnd.ms-excel` on Windows
 * and as `application/octet-stream` elsewhere; the content type decides only for bare names.
 * Anything else (legacy `.xls`, `.numbers`, JSON…) is `import_format_unsupported` (415).
 */
export function detectFormat(filename: string | undefined, contentType: string | undefined): ImportFormat {
  const name = (filename ?? '').trim().toLowerCase();
  const extension = /\.([a-z0-9]+)$/.exec(name)?.[1];
  if (extension === 'csv') return 'csv';
  if (extension === 'xlsx') return 'xlsx';
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (extension === undefined || extension === 'txt') {
    if (CSV_TYPES.has(type)) return 'csv';
    if (type === XLSX_TYPE) return 'xlsx';
  }
  const what = extension ? `.${extension} files` : `files of type ${type || 'unknown'}`;
  const hint = extension === 'xls' ? ' Open it in a spreadsheet app and save it as .xlsx or .csv.' : '';
  throw new PatchbayError(
    'import_format_unsupported',
    `Reports must be CSV (.csv) or Excel (.xlsx) files; ${what} are not supported.${hint}`,
    { details: { filename: name.slice(0, 200) || null, contentType: type || null } },
  );
}
