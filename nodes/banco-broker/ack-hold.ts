/**
 * Holding a QoS 1 message's PUBACK until the flow is done with it.
 *
 * mqtt.js acknowledges an incoming QoS 1 PUBLISH right after its 'message' listeners return, and
 * reads the next packet only once that PUBACK is written — so holding its callback
 * (`handleMessage`) would make the connection take one message at a time. Instead the PUBACK
 * itself is held: when mqtt.js hands a PUBACK for a held packet id to `_sendPacket`, the packet is
 * kept and mqtt.js is told it was written, so reading goes on; the real write happens when every
 * holder released it. mqtt.js is pinned (package.json) and test/nodes/banco-events/ack-after-flow.test.ts
 * fails if this private method changes.
 *
 * Held acks belong to one network connection: after a reconnect, packet ids are reused by the
 * broker for other messages, so acks held for the old connection are dropped (`abandon`), and the
 * broker, which never got them, redelivers those messages in the persistent session.
 */
import type { MqttClient, Packet } from 'mqtt';

interface Held {
  holders: number;
  /** The PUBACK mqtt.js wanted to send, once it did. */
  send?: () => void;
}

export class HeldAcks {
  private readonly held = new Map<number, Held>();
  private abandoned = false;

  /** Registers one holder of packet `id`; the returned function releases it (once). */
  hold(id: number): () => void {
    const entry = this.held.get(id) ?? { holders: 0 };
    entry.holders += 1;
    this.held.set(id, entry);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      entry.holders -= 1;
      if (entry.holders > 0 || this.held.get(id) !== entry) return;
      this.held.delete(id);
      if (!this.abandoned) entry.send?.();
    };
  }

  /** Called with mqtt.js's PUBACK write; true when it is held for later. */
  intercept(id: number, send: () => void): boolean {
    const entry = this.held.get(id);
    if (!entry || entry.holders === 0) return false;
    entry.send = send;
    return true;
  }

  get size(): number {
    return this.held.size;
  }

  abandon(): void {
    this.abandoned = true;
    this.held.clear();
  }
}

type SendPacket = (packet: Packet, cb?: (err?: Error) => void, cbStorePut?: () => void, noStore?: boolean) => void;

/** Routes the client's PUBACKs through the current HeldAcks. */
export function holdPubacks(client: MqttClient, current: () => HeldAcks): void {
  const target = client as unknown as { _sendPacket?: SendPacket };
  if (typeof target._sendPacket !== 'function') throw new Error('mqtt.js has no _sendPacket: the PUBACK hold needs the pinned mqtt version');
  const original = target._sendPacket.bind(client);
  target._sendPacket = (packet, cb, cbStorePut, noStore) => {
    if (packet.cmd === 'puback' && typeof packet.messageId === 'number') {
      const acks = current();
      if (acks.intercept(packet.messageId, () => original(packet, undefined, undefined, noStore))) {
        cb?.();
        return;
      }
    }
    original(packet, cb, cbStorePut, noStore);
  };
}
