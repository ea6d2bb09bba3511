/**
 * banco-azure-device: the config node owning one IoT Hub device identity (connection string or
 * X.509 certificate) and its single MQTT connection. Close order (node-red#2876): it first waits,
 * bounded, for its users to flush and deregister, then disconnects.
 */
import type { NodeDef, RedAPI } from '../shared/node-red';
import type { AzureDeviceConfigNode, DeviceHandle } from './config-node';
import { DeviceConnection } from './device-connection';
import { readDeviceSettings, type AzureDeviceCredentials, type AzureDeviceDef } from './device-settings';
import { AZURE_LIMITS } from './limits';

export = function registerBancoAzureDevice(RED: RedAPI): void {
  function BancoAzureDeviceNode(this: AzureDeviceConfigNode, def: NodeDef & AzureDeviceDef) {
    RED.nodes.createNode(this, def);
    const read = readDeviceSettings(def, (this.credentials ?? {}) as AzureDeviceCredentials);
    let handle: DeviceHandle;
    if (read.kind === 'ready') handle = { kind: 'ready', connection: new DeviceConnection(read.settings, { log: (text) => this.warn(text) }) };
    else if (read.kind === 'idle') handle = { kind: 'idle', missing: read.missing };
    else {
      // Logged once here; the users show it on their status. The key never appears in it.
      this.warn(`IoT Hub device settings: ${read.message}`);
      handle = { kind: 'error', message: read.message };
    }
    this.device = handle;
    this.on('close', (_removed: boolean, done: () => void) => {
      if (handle.kind !== 'ready') return done();
      const { connection } = handle;
      connection
        .waitForUsersToLeave(AZURE_LIMITS.close_wait_ms)
        .then(() => connection.close())
        .then(done, () => done());
    });
  }
  RED.nodes.registerType('banco-azure-device', BancoAzureDeviceNode, {
    credentials: { connectionString: { type: 'password' }, passphrase: { type: 'password' } },
  });
};
