/**
 * The provider catalog: provider definitions as typed data (schema.ts), their discovery and
 * lookup (registry.ts), `${placeholder}` rendering that cannot change a URL's host
 * (template.ts), base-URL overrides for sandboxes (overrides.ts), and provider families with the
 * labels of their ways to connect (families.ts).
 */
export {
  type DefinitionIssue,
  deepFreeze,
  defineProvider,
  describeIssues,
  validateDefinition,
} from './define.ts';
export { familyHead, familyName, methodLabel } from './families.ts';
export { applyOverrides, definitionOrigins, type OverrideOptions } from './overrides.ts';
export { RESERVED_VALUE_NAMES } from './references.ts';
export {
  BUILTIN_PROVIDERS_DIR,
  type Catalog,
  DEFINITION_MODULE,
  getProvider,
  type LoadCatalogOptions,
  loadCatalog,
  logoFile,
  type ProviderSource,
  providerSource,
} from './registry.ts';
export * from './schema.ts';
export {
  checkTextTemplate,
  checkUrlTemplate,
  parseTemplate,
  type RenderOptions,
  renderTemplate,
  type TemplatePart,
  type TemplateValues,
  templateOrigin,
  templateVariables,
  type UrlPosition,
  urlPlaceholderPositions,
} from './template.ts';
