/** `banco monitor [--topic <filter>]… [--all] [--json] [--no-color]`, plus where to connect, from the environment. */
import { parseArgs } from 'node:util';
import { parsePort, type Env } from '../config';
import { ConfigError } from '../errors';
import type { Selection } from './select-events';

export interface MonitorSettings {
  url: string;
  filters: string[];
  json: boolean;
  noColor: boolean;
  prefix: string;
  /** Each movement once (default), or every message the filters match (select-events.ts). */
  selection: Selection;
  /** Label every line with its topic (--all). */
  labelTopics: boolean;
  username?: string;
  password?: string;
}

/** Topic filters one monitor may subscribe to. */
export const MONITOR_FILTERS_MAX = 32;

export const MONITOR_USAGE =
  'usage: banco monitor [--topic <filter>]... [--all] [--json] [--no-color]\n' +
  '  connects to MQTT_URL (or mqtt://HOST:MQTT_PORT) as BANCO_MQTT_USERNAME/BANCO_MQTT_PASSWORD\n' +
  '  and prints each movement once, with alerts and statistics, from BANCO_TOPIC_PREFIX (default banco/#);\n' +
  '  --all prints every message on every topic, each line labelled with its topic;\n' +
  '  --topic prints every message its filters match. Ctrl-C stops.\n';

function brokerUrl(env: Env): string {
  if (env.MQTT_URL) return env.MQTT_URL;
  const host = !env.HOST || env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST;
  return `mqtt://${host.includes(':') ? `[${host}]` : host}:${parsePort(env, 'MQTT_PORT', 1883)}`;
}

export function parseMonitorArgs(args: string[], env: Env): MonitorSettings {
  const { values } = parseArgs({
    args,
    options: { topic: { type: 'string', multiple: true }, all: { type: 'boolean' }, json: { type: 'boolean' }, 'no-color': { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) throw new ConfigError('help');
  const prefix = env.BANCO_TOPIC_PREFIX || 'banco';
  const filters = values.topic ?? [`${prefix}/#`];
  if (filters.length > MONITOR_FILTERS_MAX) throw new ConfigError(`at most ${MONITOR_FILTERS_MAX} --topic filters.`);
  if (filters.some((f) => f === '')) throw new ConfigError('--topic needs a filter, e.g. banco/saldo/#.');
  const url = brokerUrl(env);
  if (!/^(mqtts?|wss?):\/\//.test(url)) throw new ConfigError('MQTT_URL must start with mqtt://, mqtts://, ws:// or wss://.');
  return {
    url,
    filters,
    json: values.json ?? false,
    noColor: values['no-color'] ?? false,
    prefix,
    selection: values.all || values.topic !== undefined ? 'everything' : 'movements',
    labelTopics: values.all ?? false,
    username: env.BANCO_MQTT_USERNAME || undefined,
    password: env.BANCO_MQTT_PASSWORD || undefined,
  };
}
