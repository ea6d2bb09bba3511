import { SinkError } from '../../../nodes/shared/sink/sink-error';
import { backoffMs, SinkQueue, type Outcome, type SinkQueueOptions, type SinkTransport } from '../../../nodes/shared/sink/sink-queue';

/** A transport whose behaviour each test scripts: `fail` decides per call what happens. */
class ScriptedTransport implements SinkTransport<string> {
  readonly calls: string[][] = [];
  readonly accepted: string[] = [];
  fail: (batch: readonly string[], call: number) => Error | readonly Outcome[] | undefined = () => undefined;

  async send(batch: readonly string[]): Promise<readonly Outcome[] | void> {
    this.calls.push([...batch]);
    const verdict = this.fail(batch, this.calls.length);
    if (verdict instanceof Error) throw verdict;
    if (verdict) {
      batch.forEach((item, i) => { if (verdict[i] === undefined) this.accepted.push(item); });
      return verdict;
    }
    this.accepted.push(...batch);
  }
}

const noSleep = async () => {};

function queueOf(transport: ScriptedTransport, overrides: Partial<SinkQueueOptions> = {}): SinkQueue<string> {
  return new SinkQueue(transport, {
    queueMax: 100, batchMax: 1, lingerMs: 0, dedupeIds: 1000,
    retry: { initial_ms: 1, max_ms: 1, attempts_max: Infinity },
    sleep: noSleep, ...overrides,
  });
}

describe('SinkQueue', () => {
  it('resolves each push only after the transport accepted it, in push order', async () => {
    const t = new ScriptedTransport();
    const q = queueOf(t);
    const results = await Promise.all(['a', 'b', 'c'].map((v) => q.push(v, v)));
    expect(results).toEqual(['sent', 'sent', 'sent']);
    expect(t.accepted).toEqual(['a', 'b', 'c']);
    expect(q.stats()).toMatchObject({ sent: 3, failed: 0, backlog: 0 });
  });

  it('retries a transient failure at the head of the queue, so later items never overtake it', async () => {
    const t = new ScriptedTransport();
    t.fail = (batch, call) => (batch[0] === 'a' && call < 4 ? new SinkError('transient', 'server down') : undefined);
    const q = queueOf(t);
    await Promise.all(['a', 'b', 'c'].map((v) => q.push(v, v)));
    expect(t.accepted).toEqual(['a', 'b', 'c']);
    expect(t.calls.slice(0, 3)).toEqual([['a'], ['a'], ['a']]);
    expect(q.stats().failingAttempts).toBe(0);
  });

  it('treats an error that is not a SinkError as transient unless the transport classifies it', async () => {
    const t = new ScriptedTransport();
    t.fail = (_b, call) => (call === 1 ? new Error('ECONNRESET') : undefined);
    await expect(queueOf(t).push('a', 'a')).resolves.toBe('sent');
    expect(t.calls.length).toBe(2);

    const t2 = new ScriptedTransport();
    t2.fail = () => new Error('535 auth failed');
    (t2 as SinkTransport<string>).classify = (err) => new SinkError('auth', (err as Error).message);
    await expect(queueOf(t2).push('a', 'a')).rejects.toMatchObject({ code: 'auth', retriable: false });
    expect(t2.calls.length).toBe(1);
  });

  it('rejects a permanent failure at once and goes on with the next item', async () => {
    const t = new ScriptedTransport();
    t.fail = (batch) => (batch[0] === 'bad' ? new SinkError('permanent', '552 message too large') : undefined);
    const q = queueOf(t);
    const bad = q.push('bad', 'bad');
    const good = q.push('good', 'good');
    await expect(bad).rejects.toMatchObject({ code: 'permanent' });
    await expect(good).resolves.toBe('sent');
    expect(t.calls).toEqual([['bad'], ['good']]);
    expect(q.stats()).toMatchObject({ sent: 1, failed: 1 });
  });

  it('gives up after attempts_max transient failures with attempts_exhausted', async () => {
    const t = new ScriptedTransport();
    t.fail = () => new SinkError('transient', 'timeout');
    const q = queueOf(t, { retry: { initial_ms: 1, max_ms: 1, attempts_max: 3 } });
    await expect(q.push('a', 'a')).rejects.toMatchObject({ code: 'attempts_exhausted' });
    expect(t.calls.length).toBe(3);
  });

  it('with per-item outcomes, accepts some, refuses some and retries only the transient ones', async () => {
    const t = new ScriptedTransport();
    t.fail = (batch, call) => (call === 1 ? batch.map((v) => (v === 'x' ? new SinkError('permanent', 'too big') : v === 'y' ? new SinkError('transient', 'later') : undefined)) : undefined);
    const q = queueOf(t, { batchMax: 3 });
    const pushes = ['w', 'x', 'y'].map((v) => q.push(v, v).catch((e: SinkError) => e.code));
    expect(await Promise.all(pushes)).toEqual(['sent', 'permanent', 'sent']);
    expect(t.calls).toEqual([['w', 'x', 'y'], ['y']]);
  });

  it('refuses the newest item with queue_full at the bound and keeps the ones already queued', async () => {
    const t = new ScriptedTransport();
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    t.send = async function (this: ScriptedTransport, batch) { await gate; this.accepted.push(...batch); };
    const q = queueOf(t, { queueMax: 2 });
    const first = q.push('a', 'a');
    const second = q.push('b', 'b');
    await expect(q.push('c', 'c')).rejects.toMatchObject({ code: 'queue_full' });
    release();
    await expect(Promise.all([first, second])).resolves.toEqual(['sent', 'sent']);
    expect(t.accepted).toEqual(['a', 'b']);
  });

  it('does not send an event id twice: delivered ids and queued ids are duplicates', async () => {
    const t = new ScriptedTransport();
    const q = queueOf(t);
    const [a1, a2] = [q.push('id-1', 'a'), q.push('id-1', 'a again')];
    expect(await Promise.all([a1, a2])).toEqual(['sent', 'duplicate']);
    expect(await q.push('id-1', 'a third time')).toBe('duplicate');
    expect(await q.push(undefined, 'no id')).toBe('sent');
    expect(await q.push(undefined, 'no id')).toBe('sent');
    expect(t.accepted).toEqual(['a', 'no id', 'no id']);
    expect(q.stats().duplicates).toBe(2);
  });

  it('collects a batch for up to lingerMs, and sends a full batch at once', async () => {
    const t = new ScriptedTransport();
    const q = queueOf(t, { batchMax: 3, lingerMs: 50 });
    const pushes = ['a', 'b'].map((v) => q.push(v, v));
    await new Promise((r) => setTimeout(r, 10));
    expect(t.calls).toEqual([]);
    pushes.push(q.push('c', 'c'));
    await Promise.all(pushes);
    expect(t.calls).toEqual([['a', 'b', 'c']]);
    const started = Date.now();
    await q.push('d', 'd');
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(t.calls[1]).toEqual(['d']);
  });

  it('flushes what is queued on close, and refuses new items', async () => {
    const t = new ScriptedTransport();
    const q = queueOf(t, { batchMax: 10, lingerMs: 10_000 });
    const pushes = ['a', 'b'].map((v) => q.push(v, v));
    await expect(q.close(1000)).resolves.toEqual({ unsent: 0 });
    await expect(Promise.all(pushes)).resolves.toEqual(['sent', 'sent']);
    await expect(q.push('c', 'c')).rejects.toMatchObject({ code: 'closed' });
  });

  it('on close, rejects with closed what the flush time could not deliver', async () => {
    const t = new ScriptedTransport();
    t.fail = () => new SinkError('transient', 'down');
    const q = new SinkQueue(t, { queueMax: 10, batchMax: 1, lingerMs: 0, dedupeIds: 0, retry: { initial_ms: 20, max_ms: 20, attempts_max: Infinity } });
    const pushes = ['a', 'b'].map((v) => q.push(v, v).catch((e: SinkError) => e.code));
    await expect(q.close(100)).resolves.toEqual({ unsent: 2 });
    expect(await Promise.all(pushes)).toEqual(['closed', 'closed']);
  });

  it('backs off exponentially up to max_ms, half of it random', () => {
    const policy = { initial_ms: 100, max_ms: 1000, attempts_max: Infinity };
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(policy, n, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(policy, n, () => 0))).toEqual([50, 100, 200, 400, 500]);
  });
});
