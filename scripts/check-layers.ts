/**
 * `npm run lint` runs this after Biome: every import in `src/` must point down (or across) the
 * layers of docs/architecture.md — infrastructure ← provider runtime ← engine services ← API ←
 * assembly. A wrong-way import is reported with the file, the line and both layers, and the
 * command exits 1. Imports are read as text: the sources are erasable TypeScript whose relative
 * imports name their files, so no compiler is needed to resolve them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** The layers, lowest first, and the top-level entries of `src/` in each. */
export const LAYERS: readonly { name: string; entries: readonly string[] }[] = [
  {
    name: 'infrastructure',
    entries: [
      'clock',
      'concurrency',
      'config',
      'errors',
      'events',
      'ids',
      'logger',
      'net',
      'queue',
      'store',
      'values',
      'vault',
      'version.ts',
    ],
  },
  { name: 'provider runtime', entries: ['catalog', 'models', 'ports', 'auth', 'proxy'] },
  {
    name: 'engine services',
    entries: [
      'environments',
      'integrations',
      'connections',
      'connect',
      'scripting',
      'syncs',
      'actions',
      'inbound',
      'outbound',
      'plans',
      'hub',
      'operators',
      'webhook-subscriptions',
      'notifications',
    ],
  },
  { name: 'api', entries: ['api'] },
  { name: 'assembly', entries: ['engine', 'cli', 'scripts', 'index.ts'] },
];

export interface LayerViolation {
  file: string;
  line: number;
  specifier: string;
  from: string;
  to: string;
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function rankOf(srcDir: string, file: string): number | undefined {
  const top = relative(srcDir, file).split(sep)[0];
  const index = LAYERS.findIndex((layer) => layer.entries.includes(top ?? ''));
  return index === -1 ? undefined : index;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** The wrong-way imports of the tree under `srcDir` (tests and fixtures are exempt: they assemble). */
export function layerViolations(srcDir: string): { violations: LayerViolation[]; unknown: string[] } {
  const violations: LayerViolation[] = [];
  const unknown = new Set<string>();
  for (const file of sourceFiles(srcDir)) {
    if (file.split(sep).includes('fixtures')) continue;
    const fromRank = rankOf(srcDir, file);
    if (fromRank === undefined) {
      unknown.add(relative(srcDir, file).split(sep)[0] ?? file);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (!specifier.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier);
      if (!target.startsWith(srcDir + sep)) continue;
      const toRank = rankOf(srcDir, target);
      if (toRank === undefined || toRank <= fromRank) continue;
      violations.push({
        file: relative(process.cwd(), file),
        // The match may begin with the whitespace before the keyword: count from the keyword.
        line: text.slice(0, match.index + match[0].search(/import|export/)).split('\n').length,
        specifier,
        from: LAYERS[fromRank]!.name,
        to: LAYERS[toRank]!.name,
      });
    }
  }
  return { violations, unknown: [...unknown] };
}

if (import.meta.main) {
  const srcDir = resolve(process.argv[2] ?? 'src');
  const { violations, unknown } = layerViolations(srcDir);
  for (const v of violations) {
    process.stderr.write(`${v.file}:${v.line}: imports ${v.specifier} — ${v.from} may not import ${v.to}\n`);
  }
  for (const entry of unknown) {
    process.stderr.write(`src/${entry}: not in any layer; add it to LAYERS in scripts/check-layers.ts\n`);
  }
  if (violations.length > 0 || unknown.length > 0) {
    process.stderr.write(`${violations.length} wrong-way imports (see docs/architecture.md, "Layers")\n`);
    process.exit(1);
  }
  process.stdout.write('layers: every import points down\n');
}
