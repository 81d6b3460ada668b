/** The camera of a 3-D view: degrees around the vertical axis and above the ground plane, and a zoom distance. */
export interface OrbitCamera {
  azimuth: number;
  elevation: number;
  distance: number;
}

interface PlotlyModule {
  react(root: HTMLElement, data: unknown[], layout?: unknown, config?: unknown): Promise<unknown>;
  purge(root: HTMLElement): void;
}

type GraphDiv = HTMLElement & {on?(event: string, callback: (event: Record<string, unknown>) => void): void};

/** A plotly figure as plain objects. */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
  config: Record<string, unknown>;
}

export interface PlotlyHost {
  /** Settles once plotly has loaded and drawn (or failed to). */
  readonly ready: Promise<void>;
  /** Imports plotly.js (once) and draws; a failure goes to onFailure. */
  load(): void;
  /** Draws the current figure; calls made while a draw is running are coalesced into one more. */
  draw(): void;
  /** Removes the listeners and frees plotly's WebGL context. */
  destroy(): void;
}

/**
 * The plotly.js side shared by LossLab's 3-D views (EmbeddingSphere, LossSurface): plotly is imported
 * lazily on first use, so pages without 3-D never load it; figures are redrawn with Plotly.react, one
 * draw at a time; a visitor's mouse rotation is followed so that the keyboard continues from it; and
 * the view is operable from the keyboard (arrows turn it by 15°, + and − zoom, 0 resets). The component
 * keeps its camera and builds the figure; the host asks for them through the callbacks.
 */
export function plotlyHost<C extends OrbitCamera>(o: {
  view: HTMLElement;
  figure(): PlotlyFigure;
  getCamera(): C;
  setCamera(camera: C): void;
  /** Completes and clamps a camera. */
  normalize(camera: Partial<C>): C;
  /** The camera looking from a plotly eye position, or null. */
  fromEye(eye: {x: number; y: number; z: number}): C | null;
  initial: C;
  /** The visitor turned the view with the mouse (the camera is already updated). */
  onRotate(): void;
  /** The keyboard moved the camera: the component redraws (plotly or its static fallback). */
  onKeyboard(): void;
  onFailure(message: string): void;
}): PlotlyHost {
  const {view} = o;
  let plotly: PlotlyModule | null = null;
  let destroyed = false;
  let drawing = false;
  let pending = false;
  let listening = false;
  let ready: Promise<void> = Promise.resolve();

  async function drawNow(): Promise<void> {
    if (!plotly || destroyed) return;
    if (drawing) {
      pending = true;
      return;
    }
    drawing = true;
    try {
      do {
        pending = false;
        const figure = o.figure();
        await plotly.react(view, figure.data, figure.layout, figure.config);
        if (!listening && typeof (view as GraphDiv).on === "function") {
          listening = true;
          (view as GraphDiv).on!("plotly_relayout", (event) => {
            const eye = (event["scene.camera"] as {eye?: {x: number; y: number; z: number}} | undefined)?.eye;
            const next = eye ? o.fromEye(eye) : null;
            if (next) {
              o.setCamera(next);
              o.onRotate();
            }
          });
        }
      } while (pending && !destroyed);
    } finally {
      drawing = false;
    }
  }

  const listeners = new (view.ownerDocument.defaultView?.AbortController ?? AbortController)(); // the document's own (jsdom in Node)
  view.addEventListener(
    "keydown",
    (event) => {
      const key = (event as KeyboardEvent).key;
      const step = 15;
      const c = o.getCamera();
      let next: C;
      if (key === "ArrowLeft") next = o.normalize({...c, azimuth: c.azimuth - step});
      else if (key === "ArrowRight") next = o.normalize({...c, azimuth: c.azimuth + step});
      else if (key === "ArrowUp") next = o.normalize({...c, elevation: c.elevation + step});
      else if (key === "ArrowDown") next = o.normalize({...c, elevation: c.elevation - step});
      else if (key === "+" || key === "=") next = o.normalize({...c, distance: c.distance / 1.2});
      else if (key === "-" || key === "_") next = o.normalize({...c, distance: c.distance * 1.2});
      else if (key === "0") next = o.initial;
      else return;
      event.preventDefault();
      o.setCamera(next);
      o.onKeyboard();
    },
    {signal: listeners.signal}
  );

  return {
    get ready() {
      return ready;
    },
    load() {
      ready = import("plotly.js-dist-min")
        .then(async (module: unknown) => {
          const m = module as {default?: PlotlyModule} & PlotlyModule;
          plotly = m.default && typeof m.default.react === "function" ? m.default : m;
          if (!destroyed) await drawNow();
        })
        .catch((error: unknown) => {
          if (destroyed) return;
          o.onFailure(error instanceof Error ? error.message : String(error));
        });
    },
    draw() {
      void drawNow();
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      listeners.abort();
      if (plotly) plotly.purge(view);
    }
  };
}
