/** Time is injected (tests and replays pass their own clock); the default reads the system clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Legacy history timestamps: 'YYYY-MM-DD HH:MM:SS' in the core's local time zone (CONTRACT §3). */
export function formatLegacyTimestamp(date: Date): string {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}
