import { getStatus } from './http-transport';

/**
 * Polls /healthz in the background for the whole run: the server must stay alive and answer
 * quickly however it is being fuzzed. Polls do not overlap: the next starts `intervalMs` after
 * the previous one answered (or timed out).
 */
export class HealthzMonitor {
  private polls = 0;
  private readonly failures: string[] = [];
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly serverUrl: string, private readonly intervalMs = 200, private readonly timeoutMs = 2000) {}

  start(): void {
    this.running = true;
    this.loop = this.pollUntilStopped();
  }

  async stop(): Promise<{ polls: number; failures: readonly string[] }> {
    this.running = false;
    await this.loop;
    return { polls: this.polls, failures: this.failures };
  }

  private async pollUntilStopped(): Promise<void> {
    while (this.running) {
      const started = Date.now();
      try {
        const status = await getStatus(this.serverUrl, '/healthz', this.timeoutMs);
        if (status !== 200) this.failures.push(`HTTP ${status} after ${Date.now() - started} ms`);
      } catch (error) {
        this.failures.push(`${error instanceof Error ? error.message : String(error)} after ${Date.now() - started} ms`);
      }
      this.polls += 1;
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }
}
