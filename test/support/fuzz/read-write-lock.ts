/**
 * Many readers or one writer. Queries and subscriptions share it; each mutation takes it alone,
 * so that the database snapshots around a mutation see that mutation's changes and nothing else.
 * Writers queue ahead of readers that arrive after them, so mutations are not starved.
 */
export class ReadWriteLock {
  private readers = 0;
  private writing = false;
  private readonly queue: Array<{ writer: boolean; start: () => void }> = [];

  shared<T>(work: () => Promise<T>): Promise<T> {
    return this.run(false, work);
  }

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.run(true, work);
  }

  private async run<T>(writer: boolean, work: () => Promise<T>): Promise<T> {
    await new Promise<void>((start) => {
      this.queue.push({ writer, start });
      this.dispatch();
    });
    try {
      return await work();
    } finally {
      if (writer) this.writing = false;
      else this.readers -= 1;
      this.dispatch();
    }
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.writing) {
      const next = this.queue[0];
      if (next.writer && this.readers > 0) return;
      this.queue.shift();
      if (next.writer) this.writing = true;
      else this.readers += 1;
      next.start();
    }
  }
}
