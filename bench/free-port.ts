/** A free TCP port on loopback, for the embedded broker of a bench run (never 1883). */
import net from 'node:net';

export function freePortFor(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
