/**
 * Play / pause / single step / reset / speed for a live run, shared by the player UI (which calls the
 * commands) and the trainer (which consumes them). Plain data and callbacks, no DOM.
 */
export interface TrainControl {
  readonly playing: boolean;
  /** Whether the run's figure is on screen; an off-screen run holds without changing `playing`. */
  readonly visible: boolean;
  /** Training steps per yielded event (per animation frame in a page). */
  readonly speed: number;
  play(): void;
  pause(): void;
  toggle(): void;
  /** Requests one step (or n) while paused. */
  step(n?: number): void;
  /** Requests a restart from step 0 with the same seed. */
  reset(): void;
  setSpeed(stepsPerYield: number): void;
  setVisible(visible: boolean): void;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** For the trainer: whether it should run steps now. */
  readonly running: boolean;
  /** For the trainer: takes pending single steps (returns how many). */
  takeSteps(): number;
  /** For the trainer: takes a pending reset. */
  takeReset(): boolean;
  /** For the trainer: resolves at the next change or when `signal` aborts. */
  changed(signal?: AbortSignal): Promise<void>;
}

export const speeds = [1, 2, 5, 10, 20, 50] as const;

export function trainControl(options: {playing?: boolean; speed?: number} = {}): TrainControl {
  let playing = options.playing ?? true;
  let visible = true;
  let speed = options.speed ?? 5;
  let pendingSteps = 0;
  let pendingReset = false;
  const listeners = new Set<() => void>();
  let wake: (() => void)[] = [];
  const notify = () => {
    const w = wake;
    wake = [];
    for (const resolve of w) resolve();
    for (const listener of listeners) listener();
  };
  const control: TrainControl = {
    get playing() {
      return playing;
    },
    get visible() {
      return visible;
    },
    get speed() {
      return speed;
    },
    get running() {
      return playing && visible;
    },
    play() {
      playing = true;
      notify();
    },
    pause() {
      playing = false;
      notify();
    },
    toggle() {
      playing = !playing;
      notify();
    },
    step(n = 1) {
      playing = false;
      pendingSteps += n;
      notify();
    },
    reset() {
      pendingReset = true;
      notify();
    },
    setSpeed(s) {
      if (!(Number.isInteger(s) && s >= 1)) throw new Error(`invalid speed: ${s}`);
      speed = s;
      notify();
    },
    setVisible(v) {
      if (v === visible) return;
      visible = v;
      notify();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    takeSteps() {
      const n = pendingSteps;
      pendingSteps = 0;
      return n;
    },
    takeReset() {
      const r = pendingReset;
      pendingReset = false;
      return r;
    },
    changed(signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        wake.push(resolve);
        signal?.addEventListener("abort", () => resolve(), {once: true});
      });
    }
  };
  return control;
}
