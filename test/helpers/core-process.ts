/** Runs the real `banco` CLI (dist/, built by `npm test`'s pretest) as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from './ports';

const CLI = path.resolve(__dirname, '../../dist/bin/banco.js');
/** `banco start` loads each component in its own process, one after the other: on a busy machine that takes a while. */
const START_WAIT_MS = 60_000;

export interface CoreProcess {
  port: number;
  proc: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function spawnCore(env: Record<string, string>, args: string[] = ['start', 'core']): Promise<CoreProcess> {
  const port = env.CORE_PORT ? Number(env.CORE_PORT) : await freePort();
  // `start` (all) runs the bridge too: never on its default port 5001 in tests.
  const bridgePort = String(await freePort());
  const proc = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', CORE_PORT: String(port), BRIDGE_PORT: bridgePort, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d.toString()));
  proc.stdout!.on('data', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`core did not start: ${err}`)), START_WAIT_MS);
    const check = (): void => {
      if (err.includes('"core.listening"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stderr!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`core exited during start-up: ${err}`));
    });
  });
  await ready;
  return { port, proc, stderr: () => err, exited };
}
