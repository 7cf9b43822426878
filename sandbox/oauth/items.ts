/**
 * A deterministic collection for pagination tests: item n is always the same, and pages are
 * addressed by an opaque cursor, the way most JSON APIs paginate.
 */

export interface SandboxItem {
  id: string;
  name: string;
  amount_cents: number;
  created_at: string;
}

export type ItemsPage =
  | { ok: true; data: SandboxItem[]; next_cursor: string | null }
  | { ok: false; error: string; description: string };

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;
const EPOCH = Date.UTC(2026, 0, 1);

export function item(index: number): SandboxItem {
  return {
    id: `item_${String(index + 1).padStart(5, '0')}`,
    name: `Item ${index + 1}`,
    amount_cents: (index * 7919) % 10_000,
    created_at: new Date(EPOCH + index * 3_600_000).toISOString(),
  };
}

export function itemsPage(total: number, cursor: string | null, limitText: string | null): ItemsPage {
  let limit = DEFAULT_PAGE_SIZE;
  if (limitText !== null && limitText !== '') {
    limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      return {
        ok: false,
        error: 'invalid_request',
        description: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`,
      };
    }
  }
  let offset = 0;
  if (cursor !== null && cursor !== '') {
    const decoded = decodeCursor(cursor);
    if (decoded === undefined || decoded > total) {
      return { ok: false, error: 'invalid_cursor', description: 'cursor is not one this API returned' };
    }
    offset = decoded;
  }
  const end = Math.min(total, offset + limit);
  const data: SandboxItem[] = [];
  for (let i = offset; i < end; i++) data.push(item(i));
  return { ok: true, data, next_cursor: end < total ? encodeCursor(end) : null };
}

function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  const match = /^offset:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
