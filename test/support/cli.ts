import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

/** Environment for a CLI child: only the given PATCHBAY_* settings, no inherited ones. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('PATCHBAY_')),
  );
  return { ...base, NODE_NO_WARNINGS: '1', ...env };
}

/** Runs `patchbay <args>` to completion; never throws on a non-zero exit. */
export async function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], { env: childEnv(env) });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export interface RunningEngine {
  child: ChildProcess;
  url: string;
  /** Everything written to stderr up to and including the banner. */
  banner: string;
  /** The first API key, when this start printed one. */
  firstKey: string | null;
  stdout(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `patchbay start` and waits for its banner (or fails with what it printed). */
export async function startEngine(env: Record<string, string>, timeoutMs = 30_000): Promise<RunningEngine> {
  const child = spawn(process.execPath, [MAIN, 'start'], { env: childEnv({ PATCHBAY_PORT: '0', ...env }) });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no banner within ${timeoutMs} ms:\n${stderr}`)),
      timeoutMs,
    );
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (/is ready[\s\S]*role .*\n/.test(stderr) && /\n\n$/.test(stderr)) {
        clearTimeout(timer);
        resolve(stderr);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`patchbay start exited with ${code}:\n${stderr}`));
    });
  });
  const url = /API\s+(http:\/\/\S+)/.exec(banner)?.[1];
  if (!url) throw new Error(`no URL in the banner:\n${banner}`);
  return {
    child,
    url,
    banner,
    firstKey: /(pb_sk_dev_[A-Za-z0-9]+)/.exec(banner)?.[1] ?? null,
    stdout: () => stdout,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}
