/** Binding a port, with the one clear line CONTRACT §1 asks for when it fails. */
import type { Server } from 'node:net';
import { ConfigError } from '../errors';

export function listenOrExplain(server: Server, host: string, port: number, setting: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const where = `${host}:${port}`;
      if (err.code === 'EADDRINUSE') reject(new ConfigError(`${what}: port ${where} is already in use; stop the other process or set ${setting} to a free port.`));
      else if (err.code === 'EACCES') reject(new ConfigError(`${what}: no permission to listen on ${where}; use a port above 1023 (${setting}).`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') reject(new ConfigError(`${what}: address ${host} is not on this machine; set HOST to one of its addresses.`));
      else reject(new ConfigError(`${what}: cannot listen on ${where} (${err.code ?? err.message}).`));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
