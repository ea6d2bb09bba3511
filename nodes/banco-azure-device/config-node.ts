/** What a banco-azure-device config node offers the banco-azure-iot nodes that use it. */
import type { RedNode } from '../shared/node-red';
import type { DeviceConnection } from './device-connection';

export type DeviceHandle =
  | { kind: 'ready'; connection: DeviceConnection }
  /** No connection string yet: `missing` names the environment variable to set. */
  | { kind: 'idle'; missing: string }
  | { kind: 'error'; message: string };

export interface AzureDeviceConfigNode extends RedNode {
  device: DeviceHandle;
}
