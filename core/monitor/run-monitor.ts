/**
 * `banco monitor`: the live event monitor (CONTRACT §8, the legacy mqtt_subscriber.py).
 * Subscribes, prints one line per movement (select-events.ts; every message with --all) (or one JSON object per line with --json), reconnects by
 * itself with a status line, and ends cleanly with exit 0 on SIGINT/SIGTERM or the given signal.
 * Lines are dropped (and counted) rather than buffered without end when the output is slow.
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Env } from '../config';
import { safeUrl } from '../log';
import { paint, shouldColor } from './colors';
import { formatEvent } from './format-event';
import { MONITOR_USAGE, parseMonitorArgs, type MonitorSettings } from './monitor-args';
import { isPrinted } from './select-events';

/** Wait between reconnection attempts. */
export const RECONNECT_MS = 2000;
export const CONNECT_TIMEOUT_MS = 10_000;
/** Unwritten output past which event lines are dropped until it drains. */
export const OUTPUT_BUFFER_BYTES_MAX = 1024 * 1024;
const SUBACK_REFUSED = 128;

export interface MonitorOptions {
  /** Where status lines go in --json mode (stdout carries only events then). */
  err?: NodeJS.WritableStream;
  /** Stops the monitor like SIGINT does (for embedding and tests). */
  signal?: AbortSignal;
}

type Printer = { event(topic: string, payload: Buffer, retained: boolean): void; status(line: string): void };

function jsonPayload(payload: Buffer): unknown {
  const body = payload.toString('utf8');
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function createPrinter(settings: MonitorSettings, env: Env, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Printer {
  const color = !settings.json && shouldColor(env, out, settings.noColor);
  const statusOut = settings.json ? err : out;
  let dropped = 0;
  const write = (line: string): void => {
    if (((out as { writableLength?: number }).writableLength ?? 0) > OUTPUT_BUFFER_BYTES_MAX) {
      dropped++;
      return;
    }
    if (dropped > 0) statusOut.write(`# ${dropped} eventos omitidos: la salida no daba abasto\n`);
    dropped = 0;
    out.write(line + '\n');
  };
  return {
    event(topic, payload, retained) {
      if (!isPrinted(topic, payload, settings.prefix, settings.selection)) return;
      if (settings.json) return write(JSON.stringify({ topic, payload: jsonPayload(payload), retained }));
      const label = settings.labelTopics ? paint(`[${topic.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')}] `, 'dim', color) : '';
      write(label + formatEvent(topic, payload, { color, prefix: settings.prefix }) + (retained ? paint(' (retenido)', 'dim', color) : ''));
    },
    status(line) {
      statusOut.write(paint(`# ${line}`, 'dim', color) + '\n');
    },
  };
}

/** Granted QoS per filter; mqtt.js reports a refusal as an error carrying the SUBACK. */
function grantedCodes(error: Error | null, granted: Array<{ qos: number }> | undefined): number[] | null {
  if (!error) return (granted ?? []).map((g) => g.qos);
  const codes = (error as { packet?: { granted?: unknown } }).packet?.granted;
  return Array.isArray(codes) ? codes.map((c) => (typeof c === 'number' ? c : (c as { qos: number }).qos)) : null;
}

function subscribeAll(client: MqttClient, settings: MonitorSettings, print: Printer, stop: (code: number) => void): void {
  client.subscribe(settings.filters, { qos: 1 }, (error, granted) => {
    const codes = grantedCodes(error ?? null, granted);
    if (codes === null) return print.status(`no se pudo suscribir: ${error?.message}`);
    const refused = settings.filters.filter((_, i) => codes[i] === SUBACK_REFUSED);
    if (refused.length > 0) print.status(`suscripción rechazada por el broker: ${refused.join(', ')}`);
    if (refused.length === settings.filters.length) stop(1);
  });
}

export async function runMonitor(args: string[], env: Env, out: NodeJS.WritableStream, options: MonitorOptions = {}): Promise<number> {
  const err = options.err ?? process.stderr;
  let settings: MonitorSettings;
  try {
    settings = parseMonitorArgs(args, env);
  } catch (e) {
    const help = (e as Error).message === 'help';
    err.write(help ? MONITOR_USAGE : `monitor: ${(e as Error).message}\n${MONITOR_USAGE}`);
    return help ? 0 : 2;
  }
  const print = createPrinter(settings, env, out, err);
  const where = safeUrl(settings.url);
  const client = mqtt.connect(settings.url, {
    clientId: `banco-monitor-${randomBytes(4).toString('hex')}`,
    username: settings.username,
    password: settings.password,
    protocolVersion: 4,
    clean: true,
    resubscribe: false,
    reconnectPeriod: RECONNECT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
  });
  return new Promise<number>((resolve) => {
    let stopped = false;
    const stop = (code: number): void => {
      if (stopped) return;
      stopped = true;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      options.signal?.removeEventListener('abort', onSignal);
      client.end(false, {}, () => resolve(code));
    };
    const onSignal = (): void => stop(0);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    if (options.signal?.aborted) return stop(0);
    options.signal?.addEventListener('abort', onSignal, { once: true });
    client.on('connect', () => {
      print.status(`conectado a ${where}; escuchando ${settings.filters.join(', ')}`);
      subscribeAll(client, settings, print, stop);
    });
    client.on('message', (topic, payload, packet) => print.event(topic, payload, packet.retain));
    client.on('offline', () => stopped || print.status(`desconectado de ${where}; reintentando cada ${RECONNECT_MS / 1000} s`));
    client.on('reconnect', () => stopped || print.status(`reconectando a ${where}…`));
    client.on('error', (e) => print.status(`error: ${e.message}`));
  });
}
