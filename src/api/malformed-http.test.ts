/**
 * Malformed HTTP sent over a raw socket to a listening API: every refusal is in the API's error
 * model (JSON, stable code, request id) and closes the connection.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createTestApi, type TestApi } from '../../test/support/api.ts';
import { sqliteTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { clientErrorRefusal } from './core/client-errors.ts';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `bytes` as they are and reads until the server closes the connection. */
function sendRaw(port: number, bytes: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    // A failure bound only: a server that keeps the connection open fails the test, not hangs it.
    socket.setTimeout(10_000, () => socket.destroy());
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may close while the rest of the request is still being written.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine ?? '')?.[1]);
      if (!Number.isInteger(status)) {
        reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
        return;
      }
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status, headers, body: text.slice(split + 4) });
    });
    socket.write(bytes);
  });
}

const JSON_POST = 'POST /v1/api-keys HTTP/1.1\r\nHost: api.test\r\nContent-Type: application/json\r\n';

/** Each malformed form: what is sent, then the status and code it must get. */
const MALFORMED: Array<{ name: string; send: string | Buffer; status: number; code: string }> = [
  {
    name: 'a Content-Length that is not a number',
    send: `${JSON_POST}Content-Length: abc\r\n\r\n{}`,
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'two different Content-Lengths',
    send: `${JSON_POST}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'the same Content-Length twice',
    send: `${JSON_POST}Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}`,
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'Content-Length with chunked',
    send: `${JSON_POST}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'a chunk size that is not hex',
    send: `${JSON_POST}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'a chunk longer than its size',
    send: `${JSON_POST}Transfer-Encoding: chunked\r\n\r\n2\r\n{}XX\r\n0\r\n\r\n`,
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'a NUL byte in a header value',
    send: 'GET /health HTTP/1.1\r\nHost: api.test\r\nX-Note: a\0b\r\n\r\n',
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'a NUL byte in the path',
    send: 'GET /hea\0lth HTTP/1.1\r\nHost: api.test\r\n\r\n',
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'a folded header (obs-fold)',
    send: 'GET /health HTTP/1.1\r\nHost: api.test\r\nX-Note: a\r\n b\r\n\r\n',
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'bare LF line ends',
    send: 'GET /health HTTP/1.1\nHost: api.test\n\n',
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'a bare LF after one header',
    send: 'GET /health HTTP/1.1\r\nHost: api.test\nX-Note: a\r\n\r\n',
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'invalid UTF-8 bytes in the path',
    send: Buffer.concat([
      Buffer.from('GET /v1/connections/'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from(' HTTP/1.1\r\nHost: api.test\r\n\r\n'),
    ]),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'a space in a header name',
    send: 'GET /health HTTP/1.1\r\nHost: api.test\r\nX Note: a\r\n\r\n',
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'headers over the size limit',
    send: `GET /health HTTP/1.1\r\nHost: api.test\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    status: 431,
    code: 'headers_too_large',
  },
  {
    name: 'an HTTP/1.1 request without Host',
    send: 'GET /health HTTP/1.1\r\n\r\n',
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'an HTTP/1.1 request with two Hosts',
    send: 'GET /health HTTP/1.1\r\nHost: api.test\r\nHost: other.test\r\n\r\n',
    status: 400,
    code: 'invalid_request',
  },
];

describe('malformed HTTP', () => {
  let database: TestDatabase;
  let api: TestApi;
  let port: number;
  before(async () => {
    database = sqliteTestDatabase();
    api = await createTestApi(database);
    const url = await api.app.listen({ host: '127.0.0.1', port: 0 });
    port = Number(new URL(url).port);
  });
  after(async () => {
    await api?.close();
    await database?.destroy();
  });

  for (const form of MALFORMED) {
    it(`answers ${form.name} with ${form.status} ${form.code}, a request id, and closes`, async () => {
      // With the key, a request that reaches a route is refused for its framing, not its auth.
      const send =
        typeof form.send === 'string'
          ? form.send.replace('\r\n', `\r\nAuthorization: ${api.devAuth.authorization}\r\n`)
          : form.send;
      const answer = await sendRaw(port, send);
      assert.equal(answer.status, form.status, answer.body);
      assert.match(answer.headers['content-type'] ?? '', /^application\/json/);
      assert.equal(answer.headers.connection, 'close');
      const requestId = answer.headers['x-request-id'];
      assert.match(requestId ?? '', /^req_/);
      const body = JSON.parse(answer.body);
      assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'requestId']);
      assert.equal(body.error.code, form.code);
      assert.equal(body.error.requestId, requestId);
      assert.equal(typeof body.error.message, 'string');
      assert.ok(body.error.message.length > 10, body.error.message);
    });
  }

  it('logs each refusal under its request id, and nothing as an error', async () => {
    const answer = await sendRaw(port, 'GET /health HTTP/1.1\r\nHost: api.test\r\nX-Note: a\r\n b\r\n\r\n');
    const requestId = answer.headers['x-request-id'];
    const line = api.logs.entries().find((entry) => entry.requestId === requestId);
    assert.equal(line?.msg, 'malformed request refused');
    assert.equal(line?.errorCode, 'invalid_request');
    const loud = api.logs.entries().filter((entry) => Number(entry.level) >= 40);
    assert.deepEqual(loud, [], 'bad input is not a server fault');
  });

  it('still serves well-formed requests, HTTP/1.0 without Host included', async () => {
    const answer = await sendRaw(port, 'GET /health HTTP/1.0\r\n\r\n');
    assert.equal(answer.status, 200);
    assert.equal(JSON.parse(answer.body).status, 'ok');
    const chunked = await sendRaw(
      port,
      `${JSON_POST}Authorization: ${api.devAuth.authorization}\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n{"name\r\n9\r\n":"ci"}\r\n\r\n0\r\n\r\n`,
    );
    assert.equal(chunked.status, 201, chunked.body);
  });

  it('answers a request that did not arrive in time with 408 request_timeout', () => {
    const error = Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
    assert.deepEqual(
      { ...clientErrorRefusal(error), message: undefined },
      { status: 408, code: 'request_timeout', message: undefined },
    );
  });
});
