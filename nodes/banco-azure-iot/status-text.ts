/**
 * The status a banco-azure-iot node shows: the device connection's real state first, then what
 * the queue holds. "connected" only while IoT Hub has accepted the connection (CONNACK) and the
 * socket is up; events waiting are shown as buffered.
 */
import type { DeviceState } from '../banco-azure-device/device-connection';
import type { NodeStatus } from '../shared/node-red';
import type { SinkStats } from '../shared/sink/sink-queue';

type Translate = (key: string, substitutions?: Record<string, string | number>) => string;

const LOOK: Record<DeviceState, Pick<NodeStatus, 'fill' | 'shape'>> = {
  connected: { fill: 'green', shape: 'dot' },
  connecting: { fill: 'yellow', shape: 'ring' },
  renewing: { fill: 'yellow', shape: 'dot' },
  disconnected: { fill: 'red', shape: 'ring' },
  auth_failed: { fill: 'red', shape: 'dot' },
  error: { fill: 'red', shape: 'ring' },
  closed: { fill: 'grey', shape: 'ring' },
};

const KEY: Record<DeviceState, string> = {
  connected: 'connected',
  connecting: 'connecting',
  renewing: 'renewing',
  disconnected: 'disconnected',
  auth_failed: 'authFailed',
  error: 'error',
  closed: 'closed',
};

export function deviceStatus(_: Translate, state: DeviceState, detail: string | undefined, stats: SinkStats): NodeStatus {
  const parts = [_(`banco-azure-iot.status.${KEY[state]}`)];
  if (detail && state !== 'connected' && state !== 'renewing') parts[0] += `: ${detail.slice(0, 80)}`;
  if (stats.sent > 0) parts.push(_('banco-azure-iot.status.sent', { n: stats.sent }));
  if (stats.backlog > 0) parts.push(_('banco-azure-iot.status.buffered', { n: stats.backlog }));
  if (stats.failed > 0) parts.push(_('banco-azure-iot.status.failed', { n: stats.failed }));
  return { ...LOOK[state], text: parts.join(' · ') };
}
