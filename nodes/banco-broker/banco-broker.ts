/**
 * banco-broker: the config node owning one MQTT connection for the banco-* nodes that use it.
 * Close order (node-red#2876): Node-RED starts every close handler at once, so this one first
 * waits (bounded) for its users to deregister — each does so after its own in-flight work —
 * and only then ends the client.
 */
import type { NodeDef, RedAPI } from '../shared/node-red';
import type { BrokerConfigNode } from './config-node';
import { NODE_BOUNDS } from '../shared/bounds';
import { BrokerConnection } from './connection';
import { readSettings, topicPrefixOf, type BrokerCredentials, type BrokerDef } from './settings';

export = function registerBancoBroker(RED: RedAPI): void {
  function BancoBrokerNode(this: BrokerConfigNode, def: NodeDef & BrokerDef) {
    RED.nodes.createNode(this, def);
    const settings = readSettings(def, (this.credentials ?? {}) as BrokerCredentials);
    this.topicPrefix = topicPrefixOf(def);
    this.connection = new BrokerConnection(settings, (text) => this.warn(text));
    this.on('close', (_removed: boolean, done: () => void) => {
      this.connection
        .waitForUsersToLeave(NODE_BOUNDS.close_wait_ms)
        .then(() => this.connection.close())
        .then(done, (err: Error) => {
          this.warn(`closing the MQTT connection failed: ${err.message}`);
          done();
        });
    });
  }
  RED.nodes.registerType('banco-broker', BancoBrokerNode, {
    credentials: { username: { type: 'text' }, password: { type: 'password' }, passphrase: { type: 'password' } },
  });
};
