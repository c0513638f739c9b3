/**
 * Waits for a condition by asking again every 25 ms (no fixed sleeps); returns the first value
 * the condition accepts, or fails after timeoutMs naming what it waited for and what it last saw.
 */
export async function until<T>(
  read: () => T | Promise<T>,
  accept: (value: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}; last saw: ${describe(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}
