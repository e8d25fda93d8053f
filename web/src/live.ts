/**
 * Live updates by polling: one load at a time, every `intervalMs` (≤ 5 s), plus `now()` after the
 * user acts. On AWS this keeps no Lambda or connection open between polls — each poll is a few
 * short list queries — which is why it was chosen over WebSockets for now.
 */
export interface Poller {
  /** Loads again at once (or right after the load in flight). */
  now(): void;
  stop(): void;
}

export const startPolling = (
  load: () => Promise<void>,
  intervalMs: number,
  onResult: (error?: unknown) => void,
): Poller => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let again = false;
  let stopped = false;

  const tick = async () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    running = true;
    const started = Date.now();
    try {
      await load();
      onResult();
    } catch (error) {
      onResult(error);
    } finally {
      running = false;
      if (!stopped) {
        if (again) {
          again = false;
          void tick();
          // The interval runs from the start of a load: a slow load doesn't stretch the update latency.
        } else timer = setTimeout(() => void tick(), Math.max(250, intervalMs - (Date.now() - started)));
      }
    }
  };
  void tick();
  return {
    now: () => void tick(),
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
};
