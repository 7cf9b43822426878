/**
 * Whop's cursor pages (the SDK's `CursorPage`): `?first=N&after=<cursor>` answer
 * `{ data, page_info: { end_cursor, start_cursor, has_next_page, has_previous_page } }`. A cursor
 * here is the base64url of the position after the page's last item; one the emulator did not
 * issue is a 400.
 */
import { WhopRefusal } from './errors.ts';

const DEFAULT_FIRST = 10;
const MAX_FIRST = 100;

export interface WhopPage<T> {
  data: T[];
  page_info: {
    end_cursor: string | null;
    start_cursor: string | null;
    has_next_page: boolean;
    has_previous_page: boolean;
  };
}

export function page<T>(items: readonly T[], query: URLSearchParams): WhopPage<T> {
  const firstText = query.get('first');
  const first = firstText === null ? DEFAULT_FIRST : Number(firstText);
  if (!Number.isInteger(first) || first < 1 || first > MAX_FIRST) {
    throw new WhopRefusal(422, 'invalid_request', `first must be an integer from 1 to ${MAX_FIRST}.`);
  }
  const after = query.get('after');
  let start = 0;
  if (after !== null) {
    start = Number(Buffer.from(after, 'base64url').toString('utf8').replace(/^pos:/, ''));
    if (!Number.isInteger(start) || start < 0 || start > items.length) {
      throw new WhopRefusal(400, 'invalid_request', 'The after cursor is not valid.');
    }
  }
  const data = items.slice(start, start + first);
  const end = start + data.length;
  const cursor = (position: number) => Buffer.from(`pos:${position}`, 'utf8').toString('base64url');
  return {
    data,
    page_info: {
      end_cursor: data.length === 0 ? null : cursor(end),
      start_cursor: data.length === 0 ? null : cursor(start),
      has_next_page: end < items.length,
      has_previous_page: start > 0,
    },
  };
}
