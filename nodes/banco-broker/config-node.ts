/** What a banco-broker config node offers the nodes that use it. */
import type { RedNode } from '../shared/node-red';
import type { BrokerConnection } from './connection';

export interface BrokerConfigNode extends RedNode {
  connection: BrokerConnection;
  topicPrefix: string;
}
