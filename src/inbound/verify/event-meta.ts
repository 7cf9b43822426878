/**
 * `readEventMeta`: the provider's event id and type of each event in a delivery, read from the
 * headers or body paths the definition names; a batch delivery (`batch.itemsPath`) yields one
 * entry per item, with paths read relative to the item.
 */

import type { Webhooks } from '../../catalog/index.ts';
import { PatchbayError } from '../../errors/index.ts';
import { scalarText, valueAt } from '../../values/path.ts';
import type { EventMeta, IncomingDelivery, ReadEventMeta } from '../types.ts';
import { parseBody } from './body.ts';

function text(value: unknown): string | null {
  const scalar = scalarText(value);
  return scalar === undefined || scalar === '' ? null : scalar;
}

function headerText(delivery: IncomingDelivery, name: string | undefined): string | null {
  if (name === undefined) return null;
  const value = delivery.headers[name]?.trim();
  return value ? value : null;
}

function items(webhooks: Webhooks, parsed: unknown): unknown[] {
  if (!webhooks.batch) return [parsed];
  const path = webhooks.batch.itemsPath;
  const found = path === '$' ? parsed : valueAt(parsed, path);
  if (!Array.isArray(found)) {
    throw new PatchbayError(
      'webhook_payload_invalid',
      `the webhook body has no array of events at "${path}"`,
      {
        details: { itemsPath: path },
      },
    );
  }
  return found;
}

export const readEventMeta: ReadEventMeta = (webhooks: Webhooks, delivery: IncomingDelivery): EventMeta[] => {
  const parsed = parseBody(delivery.rawBody, webhooks.bodyFormat);
  const list = items(webhooks, parsed);
  const headerId = headerText(delivery, webhooks.eventIdHeader);
  const headerType = headerText(delivery, webhooks.eventTypeHeader);
  return list.map((item, index) => {
    let providerEventId =
      webhooks.eventIdPath !== undefined ? text(valueAt(item, webhooks.eventIdPath)) : headerId;
    // One header id for a whole batch would make dedupe drop all but the first item.
    if (webhooks.batch && webhooks.eventIdPath === undefined && providerEventId !== null) {
      providerEventId = `${providerEventId}#${index}`;
    }
    const eventType =
      webhooks.eventTypePath !== undefined ? text(valueAt(item, webhooks.eventTypePath)) : headerType;
    return { providerEventId, eventType, parsed: item };
  });
};
