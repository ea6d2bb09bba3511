/** One bound on open connections shared by every listener (TCP, WebSocket, TLS). */
import type { Server } from 'node:net';
import type { Logger } from '../log';

export interface ConnectionGate {
  /** Counts the server's raw sockets and closes those over the bound. */
  watch(server: Server): void;
  readonly open: number;
}

export function createConnectionGate(max: number, log: Logger): ConnectionGate {
  let open = 0;
  return {
    watch(server) {
      server.on('connection', (socket) => {
        if (open >= max) {
          log.warn('mqtt_connection_refused', { reason: 'connections_max', max, remote: socket.remoteAddress });
          socket.destroy();
          return;
        }
        open++;
        socket.once('close', () => open--);
      });
    },
    get open() {
      return open;
    },
  };
}
