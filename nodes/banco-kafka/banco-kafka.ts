/**
 * banco-kafka: the config node owning one Kafka client (brokers, client id, TLS, SASL) for the
 * banco-kafka-export nodes that use it. Secrets (SASL password, key passphrase) are Node-RED
 * credentials; a value of exactly `${ENV_VAR}` is read from the environment by Node-RED.
 */
import type { NodeDef, RedAPI } from '../shared/node-red';
import type { KafkaConfigNode } from './config-node';
import { KafkajsClient } from './kafkajs-client';
import { SharedKafkaLink } from './kafka-link';
import { KAFKA_LIMITS } from './limits';
import { readKafkaSettings, type KafkaCredentials, type KafkaDef } from './settings';

export = function registerBancoKafka(RED: RedAPI): void {
  function BancoKafkaNode(this: KafkaConfigNode, def: NodeDef & KafkaDef) {
    RED.nodes.createNode(this, def);
    const settings = readKafkaSettings(def, (this.credentials ?? {}) as KafkaCredentials);
    const link = new SharedKafkaLink(settings, (s) => new KafkajsClient(s));
    this.link = link;
    if (settings.kind === 'invalid') this.warn(`banco-kafka: ${settings.message}`);
    this.on('close', (_removed: boolean, done: () => void) => {
      link.close(KAFKA_LIMITS.config_close_wait_ms).then(done, (err: Error) => {
        this.warn(`closing the Kafka client failed: ${err.message}`);
        done();
      });
    });
  }
  RED.nodes.registerType('banco-kafka', BancoKafkaNode, {
    credentials: { username: { type: 'text' }, password: { type: 'password' }, passphrase: { type: 'password' } },
  });
};
