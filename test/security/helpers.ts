/**
 * The `banco` CLI (dist/) as a child process bound to 0.0.0.0 — beyond loopback — for the listener
 * rule of CONTRACT §1. Clients reach those listeners through 127.0.0.1 only: tests never send
 * traffic to this machine's other addresses.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { tempDir } from '../helpers/core';
import { freePort } from '../helpers/ports';

const CLI = path.resolve(__dirname, '../../dist/bin/banco.js');
const START_WAIT_MS = 30_000;

/** A valid bcrypt hash for the editor login; its password is never needed: these tests check refusals. */
export const EDITOR_HASH = '$2b$08$ZxMqeqFSeUQqjD4HlsOH6upOMLmvOxegS0r.wMnZK9rqzUrMFGwjq';
export const TOKEN = 'security-test-token-0123456789';

export interface Banco {
  proc: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every port of the hub, free, and a fresh DATA_DIR; HOST=0.0.0.0 and no NODE_ENV. */
export async function beyondLoopbackEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    HOST: '0.0.0.0',
    LOG_LEVEL: 'info',
    BANCO_NODE_RED_LOG_LEVEL: 'warn',
    DATA_DIR: tempDir('banco-security-'),
    CORE_PORT: String(await freePort()),
    MQTT_PORT: String(await freePort()),
    MQTT_WS_PORT: String(await freePort()),
    NODE_RED_PORT: String(await freePort()),
    BRIDGE_PORT: String(await freePort()),
    ...extra,
  };
}

export function spawnBanco(env: Record<string, string>, args: string[]): Banco {
  const proc = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d.toString()));
  proc.stdout!.on('data', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const stop = (): Promise<{ code: number | null; signal: NodeJS.Signals | null }> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    return exited;
  };
  return { proc, stderr: () => err, exited, stop };
}

/** Starts `banco <args>` and resolves once stderr shows `marker` (a log event name); rejects if it exits first. */
export async function startBanco(env: Record<string, string>, args: string[], marker: string): Promise<Banco> {
  const banco = spawnBanco(env, args);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`banco ${args.join(' ')} did not log ${marker}: ${banco.stderr()}`)), START_WAIT_MS);
    const check = (): void => {
      if (banco.stderr().includes(`"event":"${marker}"`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    banco.proc.stderr!.on('data', check);
    void banco.exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`banco ${args.join(' ')} exited during start-up: ${banco.stderr()}`));
    });
  });
  return banco;
}

/**
 * Runs `banco <args>` expecting start-up to be refused: exit 1 with exactly one line
 * `banco: …` on stderr naming every setting in `settings`, and no stack trace.
 */
export async function expectRefused(env: Record<string, string>, args: string[], settings: string[]): Promise<string> {
  const banco = spawnBanco(env, args);
  const timer = setTimeout(() => banco.proc.kill('SIGKILL'), START_WAIT_MS);
  const exit = await banco.exited;
  clearTimeout(timer);
  const lines = banco.stderr().split('\n').filter((l) => l.trim() !== '');
  expect({ exit, lines: lines.length }).toEqual({ exit: { code: 1, signal: null }, lines: 1 });
  expect(lines[0]).toMatch(/^banco: /);
  expect(lines[0]).not.toMatch(/\bat .*\.js:\d+/);
  for (const setting of settings) expect(lines[0]).toContain(setting);
  return lines[0];
}

/** The `security.insecure` warnings a process logged. */
export function insecureWarnings(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.includes('"event":"security.insecure"'))
    .map((l) => (JSON.parse(l) as { message: string }).message);
}
