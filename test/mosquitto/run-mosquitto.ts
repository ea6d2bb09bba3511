/**
 * Runs the real `mosquitto` binary with one of mosquitto/config/*.conf, rewritten for a test:
 * each `listener <port>` moves to a free port on 127.0.0.1 and /mosquitto/... paths move to a
 * temporary directory. Everything else in the file is used exactly as shipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../helpers/ports';

export const CONFIG_DIR = path.join(__dirname, '..', '..', 'mosquitto', 'config');
const READY_TIMEOUT_MS = 10_000;
const OUTPUT_CHARS_MAX = 64 * 1024;

export interface RunningMosquitto {
  /** Shipped listener port → the port it runs on in this test. */
  port(shipped: number): number;
  output(): string;
  stop(): Promise<void>;
  /** SIGKILL: no final save of the persistence file. */
  crash(): Promise<void>;
  /** SIGSTOP / SIGCONT: a broker that keeps its connections open and stops answering. */
  pause(): void;
  resume(): void;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitReady(ports: number[], child: ChildProcess, output: () => string): Promise<void> {
  const start = Date.now();
  for (const port of ports) {
    while (!(await canConnect(port))) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited (${child.exitCode}):\n${output()}`);
      if (Date.now() - start > READY_TIMEOUT_MS) throw new Error(`mosquitto not listening on ${port}:\n${output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** More shipped files appended to the config (e.g. a bridge), and literal replacements in them. */
export interface ConfigExtras {
  append?: string[];
  replace?: Array<[string, string]>;
}

export async function rewriteConfig(configName: string, dir: string, ports?: Map<number, number>, extras: ConfigExtras = {}): Promise<{ file: string; ports: Map<number, number> }> {
  let text = [configName, ...(extras.append ?? [])].map((name) => readFileSync(path.join(CONFIG_DIR, name), 'utf8')).join('\n');
  for (const [from, to] of extras.replace ?? []) text = text.replaceAll(from, to);
  const mapped = ports ?? new Map<number, number>();
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    const listener = /^listener (\d+)/.exec(line);
    if (listener === null) {
      lines.push(line.replaceAll('/mosquitto/', `${dir}/`));
      continue;
    }
    const shipped = Number(listener[1]);
    if (!mapped.has(shipped)) mapped.set(shipped, await freePort());
    lines.push(`listener ${mapped.get(shipped)} 127.0.0.1`);
  }
  // Tests run as root on CI machines; mosquitto would otherwise switch to user "mosquitto".
  if (process.getuid?.() === 0) lines.push('user root');
  const file = path.join(dir, `test-${configName}`);
  writeFileSync(file, lines.join('\n'));
  return { file, ports: mapped };
}

export async function startMosquitto(configName: string, dir: string, ports?: Map<number, number>, extras?: ConfigExtras): Promise<RunningMosquitto> {
  const config = await rewriteConfig(configName, dir, ports, extras);
  const child = spawn('mosquitto', ['-c', config.file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const keep = (chunk: Buffer): void => {
    text = (text + chunk.toString()).slice(-OUTPUT_CHARS_MAX);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitReady([...config.ports.values()], child, () => text);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    port: (shipped) => {
      const port = config.ports.get(shipped);
      if (port === undefined) throw new Error(`${configName} has no listener ${shipped}`);
      return port;
    },
    output: () => text,
    stop,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    crash: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
