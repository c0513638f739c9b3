/**
 * What a scenario starts beyond the bench's own server and database (a second careslot, its
 * database): registered here, so that a failed scenario, the end of the run and SIGINT/SIGTERM
 * all release it. Latest first: a server stops before the database it runs on is dropped.
 */
export class Cleanups {
  private readonly pending: Array<{ name: string; release: () => Promise<void> }> = [];

  /** Registers `release`; answers a function that runs it once (now) and forgets it. */
  add(name: string, release: () => Promise<void>): () => Promise<void> {
    const entry = { name, release };
    this.pending.push(entry);
    return async () => {
      const index = this.pending.indexOf(entry);
      if (index < 0) return;
      this.pending.splice(index, 1);
      await entry.release();
    };
  }

  /** Releases everything still registered, latest first; one failure does not keep the others. */
  async releaseAll(log: (line: string) => void): Promise<void> {
    while (this.pending.length > 0) {
      const { name, release } = this.pending.pop()!;
      await release().catch((error: unknown) => log(`could not release ${name}: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
}
