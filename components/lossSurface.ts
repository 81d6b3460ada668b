import {scaleLinear, scaleLog} from "d3-scale";
import type {ComponentElement} from "./internal/component.js";
import {documentOf, resolveRenderer} from "./internal/context.js";
import type {Renderer} from "./internal/context.js";
import type {Exportable, Row} from "./internal/export.js";
import {float32Value, formatValue} from "./internal/format.js";
import {uniqueId} from "./internal/ids.js";
import {armColor, classColors} from "./internal/palette.js";
import {plotlyHost} from "./internal/plotlyHost.js";
import {setText} from "./internal/svg.js";
import {cameraFromEye, sphereCamera} from "./embeddingSphere.js";
import type {SphereCamera} from "./embeddingSphere.js";
import {
  LossContour,
  currentPoint,
  gridMinima,
  gridSize,
  gridValueAt,
  landscapeColorscale,
  landscapeDomain,
  planeAxes,
  planeCaption
} from "./lossContour.js";
import type {LandscapeData, LossContourElement} from "./lossContour.js";

export interface LossSurfaceOptions {
  /** Width in pixels (default 480); the figure shrinks with its container. */
  width: number;
  /** Height of the 3-D view in pixels (default: 0.8 × width). */
  height?: number;
  title?: string;
  description?: string;
  /** The z axis (and the colours): "linear" (default) or "log" (log₁₀ of the loss, ticks labelled in loss). */
  scale: "linear" | "log";
  /** A fixed colour domain [lo, hi] shared with a twin view (landscapeDomain of both grids). */
  domain?: [number, number];
  /** The initial view: degrees around the vertical axis from +a (azimuth), above the plane (elevation), distance. */
  camera: Partial<SphereCamera>;
  /** What the values are, in the axis, colour bar and hover (default "loss"). */
  valueLabel: string;
  /** Colour of the trajectory by arm role ("baseline", "method" …); default vermillion. */
  role?: string;
  /**
   * "canvas": the interactive plotly.js (WebGL) surface, loaded on first use; "svg": the static 2-D
   * fallback (the same grid as a LossContour: jsdom, snapshots, no WebGL); "auto": canvas where the
   * document can draw on a canvas, else svg.
   */
  renderer: Renderer;
  document?: Document;
}

/** The plotly figure of a loss surface, as plain JSON-able objects. */
export interface SurfaceFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
  config: Record<string, unknown>;
}

export type LossSurfaceElement = HTMLDivElement &
  ComponentElement<LandscapeData | null, LossSurfaceOptions> &
  Exportable & {
    /** Settles once the first plotly draw is done (at once for the static fallback). */
    readonly ready: Promise<void>;
    /** The current view of the 3-D scene (keyboard and mouse move it). */
    readonly camera: SphereCamera;
  };

const defaults: LossSurfaceOptions = {width: 480, scale: "linear", camera: {}, renderer: "auto", valueLabel: "loss"};
const defaultCamera: SphereCamera = {azimuth: -125, elevation: 30, distance: 2.1};
// Vermillion: visible on the dark and the light end of the viridis-like ramp.
const trajectoryColor = classColors[3];
const revision = "losslab-loss-surface";

/** The full camera of the surface view from a partial one (azimuth wrapped, elevation within ±89°). */
export function surfaceCamera(camera: Partial<SphereCamera> = {}): SphereCamera {
  return sphereCamera({...defaultCamera, ...camera});
}

/** Round to 6 significant digits: the figure's JSON stays short and stable. */
function round6(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(6)) : v;
}

/**
 * The plotly figure of a loss landscape, pure (no DOM, no plotly): the grid as a surface coloured by
 * the same viridis-like ramp as LossContour (hover: a, b and the loss), the trajectory as a line lying
 * on the surface (its height is the grid's bilinear interpolation at each projected point, so it shows
 * where the path runs over this slice, not the loss at the off-plane weights; points outside the grid
 * leave gaps), the current point and the grid minimum as markers. With {scale: "log"} z is log₁₀ of
 * the loss (non-positive values leave holes) and the ticks are labelled in loss. The config keeps
 * plotly offline: no logo or cloud links, no MathJax, no topojson URL, no tips.
 */
export function surfaceFigure(data: LandscapeData | null, options: Partial<LossSurfaceOptions> = {}): SurfaceFigure {
  const {scale, role, valueLabel: label} = {...defaults, ...options};
  const camera = surfaceCamera(options.camera);
  const log = scale === "log";
  const z = (v: number): number | null =>
    Number.isFinite(v) && (!log || v > 0) ? round6(log ? Math.log10(v) : v) : null;
  const traces: Record<string, unknown>[] = [];
  const grid = data?.grid;
  const {na, nb} = grid ? gridSize(grid) : {na: 0, nb: 0};
  const [lo, hi] = options.domain ?? landscapeDomain([grid], {scale: log ? "log" : "linear"});
  const color = role ? armColor(role) : trajectoryColor;
  // Ticks in loss units: at nice loss values, placed at their (log₁₀) height.
  const tickScale =
    Number.isFinite(lo) && Number.isFinite(hi) && hi > lo ? (log ? scaleLog() : scaleLinear()).domain([lo, hi]) : null;
  const tickValues = tickScale ? tickScale.ticks(5) : [];
  const tickFormat = tickScale ? tickScale.tickFormat(5, log ? "~g" : undefined) : String;
  const shownTicks = tickValues.filter((t) => tickFormat(t) !== "");
  const ticks =
    log && shownTicks.length ? {tickvals: shownTicks.map((t) => z(t)), ticktext: shownTicks.map(tickFormat)} : {};
  if (grid && na >= 1 && nb >= 1) {
    const rows = Array.from({length: nb}, (_, j) => Array.from({length: na}, (_, i) => z(grid.values[j * na + i])));
    const raw = Array.from({length: nb}, (_, j) =>
      Array.from({length: na}, (_, i) => {
        const v = grid.values[j * na + i];
        return Number.isFinite(v) ? round6(v) : null;
      })
    );
    traces.push({
      type: "surface",
      name: label,
      x: Array.from(grid.a, round6),
      y: Array.from(grid.b, round6),
      z: rows,
      customdata: raw,
      colorscale: landscapeColorscale(),
      ...(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo ? {cmin: z(lo), cmax: z(hi)} : {}),
      colorbar: {title: {text: log ? `${label} (log scale)` : label, side: "right"}, thickness: 12, len: 0.6, ...ticks},
      hovertemplate: `a %{x:.3~g}<br>b %{y:.3~g}<br>${label} %{customdata:.4~g}<extra></extra>`,
      lighting: {ambient: 0.75, diffuse: 0.5, specular: 0.05, roughness: 0.9},
      contours: {z: {show: false}}
    });
    const t = data!.trajectory;
    const n = t ? Math.min(t.a.length, t.b.length) : 0;
    if (n > 0) {
      const inside = (a: number, b: number) =>
        a >= grid.a[0] && a <= grid.a[na - 1] && b >= grid.b[0] && b <= grid.b[nb - 1];
      const xs: (number | null)[] = [];
      const ys: (number | null)[] = [];
      const zs: (number | null)[] = [];
      for (let k = 0; k < n; ++k) {
        const a = t!.a[k];
        const b = t!.b[k];
        const ok = Number.isFinite(a) && Number.isFinite(b) && inside(a, b);
        xs.push(ok ? round6(a) : null);
        ys.push(ok ? round6(b) : null);
        zs.push(ok ? z(gridValueAt(grid, a, b)) : null);
      }
      traces.push({
        type: "scatter3d",
        mode: "lines",
        name: "trajectory",
        x: xs,
        y: ys,
        z: zs,
        connectgaps: false,
        line: {color, width: 5},
        hovertemplate: `trajectory<br>a %{x:.3~g}<br>b %{y:.3~g}<extra></extra>`
      });
    }
    const c = currentPoint(data);
    if (c && c.a >= grid.a[0] && c.a <= grid.a[na - 1] && c.b >= grid.b[0] && c.b <= grid.b[nb - 1]) {
      traces.push({
        type: "scatter3d",
        mode: "markers",
        name: "current point",
        x: [round6(c.a)],
        y: [round6(c.b)],
        z: [z(gridValueAt(grid, c.a, c.b))],
        marker: {size: 6, color, symbol: "circle", line: {color: "#000000", width: 1}},
        hovertemplate: `current point<br>a %{x:.3~g}<br>b %{y:.3~g}<extra></extra>`
      });
    }
    const minimum = gridMinima(grid).global;
    if (minimum && z(minimum.value) !== null) {
      traces.push({
        type: "scatter3d",
        mode: "markers",
        name: "grid minimum",
        x: [round6(minimum.a)],
        y: [round6(minimum.b)],
        z: [z(minimum.value)],
        marker: {size: 5, color: "#FFFFFF", symbol: "x", line: {color: "#000000", width: 1}},
        hovertemplate: `grid minimum<br>a %{x:.3~g}<br>b %{y:.3~g}<br>${label} ${formatValue(minimum.value)}<extra></extra>`
      });
    }
  }
  const [xTitle, yTitle] = planeAxes(data?.plane);
  const a = (camera.azimuth * Math.PI) / 180;
  const e = (camera.elevation * Math.PI) / 180;
  const axis = (text: string) => ({title: {text}, zeroline: false, showspikes: false, tickfont: {size: 9}});
  return {
    data: traces,
    layout: {
      autosize: true,
      margin: {l: 0, r: 0, t: 0, b: 0},
      paper_bgcolor: "rgba(0,0,0,0)",
      font: {family: "system-ui, sans-serif", size: 11},
      showlegend: traces.length > 1,
      legend: {x: 0, y: 1, bgcolor: "rgba(255,255,255,0.6)"},
      // Keeps a visitor's rotation across Plotly.react calls while the model trains.
      uirevision: revision,
      scene: {
        aspectmode: "manual",
        aspectratio: {x: 1, y: 1, z: 0.6},
        xaxis: axis(xTitle),
        yaxis: axis(yTitle),
        zaxis: {...axis(log ? `${label} (log scale)` : label), ...ticks},
        camera: {
          eye: {
            x: round6(Math.cos(e) * Math.cos(a) * camera.distance),
            y: round6(Math.cos(e) * Math.sin(a) * camera.distance),
            z: round6(Math.sin(e) * camera.distance)
          },
          up: {x: 0, y: 0, z: 1},
          center: {x: 0, y: 0, z: 0}
        }
      }
    },
    config: {
      displaylogo: false,
      showSendToCloud: false,
      showTips: false,
      typesetMath: false,
      topojsonURL: "",
      scrollZoom: false,
      responsive: true
    }
  };
}

// "Trajectory projected …" → "trajectory projected …" inside a sentence; acronyms ("PCA …") stay.
function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

/**
 * A loss landscape as a 3-D surface (plotly.js, imported lazily on first use so pages without 3-D
 * never load it; redrawn with Plotly.react, released with Plotly.purge): the grid coloured like
 * LossContour, the trajectory as a line on the surface, the current point and the grid minimum. A
 * caption above the view names the plane (and a PCA plane's explained variance). The view is one tab
 * stop: arrow keys turn it by 15°, + and − zoom, 0 resets; the mouse rotates it too.
 *
 * Static fallback: under renderer "svg" (jsdom, snapshots), where plotly cannot load, and for
 * toSVG() (plotly exports only asynchronously, and its WebGL scene not as vector graphics), the same
 * data is drawn as a LossContour with log-scaled levels: the contour map is the faithful flat
 * rendering of the surface, with the same colours, trajectory and markers. toRows() gives
 * one row per grid point (a, b, loss).
 */
export function LossSurface(
  data: LandscapeData | null = null,
  options: Partial<LossSurfaceOptions> = {}
): LossSurfaceElement {
  const document = documentOf(options);
  let current: LossSurfaceOptions = {...defaults, ...options};
  let camera = surfaceCamera(current.camera);
  const initialCamera = camera;
  let state: LandscapeData | null = data;
  let destroyed = false;
  let interactive = resolveRenderer(current.renderer, document) === "canvas";
  let failure: string | null = null;

  const root = document.createElement("div") as unknown as LossSurfaceElement;
  root.className = "losslab-loss-surface";
  root.setAttribute("role", "figure");
  const titleId = uniqueId(document, "losslab-loss-surface-title");
  const descId = uniqueId(document, "losslab-loss-surface-desc");
  root.setAttribute("aria-labelledby", titleId);
  root.setAttribute("aria-describedby", descId);
  const hidden =
    "position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap;";
  const titleNode = document.createElement("div");
  titleNode.id = titleId;
  titleNode.setAttribute("style", hidden);
  const descNode = document.createElement("div");
  descNode.id = descId;
  descNode.setAttribute("style", hidden);
  // The caption over the 3-D view (the static fallback has its own, inside its SVG).
  const caption = document.createElement("div");
  caption.className = "caption";
  caption.setAttribute("style", "font: 12px system-ui, sans-serif; margin-bottom: 4px;");
  const view = document.createElement("div");
  view.className = "view";
  view.tabIndex = 0;
  view.setAttribute("role", "application");
  view.setAttribute("aria-roledescription", "3-D view");
  view.setAttribute("aria-label", "3-D loss surface: arrow keys rotate, plus and minus zoom, 0 resets");
  root.append(titleNode, descNode, caption, view);
  let fallback: LossContourElement | null = null;

  function contourOptions() {
    // The flat fallback is the contour map with its log-scaled levels, whatever the surface's z scale.
    const {width, role, domain, valueLabel} = current;
    return {width, role, domain, scale: "log" as const, valueLabel, title: current.title ?? "Loss surface", document};
  }

  function describe(): string {
    const grid = state?.grid;
    if (!state || !grid) return "3-D surface of a loss landscape; no grid yet.";
    const {na, nb} = gridSize(grid);
    const label = current.valueLabel;
    const parts = [
      `3-D surface of ${label} on a ${na} × ${nb} grid over a plane through parameter space (${state.plane.label})` +
        (current.scale === "log" ? ", height on a log scale" : "")
    ];
    const minimum = gridMinima(grid).global;
    if (minimum)
      parts.push(
        `grid minimum ${formatValue(minimum.value)} at a ${formatValue(minimum.a)}, b ${formatValue(minimum.b)}`
      );
    const t = state.trajectory;
    const n = t ? Math.min(t.a.length, t.b.length) : 0;
    if (n) parts.push(`the training trajectory (${n} points) is drawn on the surface`);
    if (!interactive || failure) parts.push("shown as a flat contour map (static fallback)");
    else parts.push(`seen from azimuth ${Math.round(camera.azimuth)}° and elevation ${Math.round(camera.elevation)}°`);
    if (failure) parts.push(`the interactive 3-D view is unavailable (${failure})`);
    return `${[...parts, ...planeCaption(state).slice(1).map(lowerFirst)].join("; ")}.`;
  }

  function layout(): void {
    const height = current.height ?? Math.round(current.width * 0.8);
    const live = interactive && !failure;
    root.setAttribute("style", `position: relative; width: ${current.width}px; max-width: 100%;`);
    view.setAttribute("style", live ? `width: 100%; height: ${height}px;` : "width: 100%;");
    setText(titleNode, current.title ?? "Loss surface");
    setText(descNode, current.description ?? describe());
    caption.replaceChildren(
      ...(live ? planeCaption(state) : []).map((line, k) => {
        const p = document.createElement("div");
        if (k === 0) p.setAttribute("style", "font-weight: bold;");
        p.textContent = line;
        return p;
      })
    );
    caption.setAttribute("style", live ? "font: 12px system-ui, sans-serif; margin-bottom: 4px;" : "display: none;");
  }

  function renderStatic(): void {
    if (!fallback) {
      fallback = LossContour(state, contourOptions());
      // The wrapper names and describes the figure; the SVG keeps its own title and desc for export.
      fallback.setAttribute("aria-hidden", "true");
      view.replaceChildren(fallback);
    } else {
      fallback.update(state, contourOptions());
    }
  }

  const host = plotlyHost({
    view,
    figure: () => surfaceFigure(state, {...current, camera}),
    getCamera: () => camera,
    setCamera: (next) => {
      camera = next;
    },
    normalize: surfaceCamera,
    fromEye: cameraFromEye,
    initial: initialCamera,
    // Follow the visitor's mouse rotation, so that the keyboard continues from it.
    onRotate: () => setText(descNode, current.description ?? describe()),
    onKeyboard: () => render(),
    onFailure: (message) => {
      failure = message;
      render();
    }
  });

  function render(): void {
    layout();
    if (interactive && !failure) host.draw();
    else renderStatic();
  }

  render();
  if (interactive) host.load();

  Object.defineProperty(root, "ready", {get: () => host.ready});
  Object.defineProperty(root, "camera", {get: () => camera});
  root.update = function (
    this: LossSurfaceElement,
    next: LandscapeData | null,
    nextOptions?: Partial<LossSurfaceOptions>
  ) {
    if (destroyed) return this;
    state = next ?? null;
    if (nextOptions) {
      current = {...current, ...nextOptions};
      if (nextOptions.camera) camera = surfaceCamera({...camera, ...nextOptions.camera});
    }
    render();
    return this;
  };
  root.destroy = function () {
    if (destroyed) return;
    destroyed = true;
    host.destroy();
    fallback?.destroy();
    interactive = false;
  };
  root.toSVG = function () {
    const exported = LossContour(state, contourOptions());
    const markup = exported.toSVG();
    exported.destroy();
    return markup;
  };
  root.toRows = function (): Row[] {
    const grid = state?.grid;
    if (!grid) return [];
    const {na, nb} = gridSize(grid);
    const rows: Row[] = [];
    for (let j = 0; j < nb; ++j) {
      for (let i = 0; i < na; ++i) rows.push({a: grid.a[i], b: grid.b[j], loss: float32Value(grid.values[j * na + i])});
    }
    return rows;
  };
  return root;
}
