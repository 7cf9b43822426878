/**
 * A tiny emulator of the Acme API on loopback: `GET /orders` pages through the orders
 * (`?cursor=`, `{ orders, next }`), `POST /notes` stores a note; both answer only the key given.
 */
import { createServer } from 'node:http';

export async function startAcme({ apiKey, orders, pageSize }) {
  const notes = [];
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url, 'http://acme.invalid');
      requests.push(`${req.method} ${url.pathname}${url.search}`);
      res.setHeader('content-type', 'application/json');
      if (req.headers.authorization !== `Bearer ${apiKey}`) {
        res.statusCode = 401;
        res.end('{"error":"unauthorized"}');
      } else if (req.method === 'GET' && url.pathname === '/orders') {
        const start = Number(url.searchParams.get('cursor') ?? 0);
        const end = start + pageSize;
        res.end(
          JSON.stringify({
            orders: orders.slice(start, end),
            next: end < orders.length ? String(end) : null,
          }),
        );
      } else if (req.method === 'POST' && url.pathname === '/notes') {
        const { text } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        notes.push(text);
        res.end(JSON.stringify({ id: `note_${notes.length}`, text }));
      } else {
        res.statusCode = 404;
        res.end('{"error":"not found"}');
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    notes,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
