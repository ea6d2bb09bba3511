/**
 * aedes has no packet size limit: mqtt-packet buffers a packet until it is complete, whatever
 * length its header claims. This guard reads only the fixed headers (MQTT 3.1.1 §2.2: one type
 * byte, then a 1–4 byte variable-length "remaining length") and ends the connection as soon as a
 * packet claims more than the bound, before its body is buffered.
 */
import { Duplex, Transform, pipeline, type TransformCallback } from 'node:stream';

const LENGTH_BYTES_MAX = 4;

export class PacketRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PacketRefusedError';
  }
}

/** Follows packet boundaries through any chunking; returns an error for the first bad header. */
export function createHeaderScanner(max: number): (chunk: Buffer) => Error | null {
  let state: 'type' | 'length' | 'body' = 'type';
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let remaining = 0;
  return (chunk) => {
    let i = 0;
    while (i < chunk.length) {
      if (state === 'body') {
        const skip = Math.min(remaining, chunk.length - i);
        remaining -= skip;
        i += skip;
        if (remaining === 0) state = 'type';
      } else if (state === 'type') {
        i++;
        state = 'length';
        length = 0;
        multiplier = 1;
        lengthBytes = 0;
      } else {
        const byte = chunk[i++];
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        lengthBytes++;
        if (length > max) return new PacketRefusedError(`MQTT packet of ${length} bytes exceeds ${max}`);
        if (byte & 0x80) {
          if (lengthBytes >= LENGTH_BYTES_MAX) return new PacketRefusedError('malformed MQTT remaining length');
          continue;
        }
        remaining = length;
        state = remaining > 0 ? 'body' : 'type';
      }
    }
    return null;
  };
}

/** The connection as aedes should see it: reads pass through the scanner, writes go straight out. */
export function guardPacketSize(conn: Duplex, max: number, onRefused: (err: Error) => void): Duplex {
  const scan = createHeaderScanner(max);
  const scanner = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      const err = scan(chunk);
      if (err === null) done(null, chunk);
      else done(err);
    },
  });
  pipeline(conn, scanner, (err) => {
    if (err instanceof PacketRefusedError) onRefused(err);
  });
  return Duplex.from({ readable: scanner, writable: conn });
}
