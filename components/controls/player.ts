import type {TrainControl} from "../../src/train/control.js";
import {speeds} from "../../src/train/control.js";

/** What the player shows of a run: a subset of the trainer's event. */
export interface RunState {
  step: number;
  status: "ready" | "running" | "paused" | "diverged" | "done";
  backend: string;
  stepsPerSecond: number;
  arms: readonly {id: string; label: string; loss: number}[];
  message?: string;
  notice?: string;
}

export interface PlayerOptions {
  document?: Document;
  /** Element whose visibility holds the run (default: the player); training pauses while it is off screen. */
  observe?: Element;
  /** Total steps of the run, for the read-out. */
  steps?: number;
}

export interface PlayerElement extends HTMLElement {
  update(state: RunState): PlayerElement;
  destroy(): void;
}

const statusText: Record<RunState["status"], string> = {
  ready: "ready",
  running: "training",
  paused: "paused",
  diverged: "stopped: diverged",
  done: "finished"
};

/**
 * Play / pause / step / reset and speed for a live run, with a read-out of step, speed and backend.
 * It is the run's root element: `update(event)` mirrors the run on it as data attributes (data-step,
 * data-loss, data-losses, data-backend, data-status) for tests, benchmarks and embedding pages. While the
 * observed element is off screen the run holds, and resumes when it returns.
 */
export function Player(control: TrainControl, options: PlayerOptions = {}): PlayerElement {
  const document = options.document ?? globalThis.document;
  const root = document.createElement("div") as unknown as PlayerElement;
  root.className = "losslab-run";
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", "Training controls");

  const button = (text: string, label: string, onClick: () => void) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.title = label;
    b.addEventListener("click", onClick);
    return b;
  };
  const play = button("", "", () => control.toggle());
  play.className = "losslab-play";
  const step = button("Step", "Train one step", () => control.step(1));
  const reset = button("Reset", "Restart from step 0 with the same seed", () => control.reset());
  const speedLabel = document.createElement("label");
  speedLabel.textContent = "steps / frame ";
  const speed = document.createElement("select");
  for (const s of speeds) {
    const o = document.createElement("option");
    o.value = String(s);
    o.textContent = String(s);
    speed.append(o);
  }
  speed.addEventListener("change", () => control.setSpeed(Number(speed.value)));
  speedLabel.append(speed);
  const readout = document.createElement("output");
  readout.className = "losslab-readout";
  readout.setAttribute("aria-live", "off");
  const buttons = document.createElement("div");
  buttons.className = "losslab-buttons";
  buttons.append(play, step, reset, speedLabel, readout);
  const message = document.createElement("div");
  message.className = "losslab-message";
  message.setAttribute("role", "alert");
  message.hidden = true;
  const notice = document.createElement("div");
  notice.className = "losslab-notice";
  notice.setAttribute("role", "status");
  notice.hidden = true;
  root.append(buttons, message, notice);

  let status: RunState["status"] = "ready";
  const renderControl = () => {
    const stopped = status === "diverged" || status === "done";
    play.textContent = control.playing ? "Pause" : "Play";
    play.setAttribute("aria-label", control.playing ? "Pause training" : "Resume training");
    play.title = play.getAttribute("aria-label")!;
    play.setAttribute("aria-pressed", String(control.playing));
    play.disabled = stopped;
    step.disabled = stopped;
    speed.value = String(control.speed);
  };
  const unsubscribe = control.subscribe(renderControl);
  renderControl();

  const window = document.defaultView as (Window & typeof globalThis) | null;
  let observer: IntersectionObserver | undefined;
  if (window?.IntersectionObserver) {
    observer = new window.IntersectionObserver((entries) => {
      for (const entry of entries) control.setVisible(entry.isIntersecting);
    });
    observer.observe(options.observe ?? root);
  }

  root.update = (state) => {
    status = state.status;
    root.dataset.step = String(state.step);
    root.dataset.status = state.status;
    root.dataset.backend = state.backend;
    root.dataset.loss = String(state.arms[0]?.loss ?? NaN);
    root.dataset.losses = state.arms.map((a) => a.loss).join(",");
    root.dataset.arms = state.arms.map((a) => a.id).join(",");
    const rate = state.stepsPerSecond > 0 ? ` · ${formatRate(state.stepsPerSecond)} steps/s` : "";
    const total = options.steps ? ` / ${options.steps.toLocaleString("en-US")}` : "";
    readout.textContent = `step ${state.step.toLocaleString("en-US")}${total} · ${statusText[state.status]}${rate} · ${state.backend}`;
    message.hidden = !state.message;
    message.textContent = state.message ?? "";
    if (state.notice) {
      notice.hidden = false;
      notice.textContent = state.notice;
    }
    renderControl();
    return root;
  };
  root.destroy = () => {
    unsubscribe();
    observer?.disconnect();
    root.replaceChildren();
  };
  return root;
}

function formatRate(r: number): string {
  return r >= 100 ? String(Math.round(r)) : r >= 10 ? r.toFixed(0) : r.toFixed(1);
}
