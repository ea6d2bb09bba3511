/**
 * The Kafka client's state as the shared sink status and registry see it: `connected` only after
 * a request to the cluster succeeded; an unreachable broker is `disconnected` (red), refused
 * credentials an `error`.
 */
import type { ConnectionState as ClientState } from '../banco-kafka/client';
import type { Connection } from '../shared/sink/sink-node';

export function sinkConnectionOf(state: ClientState): Connection {
  switch (state.state) {
    case 'connected': return { state: 'connected' };
    case 'connecting': return { state: 'connecting' };
    case 'unreachable': return { state: 'disconnected' };
    case 'closed': return { state: 'disconnected' };
    case 'failed': return { state: 'error', detail: state.error };
  }
}
