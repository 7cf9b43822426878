/** The hub's data as the API shows it: times as ISO 8601 strings. */

import type { z } from 'zod';
import type { HubConnection, HubView } from '../../hub/types.ts';
import { isoTime, isoTimeOrNull } from '../../values/instant.ts';
import type { hubConnectionSchema, hubViewSchema } from '../contract/hub.ts';

export function presentHubConnection(connection: HubConnection): z.output<typeof hubConnectionSchema> {
  return {
    ...connection,
    lastSyncAt: isoTimeOrNull(connection.lastSyncAt),
    createdAt: isoTime(connection.createdAt),
  };
}

export function presentHub(view: HubView): z.output<typeof hubViewSchema> {
  return {
    endUserId: view.endUserId,
    plan: view.plan,
    categories: view.categories.map((category) => ({
      category: category.category,
      tiles: category.tiles.map((tile) => ({
        ...tile,
        connections: tile.connections.map(presentHubConnection),
      })),
    })),
  };
}
