import {select} from "d3-selection";
import type {ComponentElement} from "./internal/component.js";
import {createSvgElement, documentOf, resolveRenderer} from "./internal/context.js";
import type {Renderer} from "./internal/context.js";
import {svgMarkup} from "./internal/export.js";
import type {Exportable, Row} from "./internal/export.js";
import {float32Value, formatValue, px} from "./internal/format.js";
import {uniqueId} from "./internal/ids.js";
import {classColor} from "./internal/palette.js";
import {plotlyHost} from "./internal/plotlyHost.js";
import {createFigureSvg, setAttribute, setSvgSize, setText} from "./internal/svg.js";

/** A 3-D embedding (normally L2-normalised, so on the unit sphere) of labelled points, optionally with class weights. */
export interface SphereData {
  classes: number;
  points: {
    /** [n, 3] row-major. */
    x: Float32Array;
    label: Int32Array;
    /** Keys (default: the index); shown as the sample id. */
    ids?: Int32Array;
    /** Predicted classes; misclassified points are diamonds (outlined in the static projection). */
    predicted?: Int32Array;
    /** Per-sample loss, shown on hover. */
    loss?: Float32Array;
  };
  /** [classes, 3] class weight vectors; drawn as unit directions from the origin. */
  weights?: Float32Array;
}

/** Where the viewer stands: degrees around the z₃ axis from z₁ (azimuth) and above the z₁z₂ plane (elevation). */
export interface SphereCamera {
  azimuth: number;
  elevation: number;
  /** Distance of plotly's camera eye from the centre (zoom; default 2). */
  distance: number;
}

export interface EmbeddingSphereOptions {
  /** Width in pixels (default 420); the figure shrinks with its container. */
  width: number;
  /** Height in pixels (default: the width). */
  height?: number;
  title?: string;
  description?: string;
  /** Marker size in pixels (default 4). */
  pointSize: number;
  /** The initial view (default azimuth 45°, elevation 25°, distance 2). */
  camera: Partial<SphereCamera>;
  /**
   * "canvas": the interactive plotly.js (WebGL) scene, loaded on first use; "svg": the static
   * orthographic projection only (jsdom, snapshots, no WebGL); "auto": canvas where the document can
   * draw on a canvas, else svg.
   */
  renderer: Renderer;
  document?: Document;
}

export type EmbeddingSphereElement = HTMLDivElement &
  ComponentElement<SphereData | null, EmbeddingSphereOptions> &
  Exportable & {
    /** Settles once the first plotly draw is done (at once for the static projection). */
    readonly ready: Promise<void>;
  };

/** The plotly figure of a sphere view, as plain JSON-able objects. */
export interface SphereFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
  config: Record<string, unknown>;
}

const defaults: EmbeddingSphereOptions = {width: 420, pointSize: 4, camera: {}, renderer: "auto"};
const defaultCamera: SphereCamera = {azimuth: 45, elevation: 25, distance: 2};
const sphereColor = "#888888";
const revision = "losslab-embedding-sphere";

/** The full camera from a partial one; elevation is kept within ±89° so "up" stays defined. */
export function sphereCamera(camera: Partial<SphereCamera> = {}): SphereCamera {
  const c = {...defaultCamera, ...camera};
  const wrap = (a: number) => ((((a + 180) % 360) + 360) % 360) - 180;
  return {
    azimuth: Number.isFinite(c.azimuth) ? wrap(c.azimuth) : defaultCamera.azimuth,
    elevation: Number.isFinite(c.elevation) ? Math.max(-89, Math.min(89, c.elevation)) : defaultCamera.elevation,
    distance: c.distance > 0 && Number.isFinite(c.distance) ? c.distance : defaultCamera.distance
  };
}

/** An angle for a caption, with a true minus sign: "−60°". */
function degrees(value: number): string {
  return `${Math.round(value)}°`.replace("-", "−");
}

/** The unit vector from the centre towards the viewer. */
function eyeDirection({azimuth, elevation}: SphereCamera): [number, number, number] {
  const a = (azimuth * Math.PI) / 180;
  const e = (elevation * Math.PI) / 180;
  return [Math.cos(e) * Math.cos(a), Math.cos(e) * Math.sin(a), Math.sin(e)];
}

/** The camera looking from a plotly eye position (inverse of the eye in sphereFigure's layout). */
export function cameraFromEye(eye: {x: number; y: number; z: number}): SphereCamera | null {
  const distance = Math.hypot(eye.x, eye.y, eye.z);
  if (!(distance > 0) || !Number.isFinite(distance)) return null;
  return sphereCamera({
    azimuth: (Math.atan2(eye.y, eye.x) * 180) / Math.PI,
    elevation: (Math.asin(eye.z / distance) * 180) / Math.PI,
    distance
  });
}

/**
 * The orthographic projection of the view from `camera`: screen right r = ẑ × e / |ẑ × e| and screen
 * up u = e × r, e the unit vector towards the viewer, ẑ = z₃ up. Returns [right, up, depth] for a
 * point, depth > 0 on the viewer's side of the centre.
 */
export function projector(camera: SphereCamera): (x: number, y: number, z: number) => [number, number, number] {
  const [ex, ey, ez] = eyeDirection(camera);
  // ẑ × e = (−e_y, e_x, 0), non-zero because |elevation| < 90°.
  const norm = Math.hypot(ex, ey);
  const rx = -ey / norm;
  const ry = ex / norm;
  const ux = -ez * ry;
  const uy = ez * rx;
  const uz = ex * ry - ey * rx;
  return (x, y, z) => [x * rx + y * ry, x * ux + y * uy + z * uz, x * ex + y * ey + z * ez];
}

function pointCount(data: SphereData | null): number {
  return data ? Math.min(data.points.label.length, Math.floor(data.points.x.length / 3)) : 0;
}

function finitePoint(data: SphereData, i: number): boolean {
  const x = data.points.x;
  return Number.isFinite(x[3 * i]) && Number.isFinite(x[3 * i + 1]) && Number.isFinite(x[3 * i + 2]);
}

interface WeightDirection {
  k: number;
  x: number;
  y: number;
  z: number;
}

/** The class weights as unit directions (the logits of a normalised model are cosines); zero or non-finite rows are skipped. */
function weightDirections(data: SphereData | null): WeightDirection[] {
  const w = data?.weights;
  if (!data || !w) return [];
  const out: WeightDirection[] = [];
  for (let k = 0; k < Math.min(data.classes, Math.floor(w.length / 3)); ++k) {
    const norm = Math.hypot(w[3 * k], w[3 * k + 1], w[3 * k + 2]);
    if (!(norm > 0) || !Number.isFinite(norm)) continue;
    out.push({k, x: w[3 * k] / norm, y: w[3 * k + 1] / norm, z: w[3 * k + 2] / norm});
  }
  return out;
}

function misclassified(data: SphereData, i: number): boolean {
  return data.points.predicted !== undefined && data.points.predicted[i] !== data.points.label[i];
}

/** Hover text of point i (plotly's <br> line breaks). */
function hoverText(data: SphereData, i: number): string {
  const {points} = data;
  const lines = [`sample ${points.ids ? points.ids[i] : i}`];
  const label = points.label[i];
  if (points.predicted) {
    const p = points.predicted[i];
    lines.push(`label ${label}, predicted ${p}${p === label ? "" : " (misclassified)"}`);
  } else {
    lines.push(`label ${label}`);
  }
  if (points.loss) lines.push(`loss ${formatValue(points.loss[i])}`);
  return lines.join("<br>");
}

/** The largest coordinate shown: the unit sphere, or further out for points that are not normalised. */
function sceneRange(data: SphereData | null): number {
  let max = 1;
  const n = pointCount(data);
  for (let i = 0; i < 3 * n; ++i) {
    const v = Math.abs(data!.points.x[i]);
    if (v > max && Number.isFinite(v)) max = v;
  }
  return Math.ceil(max * 1.15 * 10) / 10;
}

/**
 * The plotly figure of a 3-D embedding, pure (no DOM, no plotly): a translucent unit sphere, one
 * scatter3d trace of points per class (legend "class k", misclassified points as diamonds, hover
 * showing sample id, label, prediction and loss), and one line per class weight direction from the
 * origin. The camera is orthographic, so the view matches the static projection. The config keeps
 * plotly offline: no logo or cloud links, no MathJax, no topojson URL, no tips.
 */
export function sphereFigure(data: SphereData | null, options: Partial<EmbeddingSphereOptions> = {}): SphereFigure {
  const {pointSize} = {...defaults, ...options};
  const camera = sphereCamera(options.camera);
  const traces: Record<string, unknown>[] = [];
  // The sphere: a 15° latitude–longitude grid.
  const rows = 13;
  const columns = 25;
  const grid = (f: (theta: number, phi: number) => number) =>
    Array.from({length: rows}, (_, i) =>
      Array.from({length: columns}, (_, j) => {
        const v = f((Math.PI * i) / (rows - 1), (2 * Math.PI * j) / (columns - 1));
        return Math.abs(v) < 1e-12 ? 0 : Math.round(v * 1e6) / 1e6;
      })
    );
  traces.push({
    type: "surface",
    name: "unit sphere",
    x: grid((t, p) => Math.sin(t) * Math.cos(p)),
    y: grid((t, p) => Math.sin(t) * Math.sin(p)),
    z: grid((t) => Math.cos(t)),
    opacity: 0.12,
    colorscale: [
      [0, sphereColor],
      [1, sphereColor]
    ],
    showscale: false,
    hoverinfo: "skip",
    showlegend: false,
    lighting: {ambient: 0.9, diffuse: 0.2, specular: 0.05}
  });
  const n = pointCount(data);
  const classes = data ? Math.max(0, Math.floor(data.classes)) : 0;
  for (let k = 0; k < classes; ++k) {
    const x: number[] = [];
    const y: number[] = [];
    const z: number[] = [];
    const ids: string[] = [];
    const text: string[] = [];
    const symbol: string[] = [];
    for (let i = 0; i < n; ++i) {
      if (data!.points.label[i] !== k || !finitePoint(data!, i)) continue;
      x.push(data!.points.x[3 * i]);
      y.push(data!.points.x[3 * i + 1]);
      z.push(data!.points.x[3 * i + 2]);
      ids.push(String(data!.points.ids ? data!.points.ids[i] : i));
      text.push(hoverText(data!, i));
      symbol.push(misclassified(data!, i) ? "diamond" : "circle");
    }
    traces.push({
      type: "scatter3d",
      mode: "markers",
      name: `class ${k}`,
      legendgroup: `class-${k}`,
      x,
      y,
      z,
      ids,
      text,
      hovertemplate: "%{text}<extra></extra>",
      marker: {size: pointSize, color: classColor(k), symbol, line: {color: "white", width: 0.5}}
    });
  }
  for (const w of weightDirections(data)) {
    traces.push({
      type: "scatter3d",
      mode: "lines",
      name: `class ${w.k} weight`,
      legendgroup: `class-${w.k}`,
      showlegend: false,
      x: [0, w.x],
      y: [0, w.y],
      z: [0, w.z],
      line: {color: classColor(w.k), width: 6},
      hovertemplate: `class ${w.k} weight direction<extra></extra>`
    });
  }
  const [ex, ey, ez] = eyeDirection(camera);
  const range = sceneRange(data);
  const axis = (title: string) => ({
    title: {text: title},
    range: [-range, range],
    zeroline: false,
    showspikes: false,
    tickfont: {size: 9}
  });
  return {
    data: traces,
    layout: {
      autosize: true,
      margin: {l: 0, r: 0, t: 0, b: 0},
      paper_bgcolor: "rgba(0,0,0,0)",
      font: {family: "system-ui, sans-serif", size: 11},
      showlegend: classes > 0,
      legend: {x: 0, y: 1, bgcolor: "rgba(255,255,255,0.6)"},
      // Keeps a visitor's rotation and legend toggles across Plotly.react calls while the model trains.
      uirevision: revision,
      scene: {
        aspectmode: "cube",
        xaxis: axis("z₁"),
        yaxis: axis("z₂"),
        zaxis: axis("z₃"),
        camera: {
          eye: {x: ex * camera.distance, y: ey * camera.distance, z: ez * camera.distance},
          up: {x: 0, y: 0, z: 1},
          center: {x: 0, y: 0, z: 0},
          projection: {type: "orthographic"}
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

interface ProjectedPoint {
  key: number;
  index: number;
  sx: number;
  sy: number;
  depth: number;
}

interface ProjectedWeight extends WeightDirection {
  sx: number;
  sy: number;
  depth: number;
}

/** The static view: an SVG with the sphere's outline, its equator, the weight directions and the points, back ones faded. */
interface Projection {
  svg: SVGSVGElement;
  render(data: SphereData | null, options: EmbeddingSphereOptions, camera: SphereCamera, description: string): void;
}

function createProjection(document: Document): Projection {
  const {svg, title, desc} = createFigureSvg(document, "losslab-embedding-sphere-projection");
  const disc = createSvgElement(document, "circle");
  disc.setAttribute("class", "outline");
  disc.setAttribute("style", "fill: currentColor; fill-opacity: 0.03; stroke: var(--theme-foreground-muted, #888);");
  const equatorBack = createSvgElement(document, "path");
  equatorBack.setAttribute("class", "equator-back");
  equatorBack.setAttribute("fill", "none");
  equatorBack.setAttribute("stroke-dasharray", "2,3");
  equatorBack.setAttribute("style", "stroke: var(--theme-foreground-faint, #ccc);");
  const equatorFront = createSvgElement(document, "path");
  equatorFront.setAttribute("class", "equator-front");
  equatorFront.setAttribute("fill", "none");
  equatorFront.setAttribute("style", "stroke: var(--theme-foreground-faint, #ccc);");
  const back = createSvgElement(document, "g");
  back.setAttribute("class", "points-back");
  back.setAttribute("fill-opacity", "0.35");
  back.setAttribute("style", "stroke: var(--theme-background, white);");
  back.setAttribute("stroke-width", "0.5");
  const weights = createSvgElement(document, "g");
  weights.setAttribute("class", "weights");
  weights.setAttribute("stroke-width", "2");
  weights.setAttribute("stroke-linecap", "round");
  const front = createSvgElement(document, "g");
  front.setAttribute("class", "points-front");
  front.setAttribute("style", "stroke: var(--theme-background, white);");
  front.setAttribute("stroke-width", "0.75");
  svg.append(disc, equatorBack, equatorFront, back, weights, front);

  function render(data: SphereData | null, options: EmbeddingSphereOptions, camera: SphereCamera, text: string) {
    const {width, pointSize} = options;
    const height = options.height ?? width;
    setSvgSize(svg, width, height);
    setText(title, options.title ?? "Embedding sphere");
    setText(desc, text);
    const cx = width / 2;
    const cy = height / 2;
    const range = sceneRange(data);
    // The unit sphere fills the shorter side less a margin; points beyond it (not normalised) still fit.
    const unit = (Math.min(width, height) / 2 - 12) / range;
    const project = projector(camera);
    const screen = (x: number, y: number, z: number): [number, number, number] => {
      const [r, u, d] = project(x, y, z);
      return [px(cx + r * unit), px(cy - u * unit), d];
    };
    setAttribute(disc, "cx", String(px(cx)));
    setAttribute(disc, "cy", String(px(cy)));
    setAttribute(disc, "r", String(px(unit)));
    // The equator in 72 segments, each on the front or the back path by the depth of its midpoint.
    let dFront = "";
    let dBack = "";
    let side: "front" | "back" | null = null;
    for (let j = 0; j < 72; ++j) {
      const a0 = (2 * Math.PI * j) / 72;
      const a1 = (2 * Math.PI * (j + 1)) / 72;
      const [x0, y0, d0] = screen(Math.cos(a0), Math.sin(a0), 0);
      const [x1, y1, d1] = screen(Math.cos(a1), Math.sin(a1), 0);
      const next = d0 + d1 >= 0 ? "front" : "back";
      const segment = `${next === side ? "" : `M${x0},${y0}`}L${x1},${y1}`;
      if (next === "front") dFront += segment;
      else dBack += segment;
      side = next;
    }
    setAttribute(equatorFront, "d", dFront || null);
    setAttribute(equatorBack, "d", dBack || null);

    const all: ProjectedPoint[] = [];
    const n = pointCount(data);
    for (let i = 0; i < n; ++i) {
      if (!finitePoint(data!, i)) continue;
      const p = data!.points.x;
      const [sx, sy, depth] = screen(p[3 * i], p[3 * i + 1], p[3 * i + 2]);
      all.push({key: data!.points.ids ? data!.points.ids[i] : i, index: i, sx, sy, depth});
    }
    const radius = pointSize / 2 + 0.5;
    const draw = (group: SVGGElement, points: ProjectedPoint[]) =>
      select(group)
        .selectAll<SVGCircleElement, ProjectedPoint>("circle")
        .data(points, (d) => d.key)
        .join("circle")
        .each(function (d) {
          const wrong = misclassified(data!, d.index);
          setAttribute(this, "cx", String(d.sx));
          setAttribute(this, "cy", String(d.sy));
          setAttribute(this, "r", String(wrong ? radius + 1 : radius));
          setAttribute(this, "fill", classColor(data!.points.label[d.index]));
          setAttribute(this, "class", wrong ? "misclassified" : null);
          setAttribute(this, "style", wrong ? "stroke: currentColor;" : null);
          setAttribute(this, "stroke-width", wrong ? "1.25" : null);
        })
        // Painter's order: farther points first.
        .sort((a, b) => a.depth - b.depth || a.key - b.key);
    // Points on the silhouette (depth 0, up to rounding) count as in front.
    draw(
      back,
      all.filter((d) => d.depth < -1e-9)
    );
    draw(
      front,
      all.filter((d) => d.depth >= -1e-9)
    );

    const projected: ProjectedWeight[] = weightDirections(data).map((w) => {
      const [sx, sy, depth] = screen(w.x, w.y, w.z);
      return {...w, sx, sy, depth};
    });
    select(weights)
      .selectAll<SVGGElement, ProjectedWeight>("g.weight")
      .data(projected, (d) => d.k)
      .join((enter) => {
        const g = enter.append("g").attr("class", "weight");
        g.append("line");
        g.append("circle").attr("r", 3).attr("stroke", "none");
        return g;
      })
      .each(function (d) {
        const color = classColor(d.k);
        const [line, tip] = this.children as unknown as [SVGLineElement, SVGCircleElement];
        setAttribute(this, "data-class", String(d.k));
        // A direction pointing away from the viewer is dashed: it lies behind the sphere's centre.
        setAttribute(line, "stroke-dasharray", d.depth < -1e-9 ? "4,3" : null);
        setAttribute(line, "stroke", color);
        setAttribute(line, "x1", String(px(cx)));
        setAttribute(line, "y1", String(px(cy)));
        setAttribute(line, "x2", String(d.sx));
        setAttribute(line, "y2", String(d.sy));
        setAttribute(tip, "cx", String(d.sx));
        setAttribute(tip, "cy", String(d.sy));
        setAttribute(tip, "fill", color);
      });
  }

  return {svg, render};
}

/**
 * A 3-D embedding on the unit sphere, for D = 3 normalised embeddings: a translucent sphere, points
 * coloured by class, class weight vectors as lines from the origin. In browsers it is a plotly.js
 * scene (imported lazily on first use, so pages without 3-D never load plotly; redrawn with
 * Plotly.react, released with Plotly.purge); the mouse rotates it, and so does the keyboard: the
 * view is one tab stop where the arrow keys turn it by 15°, + and − zoom, and 0 resets. Under
 * renderer "svg" (jsdom, snapshots), and as a fallback when plotly cannot load, it draws a static
 * orthographic projection of the same view (points behind the centre faded). toSVG() always
 * returns that static projection of the current view, since plotly exports only asynchronously.
 */
export function EmbeddingSphere(
  data: SphereData | null = null,
  options: Partial<EmbeddingSphereOptions> = {}
): EmbeddingSphereElement {
  const document = documentOf(options);
  let current: EmbeddingSphereOptions = {...defaults, ...options};
  let camera = sphereCamera(current.camera);
  const initialCamera = camera;
  let state: SphereData | null = data;
  let destroyed = false;
  let interactive = resolveRenderer(current.renderer, document) === "canvas";
  let failure: string | null = null;

  const root = document.createElement("div") as unknown as EmbeddingSphereElement;
  root.className = "losslab-embedding-sphere";
  root.setAttribute("role", "figure");
  const titleId = uniqueId(document, "losslab-embedding-sphere-title");
  const descId = uniqueId(document, "losslab-embedding-sphere-desc");
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
  // The one tab stop: the plotly scene or the static projection inside it.
  const view = document.createElement("div");
  view.className = "view";
  view.tabIndex = 0;
  view.setAttribute("role", "application");
  view.setAttribute("aria-roledescription", "3-D view");
  view.setAttribute("aria-label", "3-D view: arrow keys rotate, plus and minus zoom, 0 resets");
  root.append(titleNode, descNode, view);
  let projection: Projection | null = null;

  function describe(): string {
    const n = pointCount(state);
    const classes = state?.classes ?? 0;
    const weightCount = weightDirections(state).length;
    const parts = [
      `3-D view of ${n} points of an embedding, with the unit sphere, coloured by class (${classes} classes)`
    ];
    if (weightCount) parts.push(`lines from the origin show the ${weightCount} class weight directions`);
    if (state?.points.predicted) {
      parts.push(interactive && !failure ? "misclassified points are diamonds" : "misclassified points are outlined");
    }
    parts.push(
      `seen from azimuth ${degrees(camera.azimuth)} and elevation ${degrees(camera.elevation)}${
        interactive && !failure ? "" : " as a static projection, points behind the centre faded"
      }`
    );
    if (failure) parts.push(`the interactive 3-D view is unavailable (${failure})`);
    return `${parts.join("; ")}.`;
  }

  function layout(): void {
    const height = current.height ?? current.width;
    root.setAttribute("style", `position: relative; width: ${current.width}px; max-width: 100%;`);
    view.setAttribute("style", interactive && !failure ? `width: 100%; height: ${height}px;` : "width: 100%;");
    setText(titleNode, current.title ?? "Embedding sphere");
    setText(descNode, current.description ?? describe());
  }

  function renderStatic(): void {
    if (!projection) {
      projection = createProjection(document);
      // The wrapper names and describes the figure; the SVG keeps its own title and desc for export.
      projection.svg.setAttribute("aria-hidden", "true");
      view.replaceChildren(projection.svg);
    }
    projection.render(state, current, camera, current.description ?? describe());
  }

  const host = plotlyHost({
    view,
    figure: () => sphereFigure(state, {...current, camera}),
    getCamera: () => camera,
    setCamera: (next) => {
      camera = next;
    },
    normalize: sphereCamera,
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
  root.update = function (
    this: EmbeddingSphereElement,
    next: SphereData | null,
    nextOptions?: Partial<EmbeddingSphereOptions>
  ) {
    if (destroyed) return this;
    state = next ?? null;
    if (nextOptions) {
      current = {...current, ...nextOptions};
      if (nextOptions.camera) camera = sphereCamera({...camera, ...nextOptions.camera});
    }
    render();
    return this;
  };
  root.destroy = function () {
    if (destroyed) return;
    destroyed = true;
    host.destroy();
    interactive = false;
  };
  root.toSVG = function () {
    const exported = createProjection(document);
    exported.render(state, current, camera, current.description ?? describe());
    return svgMarkup(exported.svg);
  };
  root.toRows = function (): Row[] {
    const rows: Row[] = [];
    const n = pointCount(state);
    for (let i = 0; i < n; ++i) {
      if (!finitePoint(state!, i)) continue;
      const p = state!.points.x;
      rows.push({
        id: state!.points.ids ? state!.points.ids[i] : i,
        x: float32Value(p[3 * i]),
        y: float32Value(p[3 * i + 1]),
        z: float32Value(p[3 * i + 2]),
        label: state!.points.label[i]
      });
    }
    return rows;
  };
  return root;
}
