/**
 * Assembles the integrations hub: its settings, the service over the providers, plans and syncs
 * layers, and its routes (the API-key routes, the page and the page's API).
 */
import { logoUrl } from '../api/connect/flow-present.ts';
import { hubPageRoutes } from '../api/hub/routes.ts';
import type { RouteModule } from '../api/index.ts';
import { hubRoutes } from '../api/routes/hub.ts';
import type { Clock } from '../clock/index.ts';
import { createHubService, type HubService } from '../hub/service.ts';
import { createHubSettings, type HubSettingsService } from '../hub/settings.ts';
import type { Store } from '../store/index.ts';
import type { PlansLayer } from './plans.ts';
import type { ProvidersLayer } from './providers.ts';
import type { SyncsLayer } from './syncs.ts';

export interface HubLayer {
  readonly hub: HubService;
  readonly settings: HubSettingsService;
  routes(): RouteModule[];
}

export function createHubLayer(deps: {
  store: Store;
  clock: Clock;
  providers: ProvidersLayer;
  plans: PlansLayer;
  syncs: SyncsLayer;
}): HubLayer {
  const { providers, plans, syncs } = deps;
  const settings = createHubSettings({
    store: deps.store,
    clock: deps.clock,
    providerExists: (name) => providers.catalog.get(name) !== undefined,
  });
  const hub = createHubService({
    catalog: providers.catalog,
    logoUrl: (definition) => logoUrl(definition, providers.publicUrl),
    publicUrl: providers.publicUrl,
    integrations: providers.integrations,
    connections: providers.connections,
    sessions: providers.sessions,
    entitlements: plans.entitlements,
    endUsers: plans.endUsers,
    syncs: syncs.syncs,
    mappings: syncs.mappings,
    settings,
    testConnection: async (environmentId, connectionId) =>
      providers.auth.test(await providers.connections.load(environmentId, connectionId)),
  });
  return {
    hub,
    settings,
    routes: () => [
      hubRoutes({ hub, settings, endUsers: plans.endUsers, publicUrl: providers.publicUrl }),
      hubPageRoutes({ hub, sessions: providers.sessions, publicUrl: providers.publicUrl }),
    ],
  };
}
