/**
 * GET /v2/sales as Gumroad answers it: newest first (created_at desc, id desc), `pageSize` sales
 * a page, `page_key` naming the last sale of the previous page, the `after` / `before` /
 * `product_id` / `email` / `order_id` filters, and Gumroad's 400 messages for bad parameters.
 *
 * Facts from Gumroad's Api::V2::SalesController: `after` keeps created_at >= the date,
 * `before` keeps created_at < the date (both midnight UTC here); a page key is the last sale's
 * created_at with microseconds, a dash and its obfuscated id; the next page is asked with it.
 */
import { deobfuscate, obfuscate } from './ids.ts';
import type { GumroadStore } from './store.ts';

/** The sale indexes of one page (newest first) and the key of the next, or Gumroad's 400 message. */
export type SalesPage =
  | { ok: true; indexes: number[]; nextPageKey: string | null }
  | { ok: false; message: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const PAGE_KEY = /^(\d{20})-(\d{1,10})$/;
const BUYER_EMAIL = /^buyer(\d{1,9})@example\.com$/;

/** Lists one page of sales for the query parameters of a GET /v2/sales. */
export function salesPage(store: GumroadStore, params: URLSearchParams, pageSize: number): SalesPage {
  if (params.has('page')) {
    return { ok: false, message: "The 'page' parameter is deprecated. Please use 'page_key' instead." };
  }
  const before = parseDate(params.get('before'));
  if (before === false) return invalidDate('before');
  const after = parseDate(params.get('after'));
  if (after === false) return invalidDate('after');

  let productIndex: number | undefined;
  const productId = nonEmpty(params.get('product_id'));
  if (productId !== undefined) {
    const product = store.productById(productId);
    if (!product) return { ok: false, message: 'Invalid product ID.' };
    productIndex = product.index;
  }

  let orderIndex: number | undefined;
  const orderId = nonEmpty(params.get('order_id'));
  if (orderId !== undefined) {
    if (String(Number.parseInt(orderId, 10)) !== orderId) return { ok: false, message: 'Invalid order ID.' };
    // An order id that names no sale of this seller matches nothing (-1), like Gumroad's.
    orderIndex = (deobfuscate(Number(orderId)) ?? 0) - 1;
  }

  const email = nonEmpty(params.get('email'))?.trim().toLowerCase();
  let buyer: number | undefined;
  if (email !== undefined) buyer = Number(BUYER_EMAIL.exec(email)?.[1] ?? -1);

  // Sales are ordered by index (their times never decrease), so the date filters are a range.
  const low = after === null ? 0 : store.firstIndexAtOrAfter(after);
  let high = before === null ? store.saleCount : store.firstIndexAtOrAfter(before);
  const pageKey = nonEmpty(params.get('page_key'));
  if (pageKey !== undefined) {
    const last = decodePageKey(store, pageKey);
    if (last === undefined) return { ok: false, message: 'Invalid page_key.' };
    high = Math.min(high, last);
  }

  const indexes: number[] = [];
  let hasMore = false;
  for (let i = high - 1; i >= low; i--) {
    if (orderIndex !== undefined && i !== orderIndex) continue;
    if (productIndex !== undefined || buyer !== undefined) {
      const sale = store.sale(i);
      if (productIndex !== undefined && sale.product.index !== productIndex) continue;
      if (buyer !== undefined && sale.buyer !== buyer) continue;
    }
    if (indexes.length === pageSize) {
      hasMore = true;
      break;
    }
    indexes.push(i);
  }
  const last = indexes.at(-1);
  return {
    ok: true,
    indexes,
    nextPageKey: hasMore && last !== undefined ? encodePageKey(store, last) : null,
  };
}

/** `next_page_url` as Gumroad builds it: the request's path and query, page_key replaced. */
export function nextPageUrl(url: URL, pageKey: string): string {
  const query = new URLSearchParams(url.search);
  for (const name of ['access_token', 'page', 'page_key']) query.delete(name);
  query.set('page_key', pageKey);
  return `${url.pathname}?${query.toString()}`;
}

/** `20240115103045123000-1234567`: created_at to the microsecond, a dash, the obfuscated id. */
export function encodePageKey(store: GumroadStore, index: number): string {
  return `${usecStamp(store.createdAt(index))}-${obfuscate(index + 1)}`;
}

/** The index of the sale a page key names, or undefined when the key is not one we issued. */
function decodePageKey(store: GumroadStore, key: string): number | undefined {
  const match = PAGE_KEY.exec(key);
  if (!match) return undefined;
  const index = (deobfuscate(Number(match[2])) ?? 0) - 1;
  if (index < 0 || index >= store.saleCount) return undefined;
  return usecStamp(store.createdAt(index)) === match[1] ? index : undefined;
}

function usecStamp(at: number): string {
  const iso = new Date(at).toISOString(); // 2024-01-15T10:30:45.123Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${iso.slice(20, 23)}000`;
}

/** Midnight UTC of a YYYY-MM-DD date; null when absent; false when malformed. */
function parseDate(text: string | null): number | null | false {
  if (text === null) return null;
  const match = DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const at = Date.UTC(year, month - 1, day);
  const date = new Date(at);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return false;
  return at;
}

function invalidDate(field: string): SalesPage {
  return {
    ok: false,
    message: `Invalid date format provided in field '${field}'. Dates must be in the format YYYY-MM-DD.`,
  };
}

function nonEmpty(text: string | null): string | undefined {
  return text === null || text === '' ? undefined : text;
}
