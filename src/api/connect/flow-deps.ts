/** What the connect page's routes need, injected (fakes in tests). */
import type { AuthService } from '../../auth/types.ts';
import type { Catalog } from '../../catalog/index.ts';
import type { ConnectSessionsService } from '../../connect/types.ts';
import type { ConnectionsService } from '../../connections/types.ts';
import type { IntegrationsService } from '../../integrations/types.ts';

export interface ConnectFlowDeps {
  /** `authenticate` for the page (frame-ancestors), `get` for the OAuth callback. */
  sessions: Pick<ConnectSessionsService, 'authenticate' | 'get'>;
  auth: Pick<AuthService, 'startAuthorization' | 'completeAuthorization' | 'connectWithCredentials'>;
  integrations: Pick<IntegrationsService, 'list' | 'get' | 'resolve'>;
  connections: Pick<ConnectionsService, 'save' | 'get'>;
  /** Provider definitions: tiles, form fields, logos. */
  catalog: Catalog;
  /**
   * Where Patchbay is reached from browsers (`https://patchbay.example.com`, no trailing slash
   * needed): logo URLs, the OAuth callback URL, the origin the callback page posts to.
   */
  publicUrl: string;
}
