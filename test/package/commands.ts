/**
 * Child processes for the package test (scripts/test-package.ts): commands run to completion
 * with a time limit, and long-running ones (`npx patchbay start`) started in their own process
 * group, so that stopping them reaches npx's children too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { delimiter, dirname } from 'node:path';

/** Where and how a command runs. */
export interface CommandOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

// What `npm run` sets for its script (the repository's prefix, package fields, lifecycle), which
// would point npm in the temporary project back at the repository; how to reach the registry stays.
const outerNpmVariable =
  /^npm_(?!config_(registry|cache|userconfig|https?_proxy|proxy|noproxy|strict_ssl|cafile|ca)$)/i;

/**
 * The environment of a temporary project run on `node`: that Node first on the PATH (npm, npx and
 * the `patchbay` launcher run on it), no `node_modules/.bin` of the repository (so neither its Node
 * 24 nor its TypeScript tooling can stand in for what the project lacks), and none of the npm
 * script or Patchbay variables of the process that runs the test.
 */
export function projectEnv(node: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!outerNpmVariable.test(name) && !/^(PATCHBAY_|NODE_OPTIONS$|INIT_CWD$)/i.test(name))
      env[name] = value;
  }
  const path = (process.env.PATH ?? '').split(delimiter).filter((dir) => !/node_modules[\\/]\.bin/.test(dir));
  env.PATH = [dirname(node), ...path].join(delimiter);
  return { ...env, ...extra };
}

/** Runs a command to its end; rejects with its output when it fails or outlives its time limit. */
export function run(command: string, args: readonly string[], options: CommandOptions): Promise<string> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  const timeoutMs = options.timeoutMs ?? 300_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else {
        const why = signal ? `was killed (${signal}; limit ${timeoutMs} ms)` : `exited with ${code}`;
        reject(new Error(`${command} ${args.join(' ')} ${why}:\n${output}`));
      }
    });
  });
}

/** A long-running command: its output so far, a wait for a line, and a stop. */
export interface Service {
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects if the process ends first. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /**
   * SIGTERM to the whole process group (npx does not pass signals on to what it runs); resolves
   * once the output pipes have closed, which the last process holding them (the engine) does by
   * exiting; kills the group and rejects after `timeoutMs`.
   */
  stop(timeoutMs: number): Promise<void>;
}

export function startService(command: string, args: readonly string[], options: CommandOptions): Service {
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk;
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  // 'close' comes once the process has exited and every holder of its output pipes has too.
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // No process of the group is left.
    }
  };
  return {
    output: () => output,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match) done(() => resolve(match));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`))),
          timeoutMs,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        closed.then((code) =>
          done(() => reject(new Error(`exited with ${code} before ${pattern}:\n${output}`))),
        );
        check();
      });
    },
    async stop(timeoutMs) {
      signalGroup('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          signalGroup('SIGKILL');
          reject(new Error(`did not stop within ${timeoutMs} ms of SIGTERM:\n${output}`));
        }, timeoutMs);
      });
      try {
        await Promise.race([closed, late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
