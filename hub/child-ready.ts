/**
 * The child's side of supervision: a component started by the supervisor (over an IPC channel)
 * says when it is ready, and stops itself when the supervisor is gone (its channel closes), so a
 * supervisor killed with SIGKILL leaves no component running unsupervised.
 */
export const READY_MESSAGE_TYPE = 'banco.ready';

export interface ReadyMessage {
  type: typeof READY_MESSAGE_TYPE;
  component: string;
}

export function isReadyMessage(m: unknown): m is ReadyMessage {
  return typeof m === 'object' && m !== null && (m as ReadyMessage).type === READY_MESSAGE_TYPE && typeof (m as ReadyMessage).component === 'string';
}

/** Tells the supervisor, if there is one, that `component` serves. */
export function reportReady(component: string): void {
  if (typeof process.send === 'function' && process.connected) process.send({ type: READY_MESSAGE_TYPE, component } satisfies ReadyMessage);
}

/** Calls `stop` once when the supervisor's channel closes; nothing when not supervised. */
export function stopWhenSupervisorGone(stop: () => void): void {
  if (typeof process.send === 'function') process.once('disconnect', stop);
}
