/**
 * Runs `work` every `everyMs` on this instance, never keeping the process alive for it; a failed
 * run is reported and the next one comes as usual. Answers the stop function.
 */
export function repeatEvery(everyMs: number, work: () => Promise<unknown>, failed: (error: Error) => void): () => void {
  const timer = setInterval(() => void work().catch(failed), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
