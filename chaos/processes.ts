/**
 * The product's own processes, started the way an operator would: `banco start broker` and
 * `banco start core` from dist/, each on a free loopback port, and killed with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CHAOS_LIMITS } from './limits';

/** dist/bin/banco.js, whether this module runs compiled (dist/chaos) or from source (ts-jest). */
export function bancoCli(): string {
  const candidates = [path.resolve(__dirname, '../bin/banco.js'), path.resolve(__dirname, '../dist/bin/banco.js')];
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) throw new Error(`dist/bin/banco.js not found; run npm run build first (looked in ${candidates.join(', ')})`);
  return found;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Proceso {
  proc: ChildProcess;
  exited: Promise<void>;
  stderrTail: () => string;
}

/** Spawns `banco <args>` and resolves once stderr shows `readyEvent` (a structured log event). */
export function spawnBanco(args: string[], env: Record<string, string>, readyEvent: string): Promise<Proceso> {
  const proc = spawn(process.execPath, [bancoCli(), ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'info', BANCO_METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tail = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`banco ${args.join(' ')} did not start in ${CHAOS_LIMITS.core_start_timeout_ms} ms: ${tail}`));
    }, CHAOS_LIMITS.core_start_timeout_ms);
    let ready = false;
    proc.stderr!.on('data', (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-CHAOS_LIMITS.stderr_tail_chars);
      if (!ready && tail.includes(`"${readyEvent}"`)) {
        ready = true;
        clearTimeout(timer);
        resolve({ proc, exited, stderrTail: () => tail });
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`banco ${args.join(' ')} exited during start-up: ${tail}`));
    });
  });
}

/** SIGKILL: no shutdown hook runs, in-flight requests and claimed outbox rows are abandoned. */
export async function killHard(p: Proceso): Promise<void> {
  p.proc.kill('SIGKILL');
  await p.exited;
}

/** SIGTERM and wait (CONTRACT §1: a clean stop flushes the outbox and exits 0). */
export async function stopGently(p: Proceso): Promise<number | null> {
  if (p.proc.exitCode !== null || p.proc.signalCode !== null) return p.proc.exitCode;
  p.proc.kill('SIGTERM');
  await p.exited;
  return p.proc.exitCode;
}
