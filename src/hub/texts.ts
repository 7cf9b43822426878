/**
 * Every text the hub page shows, in one catalog, so that it can be translated: the page is served
 * with the texts of the session's locale (English where a key has no translation), and a host can
 * replace any of them per session (`texts`). `{name}`-style placeholders are filled in by the page.
 * Only data here: the contract and the page share it.
 */

/** The English catalog; its keys are the catalog's keys. */
export const HUB_TEXTS_EN = {
  'page.title': 'Integrations',
  'page.subtitle': 'Connect the services you use and manage your connections.',
  'page.loading': 'Loading…',
  'page.plan': 'Your plan: {plan}',
  'page.empty': 'No integrations are available yet.',
  'page.close': 'Close',
  'page.securedBy': 'Secured by Patchbay',
  'page.refreshed': 'Integrations updated.',
  'page.noScript': 'This page needs JavaScript to show your integrations.',
  'error.noSession': 'This page needs a hub link. Open it again from the app.',
  'error.sessionEnded': 'This link can no longer be used. Open the integrations page again from the app.',
  'error.network': 'Cannot reach the server. Check your connection and try again.',
  'error.unexpected': 'The server answered unexpectedly (HTTP {status}).',
  'error.popupBlocked': 'Your browser blocked the window. Allow pop-ups for this page and try again.',
  'category.payments': 'Payments',
  'category.commerce': 'Commerce',
  'category.crm': 'CRM',
  'category.marketing': 'Marketing',
  'category.email': 'Email',
  'category.messaging': 'Messaging',
  'category.productivity': 'Productivity',
  'category.spreadsheets': 'Spreadsheets',
  'category.analytics': 'Analytics',
  'category.automation': 'Automation',
  'category.developer': 'Developer tools',
  'category.other': 'Other',
  'state.connected': 'Connected',
  'state.available': 'Available',
  'state.locked': 'Upgrade needed',
  'state.coming_soon': 'Coming soon',
  'state.error': 'Needs attention',
  'tile.availableOn': 'Available on {plan}',
  'tile.notInAnyPlan': 'Not included in any plan',
  'tile.limitReached': 'Your plan includes {max} connection(s); you have {usage}.',
  'tile.categoryLimitReached': 'Your plan includes {max} {category} connection(s); you have {usage}.',
  'tile.comingSoonText': 'We are working on it.',
  'tile.account': 'Account: {account}',
  'tile.lastSync': 'Last sync: {time}',
  'tile.neverSynced': 'Not synced yet',
  'tile.connections': '{count} connections',
  'tile.reauth': 'Sign in again to keep this connection working.',
  'tile.failed': 'Error: {message}',
  'tile.paused': 'Paused: your plan includes fewer connections than you have.',
  'tile.pausedIntegration': 'Paused: your plan does not include this integration.',
  'action.connect': 'Connect',
  'action.upgrade': 'Upgrade',
  'action.manage': 'Manage',
  'action.reconnect': 'Reconnect',
  'action.test': 'Test connection',
  'action.sync': 'Sync now',
  'action.disconnect': 'Disconnect',
  'action.confirmDisconnect': 'Yes, disconnect',
  'action.keep': 'Keep it',
  'action.back': '← All integrations',
  'action.save': 'Save mappings',
  'action.addField': 'Add a field',
  'action.removeField': 'Remove',
  'detail.title': '{name}',
  'detail.status': 'Status',
  'detail.account': 'Account',
  'detail.lastSync': 'Last sync',
  'detail.confirmDisconnect': 'Disconnect {name}? Its synced data will be deleted.',
  'detail.runs': 'Recent syncs',
  'detail.noRuns': 'No syncs have run yet.',
  'detail.run.sync': 'Sync',
  'detail.run.status': 'Result',
  'detail.run.started': 'Started',
  'detail.run.records': 'Records',
  'detail.run.recordsValue': '{added} added, {updated} updated, {deleted} deleted',
  'detail.mappings': 'Field mappings',
  'detail.noMappings': 'No field mappings are set.',
  'detail.mappingsReadOnly': 'Ask the app’s team to change these mappings.',
  'detail.mapping.target': '{kind} {target}',
  'detail.mapping.from': 'From field',
  'detail.mapping.to': 'To field',
  'usage.title': 'Your usage this month',
  'usage.connections': 'Connections',
  'usage.category': '{category} connections',
  'usage.actionRuns': 'Actions run',
  'usage.proxyCalls': 'API calls',
  'usage.syncedRecords': 'Records synced',
  'usage.of': '{used} of {limit}',
  'usage.unlimited': '{used}',
  'usage.paused': '{count} paused',
  'usage.resets': 'Quotas reset on {date}.',
  'status.active': 'Connected',
  'status.refreshing': 'Refreshing',
  'status.reauth_required': 'Sign-in needed',
  'status.error': 'Error',
  'status.disconnected': 'Disconnected',
  'status.paused': 'Paused by plan',
  'run.queued': 'Queued',
  'run.running': 'Running',
  'run.succeeded': 'Succeeded',
  'run.failed': 'Failed',
  'run.cancelled': 'Cancelled',
  'live.testing': 'Testing the connection…',
  'live.testOk': 'The connection works.',
  'live.testFailed': 'The test failed: {message}',
  'live.syncing': 'Starting a sync…',
  'live.syncStarted': 'Sync started.',
  'live.nothingToSync': 'This integration has nothing to sync.',
  'live.disconnecting': 'Disconnecting…',
  'live.disconnected': '{name} is disconnected.',
  'live.connecting': 'Opening {name}…',
  'live.connected': 'Connected to {name}.',
  'live.saving': 'Saving…',
  'live.saved': 'Mappings saved.',
  'live.upgradeRequested': 'Upgrade requested: continue in the app.',
  'live.upgradeUnavailable': 'Open the app to upgrade your plan.',
} as const;

export type HubTextKey = keyof typeof HUB_TEXTS_EN;

/** Translations by locale (a language, or language-region): partial, English fills the rest. */
const CATALOGS: Readonly<Record<string, Partial<Record<HubTextKey, string>>>> = { en: HUB_TEXTS_EN };

/** The locales the catalog has texts of. */
export const HUB_LOCALES: readonly string[] = Object.keys(CATALOGS);

/**
 * The texts for `locale` (its region's catalog, else its language's, else English) with the
 * host's `overrides` on top, and the locale actually used.
 */
export function hubTexts(
  locale: string | undefined,
  overrides: Partial<Record<HubTextKey, string>> = {},
): { locale: string; texts: Record<HubTextKey, string> } {
  const wanted = locale ?? 'en';
  const language = wanted.split('-')[0] ?? 'en';
  const catalog = CATALOGS[wanted] ?? CATALOGS[language] ?? {};
  const used = CATALOGS[wanted] ? wanted : CATALOGS[language] ? language : 'en';
  // Texts the host supplies are in the language it asked for, catalog or not.
  const lang = Object.keys(overrides).length > 0 ? wanted : used;
  return { locale: lang, texts: { ...HUB_TEXTS_EN, ...catalog, ...overrides } };
}
