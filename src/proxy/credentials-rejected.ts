/**
 * The definition's `proxy.credentialsRejected` rule: whether a provider's answer says that the
 * connection's credentials themselves are no longer valid (Graph's 400 with `error.code` 190),
 * as opposed to a request the provider refused for another reason.
 *
 * Only answers with one of the rule's statuses are looked into, and only their first
 * INSPECTED_BYTES: error bodies are small, and a large one cannot be the short error object the
 * rule describes. The bytes read are handed on, so the caller still gets the whole body.
 */
import type { CredentialsRejected } from '../catalog/index.ts';
import { isObject, scalarText, valueAt } from '../values/path.ts';
import type { ProviderResponse } from './types.ts';

/** How much of an answer's body is read to match the rule. */
export const INSPECTED_BYTES = 64 * 1024;

export interface Inspected {
  /** True when the answer matches the rule. */
  rejected: boolean;
  /** The answer to hand on: `response` itself, or a copy whose body replays what was read. */
  response: ProviderResponse;
}

/** Matches `response` against `rule`; reads its body only when the status matches and the rule looks inside. */
export async function inspectRejection(
  rule: CredentialsRejected | undefined,
  response: ProviderResponse,
): Promise<Inspected> {
  if (rule === undefined || !rule.status.includes(response.status)) return { rejected: false, response };
  if (rule.path === undefined || rule.values === undefined) return { rejected: true, response };
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > INSPECTED_BYTES) return { rejected: false, response };
  const { head, complete, rest } = await readHead(response.body, INSPECTED_BYTES);
  const replay = withBody(response, replayStream(head, rest));
  if (!complete) return { rejected: false, response: replay };
  const value = scalarText(valueAt(parseObject(head), rule.path));
  const rejected = value !== undefined && rule.values.some((expected) => String(expected) === value);
  return { rejected, response: replay };
}

function parseObject(chunks: Uint8Array[]): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * Reads chunks until the body ends (`complete`) or more than `limit` bytes arrived; `rest` is
 * the reader still holding what was not read.
 */
async function readHead(
  body: ReadableStream<Uint8Array>,
  limit: number,
): Promise<{ head: Uint8Array[]; complete: boolean; rest: ReadableStreamDefaultReader<Uint8Array> }> {
  const reader = body.getReader();
  const head: Uint8Array[] = [];
  let size = 0;
  while (size <= limit) {
    const { done, value } = await reader.read();
    if (done) return { head, complete: true, rest: reader };
    head.push(value);
    size += value.byteLength;
  }
  return { head, complete: false, rest: reader };
}

/** The chunks already read, then whatever the reader still has. */
function replayStream(
  head: Uint8Array[],
  rest: ReadableStreamDefaultReader<Uint8Array>,
): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = head[index];
      if (chunk !== undefined) {
        index++;
        controller.enqueue(chunk);
        return;
      }
      try {
        const { done, value } = await rest.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
      }
    },
    cancel(reason) {
      return rest.cancel(reason);
    },
  });
}

function withBody(response: ProviderResponse, body: ReadableStream<Uint8Array>): ProviderResponse {
  return {
    status: response.status,
    headers: response.headers,
    body,
    attempts: response.attempts,
    text: () => new Response(body).text(),
    json: async <T>() => (await new Response(body).json()) as T,
  };
}
