/**
 * What this instance last wrote of something kept from traffic (a link's or a connection's
 * health): the same state again is written at most every `refreshMs`, a new state at once.
 */
export class WriteThrottle {
  private readonly written = new Map<string, { state: string; at: number }>();

  constructor(private readonly refreshMs: number) {}

  /** Whether this state of `key` is due a write now; if it is, it counts as written. */
  due(key: string, state: string): boolean {
    const last = this.written.get(key);
    if (last && last.state === state && Date.now() - last.at < this.refreshMs) return false;
    this.written.set(key, { state, at: Date.now() });
    return true;
  }

  /** The write failed: the next report writes again. */
  forget(key: string): void {
    this.written.delete(key);
  }
}
