/**
 * `POST /v1/connections/:id/syncs/:sync/import`: upload a report (CSV or XLSX) for a sync that
 * imports reports. The body is multipart/form-data with one file field, `file`; the file is
 * streamed into the sync run as it arrives, never held whole in memory or written to disk.
 */
import { type Readable, Transform } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PatchbayError } from '../../errors/index.ts';
import { parseId } from '../../ids/index.ts';
import {
  detectFormat,
  type ImportFormat,
  type ImportProgress,
  type ImportReport,
} from '../../syncs/import/index.ts';
import { requireAuth } from '../core/request-auth.ts';
import type { RouteModule } from '../core/routes.ts';

/** What the upload hands the sync runner. */
export interface ImportUpload {
  /** The file's bytes as they arrive; errors with `payload_too_large` past the size limit. */
  stream: Readable;
  filename: string;
  format: ImportFormat;
  onProgress?: (progress: ImportProgress) => void;
}

/** What a finished import run answers. */
export interface ImportResult {
  runId: string;
  report: ImportReport;
  added: number;
  updated: number;
  unchanged: number;
}

/** Runs a sync's import on an uploaded report (the sync runner, which calls `ingestReport`). */
export type ImportReportFn = (
  environmentId: string,
  connectionId: string,
  syncName: string,
  upload: ImportUpload,
) => Promise<ImportResult>;

export interface ImportRoutesOptions {
  importReport: ImportReportFn;
  /** Largest file accepted, bytes. Default 100 MB. */
  maxFileSize?: number;
}

/** 100 MB: a year of daily KDP rows for a large catalog is a few MB; this leaves room. */
export const DEFAULT_MAX_IMPORT_FILE_SIZE = 100 * 1024 * 1024;

const FIELD = 'file';

/** The report upload route, as a module for `buildApi({ routes })`. */
export function importRoutes(options: ImportRoutesOptions): RouteModule {
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_IMPORT_FILE_SIZE;
  return {
    name: 'imports',
    async register(app: FastifyInstance) {
      // This scope is encapsulated: the API's other routes keep their JSON-only parsing. Here
      // multipart bodies are streamed by the handler, and any other type reaches it unread so
      // it can answer a 415 that says what to send.
      app.removeAllContentTypeParsers();
      app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
      await app.register(multipart, {
        limits: { fileSize: maxFileSize, files: 1, fields: 20, parts: 21 },
      });
      app.post(
        '/v1/connections/:id/syncs/:sync/import',
        {
          config: { auth: 'apiKey' },
          schema: {
            summary: "Import a report into a connection's sync",
            description: `Upload a CSV or XLSX report as \`multipart/form-data\` with the file in the field \`${FIELD}\` (at most ${size(maxFileSize)}). The sync must import reports (such as Amazon KDP \`royalties\`). The file is validated row by row: the answer counts valid and invalid rows, lists the first 1,000 row errors with their line numbers, and counts the records added, updated and unchanged.`,
            tags: ['Syncs'],
            security: [{ bearerAuth: [] }],
            consumes: ['multipart/form-data'],
          },
        },
        (request, reply) => handle(options.importReport, maxFileSize, request, reply),
      );
    },
  };
}

async function handle(
  importReport: ImportReportFn,
  maxFileSize: number,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<ImportResult> {
  const auth = requireAuth(request);
  const params = request.params as { id: string; sync: string };
  const connectionId = parseId('connection', params.id);
  if (!request.isMultipart()) {
    throw new PatchbayError(
      'unsupported_media_type',
      `Send the report as multipart/form-data with the file in the field "${FIELD}" (curl -F ${FIELD}=@report.csv)`,
    );
  }
  const part = await request.file().catch((error: unknown) => {
    throw uploadError(error, maxFileSize);
  });
  if (!part || part.fieldname !== FIELD) {
    part?.file.resume();
    throw new PatchbayError(
      'import_file_missing',
      `No file in the field "${FIELD}": send the report as multipart/form-data, e.g. curl -F ${FIELD}=@report.csv`,
    );
  }
  let format: ImportFormat;
  try {
    format = detectFormat(part.filename, part.mimetype);
  } catch (error) {
    part.file.resume();
    throw error;
  }
  // busboy ends a file past the size limit quietly (marking it truncated): the stream the
  // importer reads fails instead, so a cut-off report is never taken for a complete one.
  const file = part.file;
  const stream = new Transform({
    transform(chunk, _encoding, callback) {
      callback(null, chunk);
    },
    flush(callback) {
      callback(file.truncated ? tooLarge(maxFileSize) : null);
    },
  });
  file.on('limit', () => {
    file.unpipe(stream);
    file.resume();
    stream.destroy(tooLarge(maxFileSize));
  });
  file.on('error', (error) => stream.destroy(uploadError(error, maxFileSize)));
  file.pipe(stream);
  const result = await importReport(auth.environment.id, connectionId, params.sync, {
    stream,
    filename: part.filename,
    format,
  });
  reply.code(200);
  return result;
}

function tooLarge(maxFileSize: number): PatchbayError {
  return new PatchbayError(
    'payload_too_large',
    `The file is larger than the ${size(maxFileSize)} limit; split the report by date range`,
  );
}

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.round(bytes / 1024)} KB`;
}

/** A multipart parsing failure as the API's error model. */
function uploadError(error: unknown, maxFileSize: number): PatchbayError {
  const code = (error as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(maxFileSize);
  if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return new PatchbayError('invalid_request', `Send one file, in the field "${FIELD}", and nothing else`, {
      cause: error,
    });
  }
  if (error instanceof PatchbayError) return error;
  return new PatchbayError('invalid_request', 'The multipart body could not be read; send it again', {
    cause: error,
  });
}
