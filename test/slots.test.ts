/** The one counting semaphore (core/slots.ts): FIFO hand-over and a bounded wait list. */
import { Slots } from '../core/slots';

test('hands a released slot to the waiters in arrival order, and refuses a caller past the wait bound', async () => {
  const slots = new Slots(1, 2, () => new Error('full'));
  const order: number[] = [];
  await slots.acquire();
  const waiting = [1, 2].map((n) => slots.acquire().then(() => order.push(n)));
  await expect(slots.acquire()).rejects.toThrow('full');
  slots.release();
  await waiting[0];
  slots.release();
  await waiting[1];
  expect(order).toEqual([1, 2]);
  slots.release();
  await expect(slots.run(async () => 'ran')).resolves.toBe('ran'); // the slot came back free
});
